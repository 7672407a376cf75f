// warrenctl's command line: the grammar of DESIGN.md 5, options anywhere, usage errors, settings
// from flags / WARREN_* / URL user info / defaults, and typed --arg values.

#include <map>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tools/warrenctl/cli.hpp"

namespace warren::ctl {
namespace {

namespace json = boost::json;

boost::system::result<Invocation, UsageError> parse(std::vector<std::string_view> argv) {
    return parse_command_line(argv);
}

std::string error_of(std::vector<std::string_view> argv) {
    auto r = parse(argv);
    return r ? std::string("(parsed)") : r.error().message;
}

TEST(Cli, EveryCommandOfTheDesignParses) {
    const std::vector<std::vector<std::string_view>> lines = {
        {"exchange", "create", "x", "--type", "topic", "--transient", "--auto-delete", "--internal",
         "--alternate-exchange", "ae"},
        {"exchange", "delete", "x"},
        {"exchange", "describe", "x"},
        {"exchange", "list"},
        {"queue", "create", "q", "--transient", "--auto-delete", "--arg", "x-max-length=5", "--arg",
         "x-overflow=drop-head"},
        {"queue", "delete", "q"},
        {"queue", "describe", "q"},
        {"queue", "purge", "q"},
        {"queue", "list"},
        {"bind", "src", "dst", "--key", "k", "--to-exchange"},
        {"unbind", "src", "dst", "--key", "k", "--to-exchange"},
        {"publish", "x", "key", "body"},
        {"publish", "x", "key"},
        {"consume", "q", "--count", "3", "--ack"},
        {"consume", "--exchange", "x", "--key", "k", "--count", "1"},
        {"get", "q", "--count", "2", "--requeue"},
        {"overview"},
        {"topic", "create", "t", "--partitions", "3", "--max-age", "7D", "--max-bytes", "10GiB"},
        {"topic", "describe", "t"},
        {"topic", "list"},
        {"topics", "list"},
        {"topic", "delete", "t"},
        {"consume", "t", "--from-beginning"},
        {"consume", "t", "--from", "42", "--group", "billing", "--count", "5"},
        {"consume", "s", "--from", "last", "--name", "c"},
    };
    for (const auto& line : lines) {
        auto r = parse(line);
        EXPECT_TRUE(r) << line[0] << " " << (r ? "" : r.error().message);
    }
}

TEST(Cli, SizesTakeDecimalAndBinaryUnits) {
    EXPECT_EQ(parse_size("1000000"), 1000000u);
    EXPECT_EQ(parse_size("500MB"), 500000000u);
    EXPECT_EQ(parse_size("10gib"), 10ull << 30);
    EXPECT_EQ(parse_size("2KiB"), 2048u);
    EXPECT_FALSE(parse_size("lots"));
    EXPECT_FALSE(parse_size("5 MB"));
    EXPECT_FALSE(parse_size("MB"));
    EXPECT_FALSE(parse_size("99999999999TB")); // past 2^64
    EXPECT_FALSE(parse({"topic", "create", "t", "--partitions", "1001"}));
    EXPECT_FALSE(parse({"consume", "t", "--name", "n", "--group", "g"}));
    EXPECT_FALSE(parse({"consume", "--exchange", "x", "--group", "g"}));
}

TEST(Cli, GlobalOptionsGoAnywhereAndTakeBothForms) {
    auto r = parse({"--url", "http://h:1", "queue", "list", "--json", "--vhost=v", "--user", "u",
                    "--password=p"});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->command->name, "queue list");
    EXPECT_EQ(r->globals.url, "http://h:1");
    EXPECT_TRUE(r->globals.json);
    EXPECT_EQ(r->globals.vhost, "v");
    EXPECT_EQ(r->globals.user, "u");
    EXPECT_EQ(r->globals.password, "p");
}

TEST(Cli, CommandOptionsAndArguments) {
    auto r = parse({"queue", "create", "q", "--arg", "a=1", "--arg=b=2", "--transient"});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->args, std::vector<std::string>{"q"});
    EXPECT_EQ(r->values("arg"), (std::vector<std::string>{"a=1", "b=2"}));
    EXPECT_TRUE(r->has("transient"));
    EXPECT_FALSE(r->has("auto-delete"));
}

TEST(Cli, DoubleDashEndsOptionsSoABodyMayStartWithADash) {
    auto r = parse({"publish", "x", "k", "--", "--not-an-option"});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->args, (std::vector<std::string>{"x", "k", "--not-an-option"}));
    auto empty = parse({"publish", "", "queue-name", ""});
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->args, (std::vector<std::string>{"", "queue-name", ""}));
}

TEST(Cli, AfterTheCommandItsOwnOptionShadowsTheGlobalOne) {
    auto r = parse({"--password", "login", "users", "create", "alice", "--password", "new"});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->globals.password, "login");
    EXPECT_EQ(r->value("password"), "new");
    // Commands without such an option still take the global one after them.
    auto g = parse({"queue", "list", "--password", "login"});
    ASSERT_TRUE(g);
    EXPECT_EQ(g->globals.password, "login");
}

TEST(Cli, PluralGroupsAreAliases) {
    auto r = parse({"queues", "list"});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->command->name, "queue list");
    auto u = parse({"user", "list"});
    ASSERT_TRUE(u);
    EXPECT_EQ(u->command->name, "users list");
}

TEST(Cli, UsageErrorsSayWhatIsWrong) {
    EXPECT_EQ(error_of({}), "missing command");
    EXPECT_EQ(error_of({"fly"}), "unknown command 'fly'");
    EXPECT_EQ(error_of({"queue"}),
              "queue: missing subcommand (expected create, delete, describe, purge, list)");
    EXPECT_EQ(error_of({"queue", "fly"}),
              "queue: unknown subcommand 'fly' (expected create, delete, describe, purge, list)");
    EXPECT_EQ(error_of({"queue", "create"}), "queue create: missing NAME");
    EXPECT_EQ(error_of({"bind", "a"}), "bind: missing DESTINATION");
    EXPECT_EQ(error_of({"queue", "list", "extra"}), "queue list: unexpected argument 'extra'");
    EXPECT_EQ(error_of({"queue", "list", "--bogus"}), "queue list: unknown option '--bogus'");
    EXPECT_EQ(error_of({"--type", "x", "exchange", "list"}),
              "unknown option '--type' (command options go after the command)");
    EXPECT_EQ(error_of({"queue", "list", "--vhost"}), "option '--vhost' needs a value");
    EXPECT_EQ(error_of({"queue", "list", "--json=1"}), "option '--json' takes no value");
    EXPECT_EQ(error_of({"consume"}), "consume: give a QUEUE or --exchange X (one of them)");
    EXPECT_EQ(error_of({"consume", "q", "--key", "k"}), "consume: --key goes with --exchange");
    EXPECT_EQ(error_of({"consume", "q", "--count", "0"}),
              "--count wants a positive integer, not '0'");
    EXPECT_EQ(
        error_of({"exchange", "create", "x", "--type", "round"}),
        "exchange create: --type must be direct, fanout, topic, headers or x-consistent-hash, "
        "not 'round'");
    EXPECT_EQ(error_of({"users", "create", "a"}), "users create: --password is required");
    EXPECT_EQ(error_of({"queue", "create", "q", "--arg", "x-expires=soon"}),
              "--arg x-expires wants an integer, not 'soon'");
    EXPECT_EQ(error_of({"publish", "x", "k", "--header", "nokey"}),
              "--header wants KEY=VALUE, not 'nokey'");
    EXPECT_EQ(error_of({"queue", "-x"}), "unknown option '-x'");
}

TEST(Cli, HelpAndVersionNeedNoCommand) {
    auto help = parse({"--help"});
    ASSERT_TRUE(help);
    EXPECT_TRUE(help->globals.help);
    auto group = parse({"queue", "--help"});
    ASSERT_TRUE(group);
    EXPECT_EQ(group->group, "queue");
    EXPECT_NE(usage_text("queue").find("queue create NAME"), std::string::npos);
    EXPECT_EQ(usage_text("queue").find("exchange create"), std::string::npos);
    auto word = parse({"help", "consume"});
    ASSERT_TRUE(word);
    EXPECT_TRUE(word->globals.help);
    EXPECT_NE(usage_text(word->group).find("consume QUEUE"), std::string::npos);
    EXPECT_TRUE(parse({"--version"}));
    // The full text names every command of the design, and the TLS options.
    const std::string all = usage_text();
    EXPECT_NE(all.find("--cacert FILE"), std::string::npos);
    EXPECT_NE(all.find("--insecure"), std::string::npos);
    EXPECT_NE(all.find("https://"), std::string::npos);
    for (const auto& c : commands()) {
        EXPECT_NE(all.find(c.synopsis), std::string::npos) << c.name;
    }
}

TEST(Settings, DefaultsThenUrlUserInfoThenEnvironmentThenFlags) {
    std::map<std::string, std::string> env;
    EnvLookup lookup = [&](std::string_view name) -> std::optional<std::string> {
        auto it = env.find(std::string(name));
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    GlobalOptions globals;
    auto defaults = resolve_settings(globals, lookup);
    ASSERT_TRUE(defaults);
    EXPECT_EQ(defaults->url.display(), "http://127.0.0.1:15672");
    EXPECT_EQ(defaults->credentials.user, "guest");
    EXPECT_EQ(defaults->credentials.password, "guest");
    EXPECT_EQ(defaults->vhost, "/");

    env = {{"WARREN_URL", "http://bob:pw@h:1"}};
    auto from_url = resolve_settings(globals, lookup);
    ASSERT_TRUE(from_url);
    EXPECT_EQ(from_url->url.display(), "http://h:1");
    EXPECT_EQ(from_url->credentials.user, "bob");
    EXPECT_EQ(from_url->credentials.password, "pw");

    env = {{"WARREN_URL", "http://bob:pw@h:1"},
           {"WARREN_USER", "carol"},
           {"WARREN_PASSWORD", "cpw"},
           {"WARREN_VHOST", "staging"}};
    auto from_env = resolve_settings(globals, lookup);
    ASSERT_TRUE(from_env);
    EXPECT_EQ(from_env->credentials.user, "carol");
    EXPECT_EQ(from_env->credentials.password, "cpw");
    EXPECT_EQ(from_env->vhost, "staging");

    globals.url = "http://other:2";
    globals.user = "dave";
    globals.vhost = "/";
    auto from_flags = resolve_settings(globals, lookup);
    ASSERT_TRUE(from_flags);
    EXPECT_EQ(from_flags->url.display(), "http://other:2");
    EXPECT_EQ(from_flags->credentials.user, "dave");
    EXPECT_EQ(from_flags->credentials.password, "cpw");
    EXPECT_EQ(from_flags->vhost, "/");

    globals.url = "https://secure";
    auto https = resolve_settings(globals, lookup);
    ASSERT_TRUE(https);
    EXPECT_TRUE(https->url.tls);
    EXPECT_EQ(https->url.display(), "https://secure:443");
}

TEST(Settings, CacertAndInsecureFromFlagsOrEnvironment) {
    std::map<std::string, std::string> env;
    EnvLookup lookup = [&](std::string_view name) -> std::optional<std::string> {
        auto it = env.find(std::string(name));
        return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    auto parsed = parse({"--url", "https://h", "--cacert", "flag.pem", "overview"});
    ASSERT_TRUE(parsed);
    auto none = resolve_settings(GlobalOptions{}, lookup);
    ASSERT_TRUE(none);
    EXPECT_EQ(none->tls.ca_file, std::nullopt);
    EXPECT_FALSE(none->tls.insecure);

    env = {{"WARREN_CACERT", "env.pem"}};
    EXPECT_EQ(resolve_settings(GlobalOptions{}, lookup)->tls.ca_file, "env.pem");
    EXPECT_EQ(resolve_settings(parsed->globals, lookup)->tls.ca_file, "flag.pem"); // flag wins

    for (const char* on : {"1", "true", "yes"}) {
        env = {{"WARREN_INSECURE", on}};
        EXPECT_TRUE(resolve_settings(GlobalOptions{}, lookup)->tls.insecure) << on;
    }
    for (const char* off : {"0", "false", "no", ""}) {
        env = {{"WARREN_INSECURE", off}};
        EXPECT_FALSE(resolve_settings(GlobalOptions{}, lookup)->tls.insecure) << off;
    }
    env = {{"WARREN_INSECURE", "perhaps"}};
    auto bad = resolve_settings(GlobalOptions{}, lookup);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("WARREN_INSECURE"), std::string::npos);
    // The flag needs no variable, and beats one that says "perhaps".
    auto flag = parse({"overview", "--insecure"});
    ASSERT_TRUE(flag);
    EXPECT_TRUE(flag->globals.insecure);
    EXPECT_TRUE(resolve_settings(flag->globals, lookup)->tls.insecure);
    EXPECT_FALSE(parse({"--insecure=yes", "overview"}));
    EXPECT_FALSE(parse({"overview", "--cacert"}));
}

TEST(QueueArgument, NumericKnownArgumentsBecomeNumbers) {
    auto ttl = parse_queue_argument("x-message-ttl=60000");
    ASSERT_TRUE(ttl);
    EXPECT_EQ(ttl->first, "x-message-ttl");
    EXPECT_EQ(ttl->second, json::value(60000));
    EXPECT_FALSE(parse_queue_argument("x-max-length=1.5"));
    EXPECT_FALSE(parse_queue_argument("x-max-length="));
}

TEST(QueueArgument, StringAndBooleanArgumentsKeepTheirType) {
    EXPECT_EQ(parse_queue_argument("x-dead-letter-routing-key=42")->second, json::value("42"));
    EXPECT_EQ(parse_queue_argument("x-overflow=reject-publish")->second,
              json::value("reject-publish"));
    EXPECT_EQ(parse_queue_argument("x-single-active-consumer=true")->second, json::value(true));
    EXPECT_FALSE(parse_queue_argument("x-single-active-consumer=yes"));
    // Unknown keys: integers and booleans typed, the rest strings; '=' may appear in values.
    EXPECT_EQ(parse_queue_argument("custom=7")->second, json::value(7));
    EXPECT_EQ(parse_queue_argument("custom=false")->second, json::value(false));
    EXPECT_EQ(parse_queue_argument("custom=a=b")->second, json::value("a=b"));
    EXPECT_FALSE(parse_queue_argument("=v"));
}

} // namespace
} // namespace warren::ctl
