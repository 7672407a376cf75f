// WarrenProcess (warren_process.hpp): the server's flags, temp dirs and port over ChildProcess.

#include "tests/integration/support/warren_process.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#ifndef WARREN_BINARY
#error "WARREN_BINARY must name the built warren executable"
#endif

namespace warren::test {

namespace {

constexpr std::string_view kListening = "listening on http://";
constexpr auto kStartTimeout = std::chrono::seconds(10);

std::filesystem::path make_temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "warren-it-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
    }
    return pattern;
}

// The port of the first complete "listening on http://HOST:PORT" line, if printed yet.
std::optional<std::uint16_t> find_port(std::string_view output) {
    auto start = output.find(kListening);
    if (start == std::string::npos) {
        return std::nullopt;
    }
    auto end = output.find('\n', start);
    if (end == std::string::npos) {
        return std::nullopt;
    }
    std::string line(output.substr(start, end - start));
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
        line.pop_back();
    }
    auto colon = line.rfind(':');
    if (colon == std::string::npos || colon + 1 >= line.size()) {
        return std::nullopt;
    }
    int port = std::atoi(line.c_str() + colon + 1);
    if (port <= 0 || port > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(port);
}

ChildOptions warren_options(std::vector<std::string> args, EnvVars env,
                            const std::filesystem::path& working_dir) {
    // AMQP is off unless a test asks for it (--amqp-port beats the variable): servers of tests
    // running side by side, or a RabbitMQ on this machine, would all want 5672.
    const bool amqp_set = std::any_of(env.begin(), env.end(),
                                      [](const auto& e) { return e.first == "WARREN_AMQP_PORT"; });
    if (!amqp_set) {
        env.emplace_back("WARREN_AMQP_PORT", "0");
    }
    return ChildOptions{.program = WARREN_BINARY,
                        .args = std::move(args),
                        .env = std::move(env),
                        .stdin_pipe = false,
                        .err_output = ErrOutput::with_out,
                        .working_dir = working_dir};
}

} // namespace

WarrenProcess::WarrenProcess(std::vector<std::string> args, EnvVars env)
    : args_(std::move(args)), env_(std::move(env)) {
    temp_dir_ = make_temp_dir();
    data_dir_ = temp_dir_ / "data";
    launch();
}

WarrenProcess::WarrenProcess(std::vector<std::string> args, EnvVars env,
                             std::filesystem::path data_dir)
    : args_(std::move(args)), env_(std::move(env)) {
    temp_dir_ = make_temp_dir(); // the working directory
    data_dir_ = std::move(data_dir);
    launch();
}

void WarrenProcess::restart() {
    if (running()) {
        throw std::logic_error("restart() needs the previous warren to have exited");
    }
    child_.reset();
    port_ = 0;
    launch();
}

void WarrenProcess::launch() {
    std::vector<std::string> full{"--http-port", "0", "--data-dir", data_dir_.string()};
    full.insert(full.end(), args_.begin(), args_.end());
    child_.emplace(warren_options(std::move(full), env_, temp_dir_));

    std::optional<std::uint16_t> port;
    child_->wait_for_out(
        [&](std::string_view output) {
            port = find_port(output);
            return port.has_value();
        },
        kStartTimeout);
    if (!port) {
        child_->kill();
        child_->wait_output_closed();
        std::string out = output();
        std::error_code ec;
        std::filesystem::remove_all(temp_dir_, ec);
        temp_dir_.clear();
        throw std::runtime_error("warren did not report 'listening on' within 10 s; output:\n" +
                                 out);
    }
    port_ = *port;
}

WarrenProcess::~WarrenProcess() {
    child_.reset(); // kills and reaps a warren still running
    if (!temp_dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(temp_dir_, ec);
    }
}

std::optional<int> WarrenProcess::wait_exit(std::chrono::milliseconds timeout) {
    return child_->wait_exit(timeout);
}

void WarrenProcess::signal(int signal_number) {
    child_->signal(signal_number);
}

std::optional<int> WarrenProcess::stop(std::chrono::milliseconds timeout) {
    if (!running()) {
        return exit_code();
    }
    child_->signal(SIGTERM);
    auto code = wait_exit(timeout);
    if (!code) {
        kill9();
    }
    return code;
}

void WarrenProcess::kill9() {
    child_->kill();
}

std::string WarrenProcess::output() const {
    return child_->out();
}

bool WarrenProcess::wait_for_output(std::string_view needle,
                                    std::chrono::milliseconds timeout) const {
    return child_->wait_for_out(needle, timeout);
}

ExitResult WarrenProcess::run_to_exit(const std::vector<std::string>& args, const EnvVars& env,
                                      std::chrono::milliseconds timeout) {
    // Run in a temporary working directory, so that a default ./data lands there.
    const std::filesystem::path dir = make_temp_dir();
    ExitResult result;
    {
        ChildProcess child(warren_options(args, env, dir));
        auto code = child.wait_exit(timeout);
        if (!code) {
            child.kill();
        }
        child.wait_output_closed();
        result = ExitResult{code.value_or(-1), child.out()};
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return result;
}

} // namespace warren::test
