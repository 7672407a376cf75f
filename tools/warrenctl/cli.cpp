#include "tools/warrenctl/cli.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <map>
#include <stdexcept>

namespace warren::ctl {

namespace json = boost::json;

namespace {

constexpr std::string_view kDefaultUrl = "http://127.0.0.1:15672";

UsageError usage(std::string message) {
    return UsageError{std::move(message)};
}

const std::vector<OptionSpec> kGlobalOptions = {
    {"url", true}, {"user", true}, {"password", true}, {"vhost", true}, {"cacert", true},
    {"insecure"},  {"json"},       {"help"},           {"version"},
};

bool is_group(std::string_view group) {
    return std::any_of(commands().begin(), commands().end(), [&](const CommandSpec& c) {
        return c.name.size() > group.size() && c.name.starts_with(group) &&
               c.name[group.size()] == ' ';
    });
}

const CommandSpec* find_command(std::string_view name) {
    for (const auto& c : commands()) {
        if (c.name == name) {
            return &c;
        }
    }
    return nullptr;
}

std::string verbs_of(std::string_view group) {
    std::string out;
    for (const auto& c : commands()) {
        if (c.name.size() > group.size() && c.name.starts_with(group) &&
            c.name[group.size()] == ' ') {
            out += out.empty() ? "" : ", ";
            out += c.name.substr(group.size() + 1);
        }
    }
    return out;
}

const OptionSpec* find_option(const std::vector<OptionSpec>& options, std::string_view name) {
    for (const auto& o : options) {
        if (o.name == name) {
            return &o;
        }
    }
    return nullptr;
}

void set_global(GlobalOptions& globals, std::string_view name, std::string value) {
    if (name == "url") {
        globals.url = std::move(value);
    } else if (name == "user") {
        globals.user = std::move(value);
    } else if (name == "password") {
        globals.password = std::move(value);
    } else if (name == "vhost") {
        globals.vhost = std::move(value);
    } else if (name == "cacert") {
        globals.cacert = std::move(value);
    } else if (name == "insecure") {
        globals.insecure = true;
    } else if (name == "json") {
        globals.json = true;
    } else if (name == "help") {
        globals.help = true;
    } else if (name == "version") {
        globals.version = true;
    }
}

std::optional<std::int64_t> as_integer(std::string_view text) {
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return n;
}

json::value loose_value(std::string_view text) {
    if (auto n = as_integer(text)) {
        return *n;
    }
    if (text == "true") {
        return true;
    }
    if (text == "false") {
        return false;
    }
    return json::string(text);
}

// Extra rules the table cannot say.
std::optional<UsageError> check_command(const Invocation& inv) {
    const std::string_view name = inv.command->name;
    if (name == "consume") {
        const bool queue = !inv.args.empty();
        const bool exchange = inv.has("exchange");
        if (queue == exchange) {
            return usage("consume: give a QUEUE or --exchange X (one of them)");
        }
        if (inv.has("key") && !exchange) {
            return usage("consume: --key goes with --exchange");
        }
        const bool stream_flags =
            inv.has("from") || inv.has("from-beginning") || inv.has("name") || inv.has("group");
        if (stream_flags && exchange) {
            return usage("consume: --from, --from-beginning, --name and --group read a stream or "
                         "a topic: give its name, not --exchange");
        }
        if (inv.has("name") && inv.has("group")) {
            return usage("consume: --name (a stream's consumer) or --group (a topic's), not both");
        }
        if (inv.has("from") && inv.has("from-beginning")) {
            return usage("consume: --from or --from-beginning, not both");
        }
        if (auto from = inv.value("from");
            from && *from != "first" && *from != "last" && *from != "next") {
            std::uint64_t n = 0;
            auto [end, ec] = std::from_chars(from->data(), from->data() + from->size(), n);
            if (from->empty() || ec != std::errc{} || end != from->data() + from->size()) {
                return usage("consume: --from wants first, last, next, an offset or a time in ms "
                             "since the epoch, not '" +
                             std::string(*from) + "'");
            }
        }
    }
    if (name == "topic create") {
        if (auto p = inv.value("partitions")) {
            auto n = parse_count(*p, "partitions");
            if (!n) {
                return n.error();
            }
            if (*n < 1 || *n > 1000) {
                return usage("topic create: --partitions wants 1 to 1000");
            }
        }
        if (auto size = inv.value("max-bytes"); size && !parse_size(*size)) {
            return usage("topic create: --max-bytes wants a size like 1000000, 500MB or 10GiB, "
                         "not '" +
                         std::string(*size) + "'");
        }
    }
    if (name == "users create" && !inv.has("password")) {
        return usage("users create: --password is required");
    }
    for (std::string_view counted : {"count", "prefetch"}) {
        if (auto v = inv.value(counted)) {
            auto n = parse_count(*v, counted);
            if (!n) {
                return n.error();
            }
        }
    }
    if (auto type = inv.value("type")) {
        if (*type != "direct" && *type != "fanout" && *type != "topic" && *type != "headers" &&
            *type != "x-consistent-hash") {
            return usage("exchange create: --type must be direct, fanout, topic, headers or "
                         "x-consistent-hash, not '" +
                         *type + "'");
        }
    }
    for (const auto& arg : inv.values("arg")) {
        auto parsed =
            name == "queue create" ? parse_queue_argument(arg) : parse_key_value(arg, "arg");
        if (!parsed) {
            return parsed.error();
        }
    }
    for (const auto& header : inv.values("header")) {
        auto parsed = parse_key_value(header, "header");
        if (!parsed) {
            return parsed.error();
        }
    }
    return std::nullopt;
}

} // namespace

std::string_view canonical_group(std::string_view word) {
    static const std::map<std::string_view, std::string_view> kAliases = {
        {"exchanges", "exchange"},     {"queues", "queue"}, {"bindings", "binding"},
        {"vhosts", "vhost"},           {"user", "users"},   {"permission", "permissions"},
        {"definition", "definitions"}, {"topics", "topic"},
    };
    auto it = kAliases.find(word);
    return it == kAliases.end() ? word : it->second;
}

void throw_exception_from_error(const UsageError& error, const boost::source_location&) {
    throw std::invalid_argument(error.message);
}

bool Invocation::has(std::string_view option) const {
    return std::any_of(options.begin(), options.end(),
                       [&](const auto& o) { return o.first == option; });
}

std::optional<std::string> Invocation::value(std::string_view option) const {
    std::optional<std::string> out;
    for (const auto& [name, v] : options) {
        if (name == option) {
            out = v;
        }
    }
    return out;
}

std::vector<std::string> Invocation::values(std::string_view option) const {
    std::vector<std::string> out;
    for (const auto& [name, v] : options) {
        if (name == option) {
            out.push_back(v);
        }
    }
    return out;
}

std::optional<std::string> Invocation::arg(std::size_t i) const {
    return i < args.size() ? std::optional<std::string>(args[i]) : std::nullopt;
}

boost::system::result<Invocation, UsageError>
parse_command_line(const std::vector<std::string_view>& argv) {
    Invocation inv;
    std::vector<std::string> words;
    bool options_ended = false;
    std::string group;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string_view token = argv[i];
        const bool is_option = !options_ended && token.size() > 1 && token[0] == '-';
        if (!is_option) {
            if (inv.command == nullptr && !inv.globals.help) {
                // Still reading command words.
                const std::string_view word = group.empty() ? canonical_group(token) : token;
                if (group.empty()) {
                    if (word == "help") {
                        inv.globals.help = true;
                        continue;
                    }
                    if (const CommandSpec* c = find_command(word)) {
                        inv.command = c;
                    } else if (is_group(word)) {
                        group = word;
                    } else {
                        return usage("unknown command '" + std::string(token) + "'");
                    }
                } else {
                    const CommandSpec* c = find_command(group + " " + std::string(word));
                    if (c == nullptr) {
                        return usage(group + ": unknown subcommand '" + std::string(token) +
                                     "' (expected " + verbs_of(group) + ")");
                    }
                    inv.command = c;
                }
                continue;
            }
            if (inv.command == nullptr) {
                // `help queue` / `--help queue`: help for a group or command.
                if (group.empty()) {
                    group = canonical_group(token);
                } else {
                    group += " " + std::string(token);
                }
                continue;
            }
            inv.args.emplace_back(token);
            continue;
        }
        if (token == "--") {
            options_ended = true;
            continue;
        }
        if (token == "-h") {
            inv.globals.help = true;
            continue;
        }
        if (!token.starts_with("--")) {
            return usage("unknown option '" + std::string(token) + "'");
        }
        std::string_view name = token.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string_view::npos) {
            inline_value = std::string(name.substr(eq + 1));
            name = name.substr(0, eq);
        }
        // After the command, its own options shadow global ones of the same name
        // (`users create NAME --password P` sets the new user's password; the login password
        // then goes before the command).
        const OptionSpec* spec =
            inv.command != nullptr ? find_option(inv.command->options, name) : nullptr;
        const bool global = spec == nullptr;
        if (global) {
            spec = find_option(kGlobalOptions, name);
        }
        if (spec == nullptr) {
            if (inv.command != nullptr) {
                return usage(std::string(inv.command->name) + ": unknown option '--" +
                             std::string(name) + "'");
            }
            return usage("unknown option '--" + std::string(name) +
                         "' (command options go after the command)");
        }
        std::string value;
        if (spec->takes_value) {
            if (inline_value) {
                value = std::move(*inline_value);
            } else if (i + 1 < argv.size()) {
                value = std::string(argv[++i]);
            } else {
                return usage("option '--" + std::string(name) + "' needs a value");
            }
        } else if (inline_value) {
            return usage("option '--" + std::string(name) + "' takes no value");
        }
        if (global) {
            set_global(inv.globals, name, std::move(value));
        } else {
            inv.options.emplace_back(std::string(name), std::move(value));
        }
    }
    if (inv.globals.help || inv.globals.version) {
        if (inv.command != nullptr) {
            inv.group = std::string(inv.command->name);
        } else {
            inv.group = group;
        }
        return inv;
    }
    if (inv.command == nullptr) {
        if (!group.empty()) {
            return usage(group + ": missing subcommand (expected " + verbs_of(group) + ")");
        }
        return usage("missing command");
    }
    const CommandSpec& c = *inv.command;
    if (inv.args.size() < c.required.size()) {
        return usage(std::string(c.name) + ": missing " + std::string(c.required[inv.args.size()]));
    }
    if (inv.args.size() > c.required.size() + c.optional.size()) {
        return usage(std::string(c.name) + ": unexpected argument '" +
                     inv.args[c.required.size() + c.optional.size()] + "'");
    }
    if (auto error = check_command(inv)) {
        return *error;
    }
    return inv;
}

boost::system::result<Settings, UsageError> resolve_settings(const GlobalOptions& globals,
                                                             const EnvLookup& env) {
    auto pick = [&](const std::optional<std::string>& flag,
                    std::string_view variable) -> std::optional<std::string> {
        if (flag) {
            return flag;
        }
        if (auto v = env(variable); v && !v->empty()) {
            return v;
        }
        return std::nullopt;
    };
    const std::string url_text = pick(globals.url, "WARREN_URL").value_or(std::string(kDefaultUrl));
    auto url = client::parse_server_url(url_text);
    if (!url) {
        return usage(url.error());
    }
    Settings settings;
    settings.url = *url;
    settings.credentials.user =
        pick(globals.user, "WARREN_USER").value_or(url->user.value_or("guest"));
    settings.credentials.password =
        pick(globals.password, "WARREN_PASSWORD").value_or(url->password.value_or("guest"));
    settings.vhost = pick(globals.vhost, "WARREN_VHOST").value_or("/");
    settings.tls.ca_file = pick(globals.cacert, "WARREN_CACERT");
    settings.tls.insecure = globals.insecure;
    if (auto v = env("WARREN_INSECURE"); v && !globals.insecure) {
        if (*v == "1" || *v == "true" || *v == "yes") {
            settings.tls.insecure = true;
        } else if (!v->empty() && *v != "0" && *v != "false" && *v != "no") {
            return usage("WARREN_INSECURE wants 1 or 0 (true/false, yes/no), not '" + *v + "'");
        }
    }
    settings.json = globals.json;
    return settings;
}

boost::system::result<std::pair<std::string, json::value>, UsageError>
parse_key_value(std::string_view text, std::string_view option) {
    const auto eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        return usage("--" + std::string(option) + " wants KEY=VALUE, not '" + std::string(text) +
                     "'");
    }
    return std::make_pair(std::string(text.substr(0, eq)), loose_value(text.substr(eq + 1)));
}

boost::system::result<std::pair<std::string, json::value>, UsageError>
parse_queue_argument(std::string_view text) {
    auto kv = parse_key_value(text, "arg");
    if (!kv) {
        return kv.error();
    }
    static const std::vector<std::string_view> kNumeric = {
        "x-message-ttl",         "x-expires",        "x-max-length",
        "x-max-length-bytes",    "x-delivery-limit", "x-max-priority",
        "x-group-max-in-flight", "x-cache-ttl",      "x-cache-size",
    };
    static const std::vector<std::string_view> kStrings = {
        "x-overflow",
        "x-dead-letter-exchange",
        "x-dead-letter-routing-key",
        "x-queue-mode",
        "x-queue-type",
        "x-group-by",
        "x-deduplication-header",
    };
    const std::string& key = kv->first;
    const std::string_view raw = text.substr(text.find('=') + 1);
    if (std::find(kNumeric.begin(), kNumeric.end(), key) != kNumeric.end()) {
        auto n = as_integer(raw);
        if (!n) {
            return usage("--arg " + key + " wants an integer, not '" + std::string(raw) + "'");
        }
        kv->second = *n;
    } else if (std::find(kStrings.begin(), kStrings.end(), key) != kStrings.end()) {
        kv->second = json::string(raw);
    } else if (key == "x-single-active-consumer" || key == "x-message-deduplication") {
        if (raw != "true" && raw != "false") {
            return usage("--arg " + key + " wants true or false, not '" + std::string(raw) + "'");
        }
        kv->second = raw == "true";
    }
    return kv;
}

std::optional<std::uint64_t> parse_size(std::string_view text) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end == text.data()) {
        return std::nullopt;
    }
    std::string unit(end, text.data() + text.size());
    std::transform(unit.begin(), unit.end(), unit.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    static const std::map<std::string, std::uint64_t> kUnits = {
        {"", 1},
        {"b", 1},
        {"kb", 1000},
        {"mb", 1000'000},
        {"gb", 1000'000'000},
        {"tb", 1000'000'000'000},
        {"kib", 1ull << 10},
        {"mib", 1ull << 20},
        {"gib", 1ull << 30},
        {"tib", 1ull << 40},
    };
    auto it = kUnits.find(unit);
    if (it == kUnits.end() || n > UINT64_MAX / it->second) {
        return std::nullopt;
    }
    return n * it->second;
}

boost::system::result<std::uint64_t, UsageError> parse_count(std::string_view text,
                                                             std::string_view option) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || n == 0) {
        return usage("--" + std::string(option) + " wants a positive integer, not '" +
                     std::string(text) + "'");
    }
    return n;
}

} // namespace warren::ctl
