#pragma once

// warrenctl's command line: the grammar of DESIGN.md section 5 (plus users, permissions,
// definitions, vhosts, bindings), parsed by hand into an Invocation. Global options may come
// before or after the command, but after it a command's own option of the same name wins
// (`users create NAME --password P`); `--opt value` and `--opt=value` both work; `--` ends
// options (so a BODY may start with '-'). Settings come from flags, then WARREN_* environment
// variables, then defaults. Pure: no I/O, so it is unit-tested alone.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/assert/source_location.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include "tools/client/http_client.hpp"
#include "tools/client/server_url.hpp"
#include "tools/client/tls.hpp"

namespace warren::ctl {

struct OptionSpec {
    std::string_view name; // without "--"
    bool takes_value = false;
    bool repeatable = false;
};

struct CommandSpec {
    std::string_view name;                  // "exchange create", "publish"
    std::vector<std::string_view> required; // positional argument names, in order
    std::vector<std::string_view> optional; // then these, in order
    std::vector<OptionSpec> options;
    std::string_view synopsis; // "exchange create NAME [--type ...]"
    std::string_view summary;  // one line
};

// Every command, in the order --help lists them (command_table.cpp).
const std::vector<CommandSpec>& commands();

// A command group's own spelling for its plural or singular alias ("queues" -> "queue").
std::string_view canonical_group(std::string_view word);

struct GlobalOptions {
    std::optional<std::string> url;
    std::optional<std::string> user;
    std::optional<std::string> password;
    std::optional<std::string> vhost;
    std::optional<std::string> cacert;
    bool insecure = false;
    bool json = false;
    bool help = false;
    bool version = false;
};

struct Invocation {
    GlobalOptions globals;
    const CommandSpec* command = nullptr; // null with --help / --version and no command
    std::string group;                    // the first command word when help was asked for it
    std::vector<std::string> args;        // positional arguments after the command words
    std::vector<std::pair<std::string, std::string>> options; // flags have an empty value

    bool has(std::string_view option) const;
    // The last value given for `option`.
    std::optional<std::string> value(std::string_view option) const;
    std::vector<std::string> values(std::string_view option) const;
    // args[i] when given.
    std::optional<std::string> arg(std::size_t i) const;
};

struct UsageError {
    std::string message;
};

// Found by ADL when .value() is called on a failed result (throws std::invalid_argument).
[[noreturn]] void throw_exception_from_error(const UsageError& error,
                                             const boost::source_location& location);

// argv without the program name.
boost::system::result<Invocation, UsageError>
parse_command_line(const std::vector<std::string_view>& argv);

// The text --help prints: everything, or one command group ("queue") or command.
std::string usage_text(std::string_view group = {});

// What the command talks to and as whom, after flags, environment and defaults.
struct Settings {
    client::ServerUrl url;
    client::Credentials credentials;
    std::string vhost = "/";
    client::TlsOptions tls; // for an https URL
    bool json = false;
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;

// Flags beat WARREN_URL / WARREN_USER / WARREN_PASSWORD / WARREN_VHOST, which beat user info in
// the URL, which beats the defaults (http://127.0.0.1:15672, guest/guest, "/"). --cacert beats
// WARREN_CACERT; --insecure, or WARREN_INSECURE=1|true|yes (0|false|no or empty: off; anything
// else is a usage error), turns certificate checks off.
boost::system::result<Settings, UsageError> resolve_settings(const GlobalOptions& globals,
                                                             const EnvLookup& env);

// A queue argument's value from `--arg KEY=VALUE`: the numeric x- arguments must be integers and
// become JSON numbers; x-single-active-consumer a boolean; the string-valued ones stay strings;
// an unknown key's integer becomes a number, true/false a boolean, anything else a string.
boost::system::result<std::pair<std::string, boost::json::value>, UsageError>
parse_queue_argument(std::string_view text);

// `--header KEY=VALUE` / binding `--arg KEY=VALUE`: integers and booleans as for unknown queue
// arguments, anything else a string.
boost::system::result<std::pair<std::string, boost::json::value>, UsageError>
parse_key_value(std::string_view text, std::string_view option);

// A size in bytes: digits and an optional unit, kB MB GB TB (powers of 1000) or KiB MiB GiB TiB
// (powers of 1024), in any case ("500MB", "10gib", "1000000"). Nothing when it is not one.
std::optional<std::uint64_t> parse_size(std::string_view text);

// A positive count ("--count 5").
boost::system::result<std::uint64_t, UsageError> parse_count(std::string_view text,
                                                             std::string_view option);

} // namespace warren::ctl
