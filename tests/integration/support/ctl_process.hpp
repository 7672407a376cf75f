#pragma once

// CtlProcess: the real `warrenctl` binary as a child process (support/child_process), for
// integration tests: its stdin is a pipe the test writes to (so a test can type lines one by
// one, as a person does), its stdout and stderr are read separately. run_ctl() runs one command
// to its end.
//
// WARREN_* variables of the test's own environment are not passed on; `env` adds variables.
//
// Lifetime and thread: one test owns it; the destructor kills (SIGKILL) and reaps a child still
// running. Not copyable.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/support/child_process.hpp"

namespace warren::test {

struct CtlResult {
    int exit_code = -1; // 128 + signal when killed
    std::string out;
    std::string err;
};

class CtlProcess {
public:
    CtlProcess(const std::vector<std::string>& args, const EnvVars& env = {});

    void write_stdin(std::string_view bytes) { child_.write_stdin(bytes); }
    void close_stdin() { child_.close_stdin(); }
    void signal(int signal_number) { child_.signal(signal_number); }
    // The exit code once warrenctl exited and its output is complete, or nullopt when it did not
    // exit in time.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    std::string out() const { return child_.out(); }
    std::string err() const { return child_.err(); }
    bool wait_for_out(std::string_view needle,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
        return child_.wait_for_out(needle, timeout);
    }

private:
    ChildProcess child_;
};

// Runs warrenctl with `args` to its end, with `input` on its stdin.
CtlResult run_ctl(const std::vector<std::string>& args, const EnvVars& env = {},
                  std::string_view input = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(20));

} // namespace warren::test
