#pragma once

// ChildProcess: one program run as a child of an integration test (posix_spawn), its stdout and
// stderr read on background threads, every wait bounded. The one place the tests start programs:
// WarrenProcess (the server), CtlProcess (warrenctl) and the warren-perf runs build on it.
//
// The child gets the test's environment without its WARREN_* variables (a developer's own
// settings must not leak into a test), plus `env`; SIGINT, SIGTERM and SIGPIPE at their defaults
// and no blocked signals, whatever the test runner (or an earlier write_stdin) set, so that it
// starts as a shell would start it.
//
// Lifetime and thread: one test owns it; out()/err() and the waits may be called from any
// thread. The destructor closes stdin, kills (SIGKILL) and reaps a child still running, and joins
// the readers. Not copyable.

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace warren::test {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

// Where the child's stderr goes.
enum class ErrOutput {
    separate,  // its own pipe: err()
    with_out,  // into stdout's pipe, interleaved as written: out()
    inherited, // the test's own stderr (the test log)
};

struct ChildOptions {
    std::string program; // path of the executable, also its argv[0]
    std::vector<std::string> args;
    EnvVars env;
    bool stdin_pipe = false; // write_stdin() feeds it; otherwise stdin is /dev/null
    ErrOutput err_output = ErrOutput::separate;
    std::filesystem::path working_dir; // empty: the test's own
};

class ChildProcess {
public:
    // Starts the program; throws std::runtime_error when it cannot be started.
    explicit ChildProcess(const ChildOptions& options);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    int pid() const { return pid_; }
    bool running() const { return !exit_code_; }
    // The code passed to exit(), or 128 + the signal number; nullopt until reaped.
    std::optional<int> exit_code() const { return exit_code_; }

    // Throws std::runtime_error when the child no longer reads (EPIPE), never raises SIGPIPE.
    void write_stdin(std::string_view bytes);
    void close_stdin();
    // Sends a signal to a child still running, without waiting.
    void signal(int signal_number);
    // Waits for the child to exit and reaps it: its exit code, or nullopt when it did not exit in
    // time. The output may still be arriving: wait_output_closed().
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    // SIGKILL and reap (blocking), when still running.
    void kill();
    // Waits until every output pipe is closed, so out() and err() are complete.
    bool wait_output_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // Everything read so far.
    std::string out() const;
    std::string err() const;
    // Waits until `ready(out())` holds (checked on every new output), or stdout closed, or the
    // time is up; returns the last answer of `ready`.
    bool wait_for_out(const std::function<bool(std::string_view out)>& ready,
                      std::chrono::milliseconds timeout) const;
    // Waits until out() contains `needle`.
    bool wait_for_out(std::string_view needle, std::chrono::milliseconds timeout) const;

private:
    void read_into(int fd, std::string& sink, bool& closed);

    int pid_ = -1;
    int stdin_fd_ = -1;
    std::optional<int> exit_code_;
    std::thread out_reader_;
    std::thread err_reader_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    std::string out_;
    std::string err_;
    bool out_closed_ = false;
    bool err_closed_ = true; // until a pipe of its own is open
};

} // namespace warren::test
