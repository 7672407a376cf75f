#include "tests/integration/support/ctl_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef WARRENCTL_BINARY
#error "WARRENCTL_BINARY must name the built warrenctl executable"
#endif

extern char** environ;

namespace warren::test {

namespace {

int decode_status(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return -1;
}

void make_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe2 failed: " + std::string(std::strerror(errno)));
    }
}

} // namespace

CtlProcess::CtlProcess(const std::vector<std::string>& args, const EnvVars& env) {
    int in[2];
    int out[2];
    int err[2];
    make_pipe(in);
    make_pipe(out);
    make_pipe(err);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);

    std::vector<std::string> argv_storage{WARRENCTL_BINARY};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_storage) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (char** e = environ; *e != nullptr; ++e) {
        if (std::string_view(*e).rfind("WARREN_", 0) != 0) {
            env_storage.emplace_back(*e);
        }
    }
    for (const auto& [name, value] : env) {
        env_storage.push_back(name + "=" + value);
    }
    std::vector<char*> envp;
    for (auto& var : env_storage) {
        envp.push_back(var.data());
    }
    envp.push_back(nullptr);

    // A child of a test runner must see SIGINT and SIGTERM at their defaults.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    sigset_t empty;
    sigemptyset(&empty);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    const int rc = posix_spawn(&pid_, WARRENCTL_BINARY, &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (rc != 0) {
        close(in[1]);
        close(out[0]);
        close(err[0]);
        pid_ = -1;
        throw std::runtime_error("posix_spawn " + std::string(WARRENCTL_BINARY) +
                                 " failed: " + std::strerror(rc));
    }
    stdin_fd_ = in[1];
    out_reader_ = std::thread([this, fd = out[0]] { read_into(fd, out_, out_closed_); });
    err_reader_ = std::thread([this, fd = err[0]] { read_into(fd, err_, err_closed_); });
}

CtlProcess::~CtlProcess() {
    close_stdin();
    if (pid_ > 0 && !exit_code_) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (out_reader_.joinable()) {
        out_reader_.join();
    }
    if (err_reader_.joinable()) {
        err_reader_.join();
    }
}

void CtlProcess::read_into(int fd, std::string& sink, bool& closed) {
    char buffer[4096];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        std::lock_guard lock(mutex_);
        if (n <= 0) {
            closed = true;
            changed_.notify_all();
            break;
        }
        sink.append(buffer, static_cast<std::size_t>(n));
        changed_.notify_all();
    }
    close(fd);
}

void CtlProcess::write_stdin(std::string_view bytes) {
    // A child that exited must fail the write (EPIPE), not kill the test with SIGPIPE.
    static const bool sigpipe_ignored = [] { return std::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
    (void)sigpipe_ignored;
    while (!bytes.empty()) {
        ssize_t n = ::write(stdin_fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw std::runtime_error("writing warrenctl's stdin: " +
                                     std::string(std::strerror(errno)));
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void CtlProcess::close_stdin() {
    if (stdin_fd_ >= 0) {
        close(stdin_fd_);
        stdin_fd_ = -1;
    }
}

void CtlProcess::signal(int signal_number) {
    if (pid_ > 0 && !exit_code_) {
        ::kill(pid_, signal_number);
    }
}

std::optional<int> CtlProcess::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!exit_code_) {
        int status = 0;
        const pid_t rc = waitpid(pid_, &status, WNOHANG);
        if (rc == pid_) {
            exit_code_ = decode_status(status);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // The output is complete once both pipes are closed.
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(5), [&] { return out_closed_ && err_closed_; });
    return exit_code_;
}

std::string CtlProcess::out() const {
    std::lock_guard lock(mutex_);
    return out_;
}

std::string CtlProcess::err() const {
    std::lock_guard lock(mutex_);
    return err_;
}

bool CtlProcess::wait_for_out(std::string_view needle, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
        return out_.find(needle) != std::string::npos || out_closed_;
    }) && out_.find(needle) != std::string::npos;
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
