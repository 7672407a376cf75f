// CtlProcess and run_ctl (ctl_process.hpp): warrenctl over ChildProcess.

#include "tests/integration/support/ctl_process.hpp"

#include <csignal>

#ifndef WARRENCTL_BINARY
#error "WARRENCTL_BINARY must name the built warrenctl executable"
#endif

namespace warren::test {

CtlProcess::CtlProcess(const std::vector<std::string>& args, const EnvVars& env)
    : child_(ChildOptions{.program = WARRENCTL_BINARY,
                          .args = args,
                          .env = env,
                          .stdin_pipe = true,
                          .err_output = ErrOutput::separate,
                          .working_dir = {}}) {}

std::optional<int> CtlProcess::wait_exit(std::chrono::milliseconds timeout) {
    auto code = child_.wait_exit(timeout);
    if (code) {
        // The output is complete once both pipes are closed.
        child_.wait_output_closed(std::chrono::seconds(5));
    }
    return code;
}

CtlResult run_ctl(const std::vector<std::string>& args, const EnvVars& env, std::string_view input,
                  std::chrono::milliseconds timeout) {
    CtlProcess process(args, env);
    if (!input.empty()) {
        process.write_stdin(input);
    }
    process.close_stdin();
    auto code = process.wait_exit(timeout);
    if (!code) {
        process.signal(SIGKILL);
        code = process.wait_exit(std::chrono::seconds(5));
    }
    return CtlResult{code.value_or(-1), process.out(), process.err()};
}

} // namespace warren::test
