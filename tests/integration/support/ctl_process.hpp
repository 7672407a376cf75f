#pragma once

// CtlProcess: the real `warrenctl` binary as a child process, for integration tests: its stdin
// is a pipe the test writes to (so a test can type lines one by one, as a person does), its
// stdout and stderr are read separately on background threads. run_ctl() runs one command to
// its end.
//
// WARREN_* variables of the test's own environment are not passed on; `env` adds variables.
//
// Lifetime and thread: one test owns it; the destructor kills (SIGKILL) and reaps a child still
// running. Not copyable.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/integration/support/warren_process.hpp"

namespace warren::test {

struct CtlResult {
    int exit_code = -1; // 128 + signal when killed
    std::string out;
    std::string err;
};

class CtlProcess {
public:
    CtlProcess(const std::vector<std::string>& args, const EnvVars& env = {});
    ~CtlProcess();
    CtlProcess(const CtlProcess&) = delete;
    CtlProcess& operator=(const CtlProcess&) = delete;

    void write_stdin(std::string_view bytes);
    void close_stdin();
    void signal(int signal_number);
    // The exit code, or nullopt when it did not exit in time.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    std::string out() const;
    std::string err() const;
    bool wait_for_out(std::string_view needle,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

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
    bool err_closed_ = false;
};

// Runs warrenctl with `args` to its end, with `input` on its stdin.
CtlResult run_ctl(const std::vector<std::string>& args, const EnvVars& env = {},
                  std::string_view input = {},
                  std::chrono::milliseconds timeout = std::chrono::seconds(20));

} // namespace warren::test
