// ChildProcess (child_process.hpp): posix_spawn with pipes, reader threads, bounded waits.

#include "tests/integration/support/child_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

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

// Close-on-exec, so that only the ends dup2'ed onto 0, 1 and 2 reach the child (and no other
// child started meanwhile on another thread keeps a pipe open).
void make_pipe(int fds[2]) {
    if (pipe2(fds, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe2 failed: " + std::string(std::strerror(errno)));
    }
}

void close_fd(int& fd) {
    if (fd >= 0) {
        close(fd);
        fd = -1;
    }
}

// Storage for argv/envp: the strings, then pointers into them ending in nullptr.
struct CStrings {
    std::vector<std::string> strings;
    std::vector<char*> pointers;

    char** terminated() {
        pointers.clear();
        for (auto& s : strings) {
            pointers.push_back(s.data());
        }
        pointers.push_back(nullptr);
        return pointers.data();
    }
};

CStrings child_environment(const EnvVars& env) {
    CStrings out;
    for (char** e = environ; *e != nullptr; ++e) {
        if (std::string_view(*e).rfind("WARREN_", 0) != 0) {
            out.strings.emplace_back(*e);
        }
    }
    for (const auto& [name, value] : env) {
        out.strings.push_back(name + "=" + value);
    }
    return out;
}

} // namespace

ChildProcess::ChildProcess(const ChildOptions& options) {
    // [0] read end, [1] write end; -1 where there is no pipe.
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    int err[2] = {-1, -1};
    if (options.stdin_pipe) {
        make_pipe(in);
    }
    make_pipe(out);
    if (options.err_output == ErrOutput::separate) {
        make_pipe(err);
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (options.stdin_pipe) {
        posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    } else {
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    }
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    if (options.err_output == ErrOutput::separate) {
        posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    } else if (options.err_output == ErrOutput::with_out) {
        posix_spawn_file_actions_adddup2(&actions, out[1], 2);
    }
    if (!options.working_dir.empty()) {
        posix_spawn_file_actions_addchdir_np(&actions, options.working_dir.c_str());
    }

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

    CStrings argv;
    argv.strings.push_back(options.program);
    argv.strings.insert(argv.strings.end(), options.args.begin(), options.args.end());
    CStrings envp = child_environment(options.env);

    const int rc = posix_spawn(&pid_, options.program.c_str(), &actions, &attr, argv.terminated(),
                               envp.terminated());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    // The child's ends are its own now (or nobody's).
    close_fd(in[0]);
    close_fd(out[1]);
    close_fd(err[1]);
    if (rc != 0) {
        close_fd(in[1]);
        close_fd(out[0]);
        close_fd(err[0]);
        pid_ = -1;
        throw std::runtime_error("posix_spawn " + options.program +
                                 " failed: " + std::strerror(rc));
    }
    stdin_fd_ = in[1];
    out_reader_ = std::thread([this, fd = out[0]] { read_into(fd, out_, out_closed_); });
    if (err[0] >= 0) {
        err_closed_ = false;
        err_reader_ = std::thread([this, fd = err[0]] { read_into(fd, err_, err_closed_); });
    }
}

ChildProcess::~ChildProcess() {
    close_stdin();
    kill();
    if (out_reader_.joinable()) {
        out_reader_.join();
    }
    if (err_reader_.joinable()) {
        err_reader_.join();
    }
}

void ChildProcess::read_into(int fd, std::string& sink, bool& closed) {
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
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

void ChildProcess::write_stdin(std::string_view bytes) {
    // A child that exited must fail the write (EPIPE), not kill the test with SIGPIPE.
    static const bool sigpipe_ignored = [] { return std::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
    (void)sigpipe_ignored;
    if (stdin_fd_ < 0) {
        throw std::runtime_error("writing the child's stdin: not a pipe, or closed");
    }
    while (!bytes.empty()) {
        const ssize_t n = ::write(stdin_fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw std::runtime_error("writing the child's stdin: " +
                                     std::string(std::strerror(errno)));
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void ChildProcess::close_stdin() {
    close_fd(stdin_fd_);
}

void ChildProcess::signal(int signal_number) {
    if (running()) {
        ::kill(pid_, signal_number);
    }
}

std::optional<int> ChildProcess::wait_exit(std::chrono::milliseconds timeout) {
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
    return exit_code_;
}

void ChildProcess::kill() {
    if (!running()) {
        return;
    }
    ::kill(pid_, SIGKILL);
    int status = 0;
    pid_t rc;
    do {
        rc = waitpid(pid_, &status, 0);
    } while (rc < 0 && errno == EINTR);
    exit_code_ = rc == pid_ ? decode_status(status) : -1;
}

bool ChildProcess::wait_output_closed(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return out_closed_ && err_closed_; });
}

std::string ChildProcess::out() const {
    std::lock_guard lock(mutex_);
    return out_;
}

std::string ChildProcess::err() const {
    std::lock_guard lock(mutex_);
    return err_;
}

bool ChildProcess::wait_for_out(const std::function<bool(std::string_view out)>& ready,
                                std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    bool answer = false;
    changed_.wait_for(lock, timeout, [&] {
        answer = ready(out_);
        return answer || out_closed_;
    });
    return answer;
}

bool ChildProcess::wait_for_out(std::string_view needle, std::chrono::milliseconds timeout) const {
    return wait_for_out([needle](std::string_view out) { return out.find(needle) != out.npos; },
                        timeout);
}

} // namespace warren::test
