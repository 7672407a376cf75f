#pragma once

// WarrenProcess: the real `warren` binary as a child process (support/child_process), for
// integration tests. It starts it with --http-port 0 and a fresh temporary --data-dir, reads its
// combined stdout/stderr, and learns the port from the "listening on http://HOST:PORT" line.
//
// Lifetime and thread: one test owns it; the destructor always kills (SIGKILL) and reaps a child
// still running, then removes the temporary directory. Not copyable.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/integration/support/child_process.hpp"

namespace warren::test {

struct ExitResult {
    int exit_code = -1; // the code passed to exit(), or 128 + signal number
    std::string output; // stdout and stderr, interleaved
};

class WarrenProcess {
public:
    // Starts warren and waits (10 s at most) for its "listening on" line; throws
    // std::runtime_error with the output so far when it does not come. `args` are added after
    // --http-port 0 --data-dir DIR (a later flag of the same name is rejected by warren, so
    // don't repeat those two). `env` adds variables; WARREN_* variables of the test's own
    // environment are not passed on.
    explicit WarrenProcess(std::vector<std::string> args = {}, EnvVars env = {});
    // The same on a data dir of the caller's (a small filesystem, say), which is left in place.
    WarrenProcess(std::vector<std::string> args, EnvVars env, std::filesystem::path data_dir);
    ~WarrenProcess();
    WarrenProcess(const WarrenProcess&) = delete;
    WarrenProcess& operator=(const WarrenProcess&) = delete;

    std::uint16_t port() const { return port_; }
    const std::filesystem::path& data_dir() const { return data_dir_; }
    int pid() const { return child_->pid(); }

    // SIGTERM, then waits up to `timeout` for the exit. Returns the exit code, or nullopt if it
    // did not exit in time (the child is then killed with SIGKILL and reaped).
    std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // SIGKILL and reap: a crash, for recovery tests.
    void kill9();
    // Starts warren again on the same data dir and flags (after stop() or kill9()); the port
    // is new.
    void restart();
    // Sends a signal without waiting.
    void signal(int signal_number);
    // Waits for the child to exit by itself.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    bool running() const { return child_ && child_->running(); }
    std::optional<int> exit_code() const { return child_ ? child_->exit_code() : std::nullopt; }

    // Everything the child printed so far.
    std::string output() const;
    // Waits until the output contains `needle`.
    bool wait_for_output(std::string_view needle,
                         std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

    // Runs warren with exactly `args` (no implicit flags) to its end, e.g. for flag errors, in a
    // fresh temporary working directory (removed afterwards).
    static ExitResult run_to_exit(const std::vector<std::string>& args, const EnvVars& env = {},
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10));

private:
    void launch();

    std::vector<std::string> args_;
    EnvVars env_;
    std::filesystem::path temp_dir_;
    std::filesystem::path data_dir_;
    std::uint16_t port_ = 0;
    std::optional<ChildProcess> child_; // the current run; a restart() makes a new one
};

} // namespace warren::test
