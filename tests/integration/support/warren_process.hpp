#pragma once

// WarrenProcess: the real `warren` binary as a child process, for integration tests. It starts it
// with --http-port 0 and a fresh temporary --data-dir, reads its combined stdout/stderr on a
// background thread, and learns the port from the "listening on http://HOST:PORT" line.
//
// Lifetime and thread: one test owns it; the destructor always kills (SIGKILL) and reaps a child
// still running, then removes the temporary directory. Not copyable.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace warren::test {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

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
    ~WarrenProcess();
    WarrenProcess(const WarrenProcess&) = delete;
    WarrenProcess& operator=(const WarrenProcess&) = delete;

    std::uint16_t port() const { return port_; }
    const std::filesystem::path& data_dir() const { return data_dir_; }
    int pid() const { return pid_; }

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
    bool running() const { return pid_ > 0 && !exit_code_; }
    std::optional<int> exit_code() const { return exit_code_; }

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
    struct Unstarted {};
    explicit WarrenProcess(Unstarted) {}
    void launch();
    void spawn(const std::vector<std::string>& args, const EnvVars& env);
    void read_output(int fd);
    bool try_reap(bool block);

    std::vector<std::string> args_;
    EnvVars env_;
    std::filesystem::path temp_dir_;
    std::filesystem::path data_dir_;
    int pid_ = -1;
    std::optional<int> exit_code_;
    std::uint16_t port_ = 0;
    std::thread reader_;
    mutable std::mutex mutex_;
    mutable std::condition_variable output_changed_;
    std::string output_;
    bool output_closed_ = false;
};

} // namespace warren::test
