#pragma once

// Config: every setting of the `warren` server, parsed once at startup from the command line and
// WARREN_* environment variables (a flag beats its variable). A plain value passed to whoever
// needs it: no globals, no singletons. Parsing never exits or prints; main() decides.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace warren::app {

enum class SyncMode { normal, full };
enum class LogLevel { trace, debug, info, warn, error };

// --memory-high-watermark: a fraction of physical RAM (0 < f <= 1) or an absolute byte count.
struct Watermark {
    std::optional<double> fraction; // set: relative to RAM; unset: `bytes` is absolute
    std::uint64_t bytes = 0;

    friend bool operator==(const Watermark&, const Watermark&) = default;
};

struct Config {
    // What main() should do: run the server, or print usage / the version and exit 0.
    enum class Action { run, help, version };
    Action action = Action::run;

    std::filesystem::path data_dir = "./data";
    std::string bind = "127.0.0.1";
    std::uint16_t http_port = 15672; // 0 = ephemeral (the real port is logged)
    SyncMode sync = SyncMode::normal;
    LogLevel log_level = LogLevel::info;
    std::uint64_t memory_budget = 128ull << 20;
    Watermark memory_high_watermark{0.4, 0};
    std::uint64_t disk_free_limit = 50'000'000; // 50MB
    std::uint64_t max_message_size = 16ull << 20;
    // Bytes of request bodies and WebSocket messages being received at once, server-wide; never
    // less than one body of max_message_size (main raises it to that).
    std::uint64_t receive_memory_limit = 256ull << 20;
    std::size_t max_connections = 10000;
    unsigned ws_ping_interval_s = 20; // a silent WebSocket is pinged after this
    unsigned ws_idle_timeout_s = 60;  // and dropped when nothing (not even a pong) came for this
    std::vector<std::string> loopback_users{"guest"}; // empty = "none": guest may log in remotely
    // Created (tag administrator, all permissions on "/") when the store holds no users: the
    // first start, or after every user was deleted.
    std::string default_user = "guest";
    std::string default_password = "guest";
    bool metrics_auth =
        false; // GET /metrics requires Basic auth (else open, like RabbitMQ's :15692)

    // HTTPS listener (the API, /ws and the admin page over TLS), beside the HTTP one.
    std::optional<std::uint16_t> https_port;
    // AMQP 0-9-1 (DESIGN.md section 8): plain on amqp_port (0 = off), and over TLS on
    // amqps_port with the same certificate.
    std::uint16_t amqp_port = 5672;
    std::optional<std::uint16_t> amqps_port;
    std::filesystem::path tls_cert;
    std::filesystem::path tls_key;
};

// Looks up an environment variable; nullopt when unset. Injected so tests need not touch the real
// environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (std::getenv).
EnvLookup process_env();

// Parses flags then environment. Errors are Errc::bad_request with a sentence naming the flag or
// variable and the accepted values; main() prints it and exits with code 2.
Result<Config> parse_config(int argc, const char* const* argv, const EnvLookup& env);

// The --help text.
std::string usage();

// "64MiB" -> 67108864. Units: K/KiB/M/MiB/G/GiB are powers of 1024, KB/MB/GB powers of 1000 (as
// in RabbitMQ's configuration); no unit = bytes. Case-insensitive.
std::optional<std::uint64_t> parse_byte_size(std::string_view text);

std::string_view to_string(SyncMode mode);
std::string_view to_string(LogLevel level);

} // namespace warren::app
