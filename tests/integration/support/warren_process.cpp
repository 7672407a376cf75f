#include "tests/integration/support/warren_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef WARREN_BINARY
#error "WARREN_BINARY must name the built warren executable"
#endif

extern char** environ;

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

int decode_status(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    if (WIFSIGNALED(status)) {
        return 128 + WTERMSIG(status);
    }
    return -1;
}

// The port of the first complete "listening on http://HOST:PORT" line, if printed yet.
std::optional<std::uint16_t> find_port(const std::string& output) {
    auto start = output.find(kListening);
    if (start == std::string::npos) {
        return std::nullopt;
    }
    auto end = output.find('\n', start);
    if (end == std::string::npos) {
        return std::nullopt;
    }
    std::string line = output.substr(start, end - start);
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

} // namespace

WarrenProcess::WarrenProcess(std::vector<std::string> args, EnvVars env)
    : args_(std::move(args)), env_(std::move(env)) {
    temp_dir_ = make_temp_dir();
    data_dir_ = temp_dir_ / "data";
    launch();
}

void WarrenProcess::restart() {
    if (running()) {
        throw std::logic_error("restart() needs the previous warren to have exited");
    }
    if (reader_.joinable()) {
        reader_.join();
    }
    {
        std::lock_guard lock(mutex_);
        output_.clear();
        output_closed_ = false;
    }
    pid_ = -1;
    exit_code_.reset();
    port_ = 0;
    launch();
}

void WarrenProcess::launch() {
    std::vector<std::string> full{"--http-port", "0", "--data-dir", data_dir_.string()};
    full.insert(full.end(), args_.begin(), args_.end());
    spawn(full, env_);

    std::optional<std::uint16_t> port;
    {
        std::unique_lock lock(mutex_);
        output_changed_.wait_for(lock, kStartTimeout, [&] {
            port = find_port(output_);
            return port.has_value() || output_closed_;
        });
    }
    if (!port) {
        kill9();
        if (reader_.joinable()) {
            reader_.join();
        }
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
    kill9();
    if (reader_.joinable()) {
        reader_.join();
    }
    if (!temp_dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(temp_dir_, ec);
    }
}

void WarrenProcess::spawn(const std::vector<std::string>& args, const EnvVars& env) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe2 failed: " + std::string(std::strerror(errno)));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    if (!temp_dir_.empty()) {
        posix_spawn_file_actions_addchdir_np(&actions, temp_dir_.c_str());
    }

    std::vector<std::string> argv_storage{WARREN_BINARY};
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

    int rc = posix_spawn(&pid_, WARREN_BINARY, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        pid_ = -1;
        throw std::runtime_error("posix_spawn " + std::string(WARREN_BINARY) +
                                 " failed: " + std::strerror(rc));
    }
    reader_ = std::thread([this, fd = fds[0]] { read_output(fd); });
}

void WarrenProcess::read_output(int fd) {
    char buffer[4096];
    for (;;) {
        ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        std::lock_guard lock(mutex_);
        if (n <= 0) {
            output_closed_ = true;
            output_changed_.notify_all();
            break;
        }
        output_.append(buffer, static_cast<std::size_t>(n));
        output_changed_.notify_all();
    }
    close(fd);
}

bool WarrenProcess::try_reap(bool block) {
    if (pid_ <= 0 || exit_code_) {
        return true;
    }
    int status = 0;
    pid_t rc;
    do {
        rc = waitpid(pid_, &status, block ? 0 : WNOHANG);
    } while (rc < 0 && errno == EINTR);
    if (rc == pid_) {
        exit_code_ = decode_status(status);
        return true;
    }
    return false;
}

std::optional<int> WarrenProcess::wait_exit(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!try_reap(false)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return exit_code_;
}

void WarrenProcess::signal(int signal_number) {
    if (running()) {
        ::kill(pid_, signal_number);
    }
}

std::optional<int> WarrenProcess::stop(std::chrono::milliseconds timeout) {
    if (!running()) {
        return exit_code_;
    }
    ::kill(pid_, SIGTERM);
    auto code = wait_exit(timeout);
    if (!code) {
        kill9();
    }
    return code;
}

void WarrenProcess::kill9() {
    if (running()) {
        ::kill(pid_, SIGKILL);
        try_reap(true);
    }
}

std::string WarrenProcess::output() const {
    std::lock_guard lock(mutex_);
    return output_;
}

bool WarrenProcess::wait_for_output(std::string_view needle,
                                    std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return output_changed_.wait_for(lock, timeout, [&] {
        return output_.find(needle) != std::string::npos || output_closed_;
    }) && output_.find(needle) != std::string::npos;
}

ExitResult WarrenProcess::run_to_exit(const std::vector<std::string>& args, const EnvVars& env,
                                      std::chrono::milliseconds timeout) {
    WarrenProcess process{Unstarted{}};
    // Run in a temporary working directory, so that a default ./data lands there.
    process.temp_dir_ = make_temp_dir();
    process.spawn(args, env);
    auto code = process.wait_exit(timeout);
    if (!code) {
        process.kill9();
    }
    if (process.reader_.joinable()) {
        process.reader_.join();
    }
    return ExitResult{code.value_or(-1), process.output()};
}

} // namespace warren::test
