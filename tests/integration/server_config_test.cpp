// The `warren` program's flags and environment variables, and how it fails at startup: exit code
// 2 for bad settings, 1 for an unusable data directory or port, with a message saying why.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/warren_process.hpp"
#include <unistd.h>

namespace warren::test {
namespace {

TEST(ServerConfig, InvalidFlagsExitWithCode2AndSayWhy) {
    struct Case {
        std::vector<std::string> args;
        std::string mentions;
    };
    for (const Case& c : std::vector<Case>{
             {{"--http-port", "70000"}, "--http-port"},
             {{"--http-port", "12ab"}, "--http-port"},
             {{"--sync", "sometimes"}, "--sync"},
             {{"--log-level", "loud"}, "--log-level"},
             {{"--memory-budget", "12XB"}, "--memory-budget"},
             {{"--memory-high-watermark", "1.5"}, "--memory-high-watermark"},
             {{"--disk-free-limit", "-1"}, "--disk-free-limit"},
             {{"--max-connections", "0"}, "--max-connections"},
             {{"--bind", "not-an-address"}, "--bind"},
             {{"--loopback-users", "guest,,x"}, "--loopback-users"},
             {{"--no-such-flag"}, "no-such-flag"},
             {{"stray-argument"}, "positional"},
         }) {
        ExitResult result = WarrenProcess::run_to_exit(c.args);
        EXPECT_EQ(result.exit_code, 2) << c.args[0] << "\n" << result.output;
        EXPECT_NE(result.output.find(c.mentions), std::string::npos) << result.output;
    }
}

TEST(ServerConfig, EnvironmentVariablesApplyAndFlagsBeatThem) {
    ExitResult bad = WarrenProcess::run_to_exit({}, {{"WARREN_SYNC", "sometimes"}});
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_NE(bad.output.find("WARREN_SYNC"), std::string::npos) << bad.output;

    // WarrenProcess passes --http-port 0, which must win over the (invalid) variable.
    WarrenProcess server({}, {{"WARREN_HTTP_PORT", "not-a-port"}, {"WARREN_BIND", "0.0.0.0"}});
    EXPECT_NE(server.output().find("listening on http://0.0.0.0:"), std::string::npos)
        << server.output();
    EXPECT_EQ(HttpClient(server.port()).get("/api/whoami").status, 200u);
}

TEST(ServerConfig, HelpAndVersionExitZero) {
    ExitResult help = WarrenProcess::run_to_exit({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    for (std::string flag : {"--data-dir", "--bind", "--http-port", "--sync", "--log-level",
                             "--memory-budget", "--memory-high-watermark", "--disk-free-limit",
                             "--max-message-size", "--max-connections", "--loopback-users"}) {
        EXPECT_NE(help.output.find(flag), std::string::npos) << flag;
    }
    ExitResult version = WarrenProcess::run_to_exit({"--version"});
    EXPECT_EQ(version.exit_code, 0);
    EXPECT_EQ(version.output.rfind("warren ", 0), 0u) << version.output;
}

TEST(ServerConfig, UnusableDataDirFailsClearly) {
    auto file =
        std::filesystem::temp_directory_path() / ("warren-it-file-" + std::to_string(::getpid()));
    std::ofstream(file) << "not a directory";
    ExitResult result =
        WarrenProcess::run_to_exit({"--http-port", "0", "--data-dir", (file / "data").string()});
    std::filesystem::remove(file);
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_NE(result.output.find("cannot create data directory"), std::string::npos)
        << result.output;
}

TEST(ServerConfig, PortInUseFailsClearly) {
    WarrenProcess first;
    auto dir = first.data_dir().parent_path() / "second";
    ExitResult second = WarrenProcess::run_to_exit(
        {"--http-port", std::to_string(first.port()), "--data-dir", dir.string()});
    EXPECT_EQ(second.exit_code, 1) << second.output;
    EXPECT_NE(second.output.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << second.output;
}

// A running process's initial environment, raw. (glibc cuts GLIBC_TUNABLES into pieces there
// with NULs while it parses it, so look for the words, not for a whole variable.)
std::string environment_of(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

// app/malloc_tuning.hpp: off by default (memory stays flat); with WARREN_MALLOC_TUNING=on warren
// re-executes itself once with glibc's tcache enlarged, keeps its pid (so supervisors and these
// tests still hold the right process) and serves; an operator's own tcache_count wins.
TEST(ServerConfig, GlibcMallocCacheIsTunedOnlyWhenAskedAndTheOperatorsChoiceWins) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    GTEST_SKIP() << "sanitizer builds bring their own malloc: no tuning";
#endif
    if (std::getenv("GLIBC_TUNABLES") != nullptr) {
        GTEST_SKIP() << "GLIBC_TUNABLES is set for the tests themselves";
    }
    WarrenProcess plain;
    EXPECT_FALSE(contains(environment_of(plain.pid()), "tcache_count"));
    EXPECT_EQ(HttpClient(plain.port()).get("/api/whoami").status, 200u);

    const EnvVars on{{"WARREN_MALLOC_TUNING", "on"}};
    WarrenProcess tuned({}, on);
    EXPECT_TRUE(contains(environment_of(tuned.pid()), "glibc.malloc.tcache_count=256"));
    EXPECT_EQ(HttpClient(tuned.port()).get("/api/whoami").status, 200u);

    WarrenProcess chosen(
        {}, {{"WARREN_MALLOC_TUNING", "on"}, {"GLIBC_TUNABLES", "glibc.malloc.tcache_count=16"}});
    const std::string chosen_env = environment_of(chosen.pid());
    EXPECT_TRUE(contains(chosen_env, "glibc.malloc.tcache_count=16"));
    EXPECT_FALSE(contains(chosen_env, "tcache_count=256"));

    WarrenProcess other(
        {}, {{"WARREN_MALLOC_TUNING", "on"}, {"GLIBC_TUNABLES", "glibc.malloc.arena_max=2"}});
    const std::string other_env = environment_of(other.pid());
    EXPECT_TRUE(contains(other_env, "glibc.malloc.arena_max=2"));
    EXPECT_TRUE(contains(other_env, "glibc.malloc.tcache_count=256"));
}

} // namespace
} // namespace warren::test
