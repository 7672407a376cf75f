#include "app/config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include <boost/program_options.hpp>

#include <arpa/inet.h>

namespace warren::app {

namespace po = boost::program_options;

namespace {

// The flags that take a value, each also settable as WARREN_<NAME> (dashes become underscores).
const po::options_description& options() {
    static const po::options_description desc = [] {
        po::options_description d("Options (each also read from WARREN_<FLAG>, e.g. "
                                  "WARREN_HTTP_PORT; a flag beats its variable)");
        auto add = d.add_options();
        add("help,h", "print this help and exit");
        add("version", "print the version and exit");
        add("data-dir", po::value<std::string>(), "data directory (default ./data)");
        add("bind", po::value<std::string>(), "IP address to listen on (default 127.0.0.1)");
        add("http-port", po::value<std::string>(), "HTTP port (default 15672; 0 = any free port)");
        add("https-port", po::value<std::string>(), "HTTPS port (needs --tls-cert and --tls-key)");
        add("amqp-port", po::value<std::string>(), "AMQP 0-9-1 port (default 5672; 0 = off)");
        add("amqps-port", po::value<std::string>(),
            "AMQP 0-9-1 over TLS port (needs --tls-cert and --tls-key)");
        add("tls-cert", po::value<std::string>(), "TLS certificate chain (PEM)");
        add("tls-key", po::value<std::string>(), "TLS private key (PEM)");
        add("sync", po::value<std::string>(),
            "normal (survives a process crash) or full (fsync: survives power loss)");
        add("log-level", po::value<std::string>(), "trace|debug|info|warn|error (default info)");
        add("memory-budget", po::value<std::string>(),
            "bytes of messages kept in memory; K/M/G/KiB/MiB/GiB/KB/MB/GB (default 128MiB)");
        add("memory-high-watermark", po::value<std::string>(),
            "refuse publishes above this: a fraction of RAM (default 0.4) or bytes with a unit");
        add("disk-free-limit", po::value<std::string>(),
            "refuse publishes when free disk falls below this (default 50MB)");
        add("max-message-size", po::value<std::string>(), "largest body (default 16MiB)");
        add("receive-memory-limit", po::value<std::string>(),
            "bytes of request bodies and WebSocket messages being received at once; past it new "
            "ones get 503 / close 1013 (default 256MiB)");
        add("max-connections", po::value<std::string>(),
            "most simultaneous client connections (default 10000)");
        add("ws-ping-interval", po::value<std::string>(),
            "seconds of WebSocket silence before the server pings (default 20)");
        add("ws-idle-timeout", po::value<std::string>(),
            "seconds without any frame or pong before a WebSocket is dropped (default 60)");
        add("loopback-users", po::value<std::string>(),
            "comma list of users allowed only from localhost (default guest; none = nobody)");
        add("default-user", po::value<std::string>(),
            "administrator created when the store has no users (default guest)");
        add("default-password", po::value<std::string>(),
            "that administrator's password (default guest)");
        add("metrics-auth", po::value<std::string>()->implicit_value("true"),
            "require Basic auth for GET /metrics (default: open); true|false");
        return d;
    }();
    return desc;
}

std::string env_name(std::string_view flag) {
    std::string name = "WARREN_";
    for (char c : flag) {
        name += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return name;
}

// A raw setting and where it came from, so that errors name what the user typed.
struct Raw {
    std::string value;
    std::string source; // "--http-port" or "WARREN_HTTP_PORT"
};

class Settings {
public:
    Settings(const po::variables_map& vm, const EnvLookup& env) : vm_(vm), env_(env) {}

    std::optional<Raw> get(std::string_view flag) const {
        std::string key(flag);
        if (auto it = vm_.find(key); it != vm_.end()) {
            return Raw{it->second.as<std::string>(), "--" + key};
        }
        std::string var = env_name(flag);
        if (env_) {
            if (auto value = env_(var)) {
                return Raw{*value, var};
            }
        }
        return std::nullopt;
    }

private:
    const po::variables_map& vm_;
    const EnvLookup& env_;
};

Error invalid(const Raw& raw, std::string_view expected) {
    return Error{Errc::bad_request, "invalid value '" + raw.value + "' for " + raw.source +
                                        ": expected " + std::string(expected)};
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    return text;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    auto value = parse_unsigned(text);
    if (!value || *value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(*value);
}

bool is_ip_address(const std::string& text) {
    unsigned char buffer[sizeof(in6_addr)];
    return inet_pton(AF_INET, text.c_str(), buffer) == 1 ||
           inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

// A memory watermark: "0.4" (fraction of RAM, 0 < f <= 1) or a byte size such as "2GiB".
std::optional<Watermark> parse_watermark(std::string_view text) {
    text = trim(text);
    bool has_unit = !text.empty() && std::isalpha(static_cast<unsigned char>(text.back()));
    bool has_point = text.find('.') != std::string_view::npos;
    if (!has_unit && has_point) {
        std::string copy(text);
        char* end = nullptr;
        double fraction = std::strtod(copy.c_str(), &end);
        if (end != copy.c_str() + copy.size() || !std::isfinite(fraction) || fraction <= 0 ||
            fraction > 1) {
            return std::nullopt;
        }
        return Watermark{fraction, 0};
    }
    auto bytes = parse_byte_size(text);
    if (!bytes || *bytes == 0) {
        return std::nullopt;
    }
    if (!has_unit && *bytes == 1) {
        return Watermark{1.0, 0}; // "1" reads as the whole of RAM, not one byte
    }
    return Watermark{std::nullopt, *bytes};
}

std::optional<std::string> parse_text(std::string_view t) {
    return trim(t).empty() ? std::nullopt : std::optional<std::string>(t);
}

std::optional<std::string> parse_name(std::string_view t) {
    return t.empty() || t.size() > 255 ? std::nullopt : std::optional<std::string>(t);
}

std::optional<std::uint64_t> parse_positive_size(std::string_view t) {
    auto bytes = parse_byte_size(t);
    return bytes && *bytes > 0 ? bytes : std::nullopt;
}

std::optional<std::uint64_t> parse_message_size(std::string_view t) {
    auto bytes = parse_positive_size(t);
    return bytes && *bytes <= (512ull << 20) ? bytes : std::nullopt; // RabbitMQ's ceiling
}

std::optional<std::string> parse_bind(std::string_view t) {
    std::string address(trim(t));
    return is_ip_address(address) ? std::optional<std::string>(address) : std::nullopt;
}

std::optional<std::optional<std::uint16_t>> parse_optional_port(std::string_view t) {
    auto port = parse_port(t);
    return port ? std::optional<std::optional<std::uint16_t>>(port) : std::nullopt;
}

std::optional<SyncMode> parse_sync(std::string_view t) {
    std::string v = lower(trim(t));
    if (v == "normal" || v == "full") {
        return v == "full" ? SyncMode::full : SyncMode::normal;
    }
    return std::nullopt;
}

std::optional<LogLevel> parse_log_level(std::string_view t) {
    std::string v = lower(trim(t));
    for (auto l :
         {LogLevel::trace, LogLevel::debug, LogLevel::info, LogLevel::warn, LogLevel::error}) {
        if (v == to_string(l)) {
            return l;
        }
    }
    return v == "warning" ? std::optional<LogLevel>(LogLevel::warn) : std::nullopt;
}

std::optional<std::size_t> parse_max_connections(std::string_view t) {
    auto n = parse_unsigned(trim(t));
    return n && *n > 0 && *n <= 10'000'000 ? std::optional<std::size_t>(*n) : std::nullopt;
}

std::optional<unsigned> parse_seconds(std::string_view t) {
    auto n = parse_unsigned(trim(t));
    return n && *n > 0 && *n <= 86'400 ? std::optional<unsigned>(static_cast<unsigned>(*n))
                                       : std::nullopt;
}

std::optional<std::vector<std::string>> parse_users(std::string_view t) {
    std::vector<std::string> out;
    if (lower(trim(t)) == "none") {
        return out;
    }
    std::size_t start = 0;
    while (start <= t.size()) {
        std::size_t comma = std::min(t.find(',', start), t.size());
        std::string_view user = trim(t.substr(start, comma - start));
        if (user.empty()) {
            return std::nullopt;
        }
        out.emplace_back(user);
        start = comma + 1;
    }
    return out;
}

std::optional<bool> parse_bool(std::string_view t) {
    std::string v = lower(trim(t));
    if (v == "true" || v == "1" || v == "yes" || v == "on") {
        return true;
    }
    if (v == "false" || v == "0" || v == "no" || v == "off") {
        return false;
    }
    return std::nullopt;
}

// Applies settings one by one, remembering the first invalid one (later ones are skipped).
class Applier {
public:
    explicit Applier(const Settings& settings) : settings_(settings) {}

    template <class T, class Parse>
    void operator()(std::string_view flag, T& out, Parse parse, std::string_view expected) {
        if (error_) {
            return;
        }
        if (auto raw = settings_.get(flag)) {
            if (auto value = parse(raw->value)) {
                out = static_cast<T>(*value);
            } else {
                error_ = invalid(*raw, expected);
            }
        }
    }

    const std::optional<Error>& error() const { return error_; }

private:
    const Settings& settings_;
    std::optional<Error> error_;
};

Result<void> apply_all(const Settings& settings, Config& config) {
    constexpr std::string_view kSize = "a positive byte count, optionally with a unit "
                                       "(K, M, G, KiB, MiB, GiB, KB, MB, GB), e.g. 64MiB";
    constexpr std::string_view kPort = "a port from 0 to 65535";
    Applier apply(settings);
    std::optional<std::string> dir;
    std::optional<std::string> cert;
    std::optional<std::string> key;
    apply("data-dir", dir, parse_text, "a directory path");
    apply("bind", config.bind, parse_bind,
          "an IPv4 or IPv6 address such as 127.0.0.1, 0.0.0.0 or ::");
    apply("http-port", config.http_port, parse_port, kPort);
    apply("https-port", config.https_port, parse_optional_port, kPort);
    apply("amqp-port", config.amqp_port, parse_port, kPort);
    apply("amqps-port", config.amqps_port, parse_optional_port, kPort);
    apply("tls-cert", cert, parse_text, "a file path");
    apply("tls-key", key, parse_text, "a file path");
    apply("sync", config.sync, parse_sync, "normal or full");
    apply("log-level", config.log_level, parse_log_level, "one of trace, debug, info, warn, error");
    apply("memory-budget", config.memory_budget, parse_positive_size, kSize);
    apply("memory-high-watermark", config.memory_high_watermark, parse_watermark,
          "a fraction of RAM between 0 and 1 (e.g. 0.4) or a byte size (e.g. 2GiB)");
    apply("disk-free-limit", config.disk_free_limit, parse_byte_size,
          "a byte count, optionally with a unit (K, M, G, KiB, MiB, GiB, KB, MB, GB)");
    apply("max-message-size", config.max_message_size, parse_message_size,
          "a byte size from 1 to 512MiB, e.g. 16MiB");
    apply("receive-memory-limit", config.receive_memory_limit, parse_positive_size,
          "a byte size, e.g. 256MiB");
    apply("max-connections", config.max_connections, parse_max_connections,
          "a whole number from 1 to 10000000");
    apply("ws-ping-interval", config.ws_ping_interval_s, parse_seconds,
          "a whole number of seconds from 1 to 86400");
    apply("ws-idle-timeout", config.ws_idle_timeout_s, parse_seconds,
          "a whole number of seconds from 1 to 86400");
    apply("loopback-users", config.loopback_users, parse_users,
          "a comma-separated list of user names, or none");
    apply("default-user", config.default_user, parse_name, "a user name of 1 to 255 bytes");
    apply("default-password", config.default_password, parse_text, "a password");
    apply("metrics-auth", config.metrics_auth, parse_bool, "true or false");
    if (apply.error()) {
        return *apply.error();
    }
    if (dir) {
        config.data_dir = *dir;
    }
    config.tls_cert = cert.value_or("");
    config.tls_key = key.value_or("");
    if (config.https_port && (config.tls_cert.empty() || config.tls_key.empty())) {
        return make_error(Errc::bad_request,
                          "--https-port needs --tls-cert and --tls-key (PEM files: the "
                          "certificate chain and its private key)");
    }
    if (config.amqps_port && (config.tls_cert.empty() || config.tls_key.empty())) {
        return make_error(Errc::bad_request,
                          "--amqps-port needs --tls-cert and --tls-key (PEM files: the "
                          "certificate chain and its private key)");
    }
    return {};
}

} // namespace

EnvLookup process_env() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr) {
            return std::nullopt;
        }
        return std::string(value);
    };
}

Result<Config> parse_config(int argc, const char* const* argv, const EnvLookup& env) {
    po::variables_map vm;
    try {
        auto parsed = po::command_line_parser(argc, argv).options(options()).run();
        auto stray = po::collect_unrecognized(parsed.options, po::include_positional);
        if (!stray.empty()) {
            return Error{Errc::bad_request, "unexpected positional argument '" + stray.front() +
                                                "' (every setting is a --flag)"};
        }
        po::store(parsed, vm);
    } catch (const po::error& e) {
        return Error{Errc::bad_request, e.what()};
    }
    Config config;
    if (vm.count("help") != 0) {
        config.action = Config::Action::help;
        return config;
    }
    if (vm.count("version") != 0) {
        config.action = Config::Action::version;
        return config;
    }
    Settings settings(vm, env);
    if (auto r = apply_all(settings, config); !r) {
        return r.error();
    }
    return config;
}

std::string usage() {
    std::ostringstream out;
    out << "Usage: warren [OPTIONS]\n\nwarren: a message broker with a RabbitMQ-compatible HTTP "
           "API.\n\n"
        << options();
    return out.str();
}

std::optional<std::uint64_t> parse_byte_size(std::string_view text) {
    text = trim(text);
    std::size_t digits = 0;
    while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
        ++digits;
    }
    auto number = parse_unsigned(text.substr(0, digits));
    if (!number) {
        return std::nullopt;
    }
    std::string unit = lower(trim(text.substr(digits)));
    struct Unit {
        std::string_view name;
        std::uint64_t factor;
    };
    static constexpr Unit kUnits[] = {
        {"", 1},
        {"b", 1},
        {"k", 1ull << 10},
        {"kib", 1ull << 10},
        {"m", 1ull << 20},
        {"mib", 1ull << 20},
        {"g", 1ull << 30},
        {"gib", 1ull << 30},
        {"kb", 1000},
        {"mb", 1000 * 1000},
        {"gb", 1000 * 1000 * 1000},
    };
    for (const Unit& u : kUnits) {
        if (unit == u.name) {
            if (*number > UINT64_MAX / u.factor) {
                return std::nullopt;
            }
            return *number * u.factor;
        }
    }
    return std::nullopt;
}

std::string_view to_string(SyncMode mode) {
    return mode == SyncMode::full ? "full" : "normal";
}

std::string_view to_string(LogLevel level) {
    switch (level) {
    case LogLevel::trace:
        return "trace";
    case LogLevel::debug:
        return "debug";
    case LogLevel::info:
        return "info";
    case LogLevel::warn:
        return "warn";
    case LogLevel::error:
        return "error";
    }
    return "info";
}

} // namespace warren::app
