// The command table (every command's arguments, options, synopsis and summary) and the
// --help text built from it. The parser (cli.cpp) reads the table; nothing here parses.

#include "tools/warrenctl/cli.hpp"

namespace warren::ctl {

namespace {

const std::vector<CommandSpec> kCommands = {
    {"exchange create",
     {"NAME"},
     {},
     {{"type", true}, {"transient"}, {"auto-delete"}, {"internal"}, {"alternate-exchange", true}},
     "exchange create NAME [--type direct|fanout|topic|headers|x-consistent-hash] [--transient] "
     "[--auto-delete] "
     "[--internal] [--alternate-exchange X]",
     "declare an exchange (durable unless --transient; type direct by default)"},
    {"exchange delete",
     {"NAME"},
     {},
     {{"if-unused"}},
     "exchange delete NAME [--if-unused]",
     "delete an exchange and its bindings"},
    {"exchange describe",
     {"NAME"},
     {},
     {},
     "exchange describe NAME",
     "show an exchange, its counters and its bindings"},
    {"exchange list", {}, {}, {}, "exchange list", "list the vhost's exchanges"},
    {"queue create",
     {"NAME"},
     {},
     {{"transient"}, {"auto-delete"}, {"arg", true, true}},
     "queue create NAME [--transient] [--auto-delete] [--arg KEY=VALUE]...",
     "declare a queue (durable unless --transient), e.g. --arg x-max-length=1000"},
    {"queue delete",
     {"NAME"},
     {},
     {{"if-empty"}, {"if-unused"}},
     "queue delete NAME [--if-empty] [--if-unused]",
     "delete a queue and its messages"},
    {"queue describe",
     {"NAME"},
     {},
     {},
     "queue describe NAME",
     "show a queue, its counters, consumers and bindings"},
    {"queue purge", {"NAME"}, {}, {}, "queue purge NAME", "remove a queue's ready messages"},
    {"queue list", {}, {}, {}, "queue list", "list the vhost's queues with message counts"},
    {"bind",
     {"SOURCE", "DESTINATION"},
     {},
     {{"key", true}, {"to-exchange"}, {"arg", true, true}},
     "bind SOURCE DESTINATION [--key K] [--to-exchange] [--arg KEY=VALUE]...",
     "bind a queue (or with --to-exchange an exchange) to the exchange SOURCE"},
    {"unbind",
     {"SOURCE", "DESTINATION"},
     {},
     {{"key", true}, {"to-exchange"}, {"arg", true, true}},
     "unbind SOURCE DESTINATION [--key K] [--to-exchange] [--arg KEY=VALUE]...",
     "remove the binding with that key (and arguments)"},
    {"binding list", {}, {}, {}, "binding list", "list the vhost's bindings"},
    {"publish",
     {"EXCHANGE", "ROUTING_KEY"},
     {"BODY"},
     {{"content-type", true}, {"header", true, true}, {"message-id", true}},
     "publish EXCHANGE ROUTING_KEY [BODY] [--content-type T] [--header KEY=VALUE]... "
     "[--message-id ID]",
     "publish BODY, or each line of stdin as it comes (persistent, confirmed)"},
    {"consume",
     {},
     {"QUEUE"},
     {{"exchange", true},
      {"key", true},
      {"count", true},
      {"ack"},
      {"prefetch", true},
      {"from", true},
      {"from-beginning"},
      {"name", true},
      {"group", true}},
     "consume QUEUE [--count N] [--ack] [--prefetch N] | consume --exchange X [--key K] "
     "[--count N] | consume TOPIC_OR_STREAM [--from first|last|next|OFFSET|TIMESTAMP_MS] "
     "[--from-beginning] [--name CONSUMER] [--group GROUP] [--count N]",
     "print each message's payload on its own line until Ctrl-C or --count"},
    {"topic create",
     {"NAME"},
     {},
     {{"partitions", true}, {"max-age", true}, {"max-bytes", true}},
     "topic create NAME [--partitions N] [--max-age AGE] [--max-bytes SIZE]",
     "create a partitioned topic: an exchange hashing keys onto N streams NAME-0..N-1"},
    {"topic describe",
     {"NAME"},
     {},
     {},
     "topic describe NAME",
     "show a topic's partitions (first and last offsets, size), retention and consumer lag"},
    {"topic list", {}, {}, {}, "topic list", "list the vhost's topics"},
    {"topic delete",
     {"NAME"},
     {},
     {},
     "topic delete NAME",
     "delete a topic: its exchange and its partition streams with their messages"},
    {"get",
     {"QUEUE"},
     {},
     {{"count", true}, {"requeue"}},
     "get QUEUE [--count N] [--requeue]",
     "take up to N messages (1 by default); --requeue puts them back"},
    {"overview", {}, {}, {}, "overview", "show the server's version and totals"},
    {"whoami", {}, {}, {}, "whoami", "show who the credentials log in as"},
    {"vhost list", {}, {}, {}, "vhost list", "list virtual hosts"},
    {"vhost create", {"NAME"}, {}, {}, "vhost create NAME", "create a virtual host"},
    {"vhost delete",
     {"NAME"},
     {},
     {},
     "vhost delete NAME",
     "delete a virtual host and everything in it"},
    {"users list", {}, {}, {}, "users list", "list users"},
    {"users create",
     {"NAME"},
     {},
     {{"password", true}, {"tags", true}},
     "users create NAME --password P [--tags a,b]",
     "create or update a user (tags: administrator, management, ...)"},
    {"users delete", {"NAME"}, {}, {}, "users delete NAME", "delete a user"},
    {"permissions list", {}, {}, {}, "permissions list", "list permissions in the vhost"},
    {"permissions set",
     {"USER"},
     {},
     {{"configure", true}, {"write", true}, {"read", true}},
     "permissions set USER [--configure RE] [--write RE] [--read RE]",
     "set USER's permissions in the vhost (none given: all '.*'; else missing ones '')"},
    {"permissions clear",
     {"USER"},
     {},
     {},
     "permissions clear USER",
     "remove USER's permissions in the vhost"},
    {"definitions export",
     {},
     {"FILE"},
     {},
     "definitions export [FILE]",
     "write every durable definition as JSON (to stdout without FILE)"},
    {"definitions import",
     {"FILE"},
     {},
     {},
     "definitions import FILE",
     "load definitions from a JSON file ('-' = stdin)"},
};

} // namespace

const std::vector<CommandSpec>& commands() {
    return kCommands;
}

std::string usage_text(std::string_view group) {
    std::string out;
    if (!group.empty()) {
        const std::string canonical(canonical_group(group.substr(0, group.find(' '))));
        const std::string rest = group.find(' ') == std::string_view::npos
                                     ? ""
                                     : std::string(group.substr(group.find(' ')));
        const std::string wanted = canonical + rest;
        for (const auto& c : kCommands) {
            if (c.name == wanted || (c.name.starts_with(wanted + " "))) {
                out += "usage: warrenctl [global options] " + std::string(c.synopsis) + "\n    " +
                       std::string(c.summary) + "\n";
            }
        }
        if (!out.empty()) {
            return out;
        }
    }
    out = "usage: warrenctl [--url URL] [--user U] [--password P] [--vhost V] [--json]\n"
          "                 [--cacert FILE] [--insecure] COMMAND\n"
          "\n"
          "Commands:\n";
    for (const auto& c : kCommands) {
        out += "  " + std::string(c.synopsis) + "\n      " + std::string(c.summary) + "\n";
    }
    out += "\n"
           "Global options (anywhere on the line):\n"
           "  --url URL        server, http://HOST[:PORT][/PREFIX] or https://... (port 443 by\n"
           "                   default); default http://127.0.0.1:15672 (env WARREN_URL)\n"
           "  --user U         default guest (env WARREN_USER)\n"
           "  --password P     default guest (env WARREN_PASSWORD)\n"
           "  --vhost V        default / (env WARREN_VHOST)\n"
           "  --cacert FILE    https: also trust the PEM CA or self-signed certificate in FILE\n"
           "                   (env WARREN_CACERT); the system's CAs are always trusted\n"
           "  --insecure       https: do not verify the server's certificate (env\n"
           "                   WARREN_INSECURE=1)\n"
           "  --json           machine-readable output\n"
           "  --help, --version\n"
           "\n"
           "Exit codes: 0 ok, 1 error, 2 usage error, 3 not found, 4 server unreachable (also\n"
           "when it cannot be reached securely: its TLS certificate was refused).\n";
    return out;
}

} // namespace warren::ctl
