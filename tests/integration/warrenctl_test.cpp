// warrenctl against the real server: the Kafka-style quickstart as a person types it (create,
// bind, describe, a console consumer started first, a console producer fed line by line through
// a pipe), every exit code of DESIGN.md 5, the JSON output, and the WARREN_* variables.

#include <algorithm>
#include <csignal>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"
#include "tests/integration/support/ctl_process.hpp"
#include "tests/integration/support/wait_until.hpp"
#include "tests/integration/support/warren_process.hpp"

namespace warren::test {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class WarrenctlTest : public ::testing::Test {
protected:
    std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()); }

    // warrenctl --url <server> args...
    CtlResult ctl(std::vector<std::string> args, const EnvVars& env = {},
                  std::string_view input = {}) {
        args.insert(args.begin(), {"--url", url()});
        return run_ctl(args, env, input);
    }
    std::unique_ptr<CtlProcess> start(std::vector<std::string> args, const EnvVars& env = {}) {
        args.insert(args.begin(), {"--url", url()});
        return std::make_unique<CtlProcess>(args, env);
    }
    // ctl() that must succeed.
    std::string ok(std::vector<std::string> args) {
        CtlResult r = ctl(args);
        EXPECT_EQ(r.exit_code, 0) << "stdout: " << r.out << "\nstderr: " << r.err;
        return r.out;
    }
    json::value ok_json(std::vector<std::string> args) {
        args.insert(args.begin(), "--json");
        std::string out = ok(args);
        EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out; // one line
        return json::parse(out);
    }
    std::int64_t consumers_of(const std::string& queue) {
        auto q = api_.get_json("/api/queues/%2F/" + queue);
        return q.is_object() && q.as_object().contains("consumers")
                   ? q.at("consumers").to_number<std::int64_t>()
                   : -1;
    }
    std::int64_t messages_in(const std::string& queue) {
        auto q = api_.get_json("/api/queues/%2F/" + queue);
        return q.at("messages").to_number<std::int64_t>();
    }

    WarrenProcess server_;
    Api api_{server_.port()};
};

// One line on stderr, "warrenctl: " first.
void expect_one_error_line(const CtlResult& r, std::string_view contains) {
    EXPECT_TRUE(r.err.starts_with("warrenctl: ")) << r.err;
    EXPECT_NE(r.err.find(contains), std::string::npos) << r.err;
}

TEST_F(WarrenctlTest, QuickstartConsoleProducerToConsoleConsumerInOrderWithUtf8) {
    EXPECT_EQ(ok({"exchange", "create", "orders", "--type", "topic"}),
              "exchange 'orders' created\n");
    EXPECT_EQ(ok({"queue", "create", "order-events"}), "queue 'order-events' created\n");
    ok({"bind", "orders", "order-events", "--key", "order.*"});
    const std::string described = ok({"exchange", "describe", "orders"});
    EXPECT_NE(described.find("topic"), std::string::npos) << described;
    EXPECT_NE(described.find("order-events"), std::string::npos) << described;
    EXPECT_NE(described.find("order.*"), std::string::npos) << described;

    // The console consumer, started first, as in the Kafka quickstart.
    auto consumer = start({"consume", "order-events"});
    ASSERT_TRUE(wait_until([&] { return consumers_of("order-events") == 1; })) << consumer->err();

    // The console producer reads a pipe; each line goes out as it is typed (no EOF yet).
    auto producer = start({"publish", "orders", "order.created"});
    const std::vector<std::string> lines = {
        "first order", "zweite Bestellung: Grüße, ½ kg Äpfel", "注文 ✓ 🚀", "", "  spaces kept  ",
    };
    std::string expected;
    for (const auto& line : lines) {
        producer->write_stdin(line + "\n");
        expected += line + "\n";
        // The consumer prints it before the next line is typed.
        ASSERT_TRUE(consumer->wait_for_out(expected)) << "consumer printed:\n"
                                                      << consumer->out() << "\nproducer stderr:\n"
                                                      << producer->err();
    }
    producer->write_stdin("last line without newline");
    producer->close_stdin();
    ASSERT_EQ(producer->wait_exit(), 0) << producer->err();
    expected += "last line without newline\n";
    ASSERT_TRUE(consumer->wait_for_out(expected)) << consumer->out();

    consumer->signal(SIGINT);
    EXPECT_EQ(consumer->wait_exit(), 0) << consumer->err();
    EXPECT_EQ(consumer->out(), expected);
    EXPECT_EQ(consumer->err(), "");
    EXPECT_EQ(producer->out(), "");
    EXPECT_EQ(messages_in("order-events"), 0);
    EXPECT_EQ(consumers_of("order-events"), 0);
}

TEST_F(WarrenctlTest, PublishedMessagesArePersistentAndDefinitionsDurable) {
    ok({"exchange", "create", "durable-x", "--type", "fanout"});
    ok({"exchange", "create", "transient-x", "--transient"});
    ok({"queue", "create", "kept"});
    ok({"bind", "durable-x", "kept"});
    ok({"publish", "durable-x", "", "one"});
    CtlResult piped = ctl({"publish", "durable-x", "any"}, {}, "two\nthree\n");
    ASSERT_EQ(piped.exit_code, 0) << piped.err;

    server_.kill9();
    server_.restart();
    Api after(server_.port());
    EXPECT_EQ(after.get("/api/exchanges/%2F/durable-x").status, 200u);
    EXPECT_EQ(after.get("/api/exchanges/%2F/transient-x").status, 404u);
    EXPECT_EQ(ok({"get", "kept", "--count", "10"}), "one\ntwo\nthree\n");
}

TEST_F(WarrenctlTest, ConsumeCountTakesExactlyNAndLeavesTheRestUntouched) {
    ok({"queue", "create", "work"});
    ASSERT_EQ(ctl({"publish", "", "work"}, {}, "m1\nm2\nm3\nm4\nm5\n").exit_code, 0);
    EXPECT_EQ(ok({"consume", "work", "--count", "2"}), "m1\nm2\n");
    EXPECT_EQ(messages_in("work"), 3);
    // None of the rest was delivered to the first consumer: they come out as first deliveries.
    CtlResult rest = ctl({"--json", "consume", "work", "--count", "3"});
    ASSERT_EQ(rest.exit_code, 0) << rest.err;
    EXPECT_EQ(std::count(rest.out.begin(), rest.out.end(), '\n'), 3) << rest.out;
    EXPECT_EQ(rest.out.find("\"redelivered\":true"), std::string::npos) << rest.out;
    EXPECT_NE(rest.out.find("\"payload\":\"m3\""), std::string::npos) << rest.out;
    EXPECT_EQ(messages_in("work"), 0);
}

TEST_F(WarrenctlTest, StreamReplayFromTheConsoleLikeKafkasConsoleConsumer) {
    // kafka-console-consumer --from-beginning, --offset, --group: their warren lines.
    ok({"queue", "create", "events", "--arg", "x-queue-type=stream"});
    ASSERT_EQ(ctl({"publish", "", "events"}, {}, "a\nb\nc\nd\n").exit_code, 0);
    EXPECT_EQ(ok({"consume", "events", "--from-beginning", "--count", "4"}), "a\nb\nc\nd\n");
    // Reading does not consume: again from offset 2, and from the last.
    EXPECT_EQ(ok({"consume", "events", "--from", "2", "--count", "2"}), "c\nd\n");
    EXPECT_EQ(ok({"consume", "events", "--from", "last", "--count", "1"}), "d\n");
    // A time in ms: from the first message appended at or after it.
    EXPECT_EQ(ok({"consume", "events", "--from", "1000000000000", "--count", "1"}), "a\n");
    // A named consumer goes on where its last run stopped, across a kill -9.
    EXPECT_EQ(ok({"consume", "events", "--from-beginning", "--name", "billing", "--count", "2"}),
              "a\nb\n");
    server_.kill9();
    server_.restart();
    EXPECT_EQ(ok({"consume", "events", "--name", "billing", "--count", "2"}), "c\nd\n");
    CtlResult json_line = ctl({"--json", "consume", "events", "--from", "3", "--count", "1"});
    ASSERT_EQ(json_line.exit_code, 0) << json_line.err;
    EXPECT_NE(json_line.out.find("\"offset\":3"), std::string::npos) << json_line.out;
    EXPECT_NE(json_line.out.find("\"timestamp\":"), std::string::npos) << json_line.out;
}

TEST_F(WarrenctlTest, TopicsAndGroupsFromTheConsoleLikeKafkaTopicsAndItsConsoleConsumer) {
    // kafka-topics --create/--describe/--list/--delete, kafka-console-producer,
    // kafka-console-consumer --from-beginning and --group: their warren lines.
    EXPECT_NE(ok({"topic", "create", "topic-a", "--partitions", "1"})
                  .find("topic 'topic-a' created with 1 partition"),
              std::string::npos);
    ASSERT_EQ(ctl({"publish", "topic-a", "key1"}, {}, "a\nb\nc\n").exit_code, 0);
    EXPECT_EQ(ok({"consume", "topic-a", "--from-beginning", "--count", "3"}), "a\nb\nc\n");
    // A group stores its offset: the next run goes on after what the last one printed.
    EXPECT_EQ(ok({"consume", "topic-a", "--group", "g1", "--from-beginning", "--count", "2"}),
              "a\nb\n");
    EXPECT_EQ(ok({"consume", "topic-a", "--group", "g1", "--count", "1"}), "c\n");
    const std::string described = ok({"topic", "describe", "topic-a"});
    EXPECT_NE(described.find("Partitions: 1"), std::string::npos) << described;
    EXPECT_NE(described.find("topic-a-0"), std::string::npos) << described;
    EXPECT_NE(described.find("CONSUMER"), std::string::npos) << described;
    CtlResult as_json = ctl({"--json", "topic", "describe", "topic-a"});
    ASSERT_EQ(as_json.exit_code, 0) << as_json.err;
    const auto d = json::parse(as_json.out);
    const auto& partition = d.at("partitions").at(0);
    EXPECT_EQ(partition.at("last_offset"), 2);
    EXPECT_EQ(partition.at("consumers").at(0).at("name"), "g1");
    EXPECT_EQ(partition.at("consumers").at(0).at("offset"), 2);
    EXPECT_EQ(partition.at("consumers").at(0).at("lag"), 0);

    // Three partitions: a key stays in one; reading the topic without a group reads them all.
    ok({"topic", "create", "topic-b", "--partitions", "3", "--max-age", "7D", "--max-bytes",
        "1GB"});
    for (const char* key : {"k1", "k2", "k3", "k4", "k5", "k6"}) {
        ASSERT_EQ(ctl({"publish", "topic-b", key}, {}, std::string(key) + "\n").exit_code, 0);
    }
    std::string all = ok({"consume", "topic-b", "--from-beginning", "--count", "6"});
    std::vector<std::string> lines;
    for (std::size_t start = 0, nl; (nl = all.find('\n', start)) != std::string::npos;
         start = nl + 1) {
        lines.push_back(all.substr(start, nl - start));
    }
    std::sort(lines.begin(), lines.end());
    EXPECT_EQ(lines, (std::vector<std::string>{"k1", "k2", "k3", "k4", "k5", "k6"}));
    const std::string b = ok({"topic", "describe", "topic-b"});
    EXPECT_NE(b.find("x-max-age"), std::string::npos) << b;
    EXPECT_NE(b.find("1000000000"), std::string::npos) << b;
    const std::string listed = ok({"topic", "list"});
    EXPECT_NE(listed.find("topic-a"), std::string::npos) << listed;
    EXPECT_NE(listed.find("topic-b"), std::string::npos) << listed;

    // Mistakes are usage errors (exit 2) or not found (exit 3).
    EXPECT_EQ(ctl({"topic", "create", "t", "--partitions", "0"}).exit_code, 2);
    EXPECT_EQ(ctl({"topic", "create", "t", "--max-bytes", "lots"}).exit_code, 2);
    EXPECT_EQ(ctl({"consume", "topic-a", "--name", "n"}).exit_code, 2);
    ok({"queue", "create", "plain-stream", "--arg", "x-queue-type=stream"});
    EXPECT_EQ(ctl({"consume", "plain-stream", "--group", "g"}).exit_code, 2);
    EXPECT_EQ(ctl({"topic", "describe", "plain-stream"}).exit_code, 3);

    EXPECT_NE(ok({"topic", "delete", "topic-b"}).find("deleted with its 3 partitions"),
              std::string::npos);
    EXPECT_EQ(ctl({"topic", "describe", "topic-b"}).exit_code, 3);
    EXPECT_EQ(messages_in("topic-a-0"), 3);
}

TEST_F(WarrenctlTest, ConsumeJsonPrintsOneObjectPerMessage) {
    ok({"queue", "create", "work"});
    ASSERT_EQ(ctl({"publish", "", "work"}, {}, "m1\nm2\nm3\n").exit_code, 0);
    CtlResult r = ctl({"--json", "consume", "work", "--count", "3"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<json::object> frames;
    std::size_t start = 0;
    for (std::size_t nl; (nl = r.out.find('\n', start)) != std::string::npos; start = nl + 1) {
        frames.push_back(json::parse(r.out.substr(start, nl - start)).as_object());
    }
    ASSERT_EQ(frames.size(), 3u) << r.out;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        EXPECT_EQ(frames[i].at("payload"), json::value("m" + std::to_string(i + 1)));
        EXPECT_EQ(frames[i].at("redelivered"), json::value(false)) << "not delivered before";
        EXPECT_EQ(frames[i].at("routing_key"), json::value("work"));
        EXPECT_EQ(frames[i].at("properties").at("delivery_mode"), json::value(2));
        EXPECT_FALSE(frames[i].contains("type"));
    }
    EXPECT_EQ(messages_in("work"), 0);
}

TEST_F(WarrenctlTest, ConsumeAckRequeuesWhatWasNotPrintedOnSigterm) {
    ok({"queue", "create", "work"});
    auto consumer = start({"consume", "work", "--ack", "--prefetch", "1"});
    ASSERT_TRUE(wait_until([&] { return consumers_of("work") == 1; }));
    ASSERT_EQ(ctl({"publish", "", "work", "a"}).exit_code, 0);
    ASSERT_TRUE(consumer->wait_for_out("a\n"));
    // Printed means acked.
    ASSERT_TRUE(wait_until([&] { return messages_in("work") == 0; }));
    consumer->signal(SIGTERM);
    EXPECT_EQ(consumer->wait_exit(), 0) << consumer->err();
    EXPECT_EQ(consumer->out(), "a\n");
    ASSERT_EQ(ctl({"publish", "", "work", "b"}).exit_code, 0);
    EXPECT_EQ(messages_in("work"), 1);
}

TEST_F(WarrenctlTest, ConsumeFromAnExchangeWithABindingKey) {
    ok({"exchange", "create", "events", "--type", "topic"});
    auto consumer = start({"consume", "--exchange", "events", "--key", "user.*", "--count", "2"});
    ASSERT_TRUE(wait_until([&] {
        auto bindings = api_.get_json("/api/exchanges/%2F/events/bindings/source");
        return bindings.is_array() && bindings.as_array().size() == 1;
    })) << consumer->err();
    ASSERT_EQ(ctl({"publish", "events", "user.created", "alice"}).exit_code, 0);
    ASSERT_EQ(ctl({"publish", "events", "order.created", "not for us"}).exit_code, 0);
    ASSERT_EQ(ctl({"publish", "events", "user.deleted", "bob"}).exit_code, 0);
    EXPECT_EQ(consumer->wait_exit(), 0) << consumer->err();
    EXPECT_EQ(consumer->out(), "alice\nbob\n");
}

TEST_F(WarrenctlTest, BinaryLinesTravelAsBase64AndPrintAsTheirBytes) {
    ok({"queue", "create", "bin"});
    const std::string bytes = std::string("\xff\xfe\x00raw", 6);
    ASSERT_EQ(ctl({"publish", "", "bin"}, {}, bytes + "\n").exit_code, 0);
    auto got = api_.post("/api/queues/%2F/bin/get",
                         R"({"count":1,"ackmode":"ack_requeue_true","encoding":"auto"})");
    EXPECT_EQ(got.json().at(0).at("payload_encoding"), json::value("base64")) << got.body;
    EXPECT_EQ(ok({"consume", "bin", "--count", "1"}), bytes + "\n");
}

TEST_F(WarrenctlTest, QueueArgumentsAreTypedAndDescribeShowsThem) {
    ok({"queue", "create", "limited", "--arg", "x-max-length=2", "--arg",
        "x-overflow=reject-publish", "--arg", "x-single-active-consumer=true", "--arg",
        "x-dead-letter-exchange=dlx", "--arg", "x-dead-letter-routing-key=123"});
    json::value q = ok_json({"queue", "describe", "limited"});
    EXPECT_EQ(q.at("arguments"), json::parse(R"({"x-max-length":2,"x-overflow":"reject-publish",
        "x-single-active-consumer":true,"x-dead-letter-exchange":"dlx",
        "x-dead-letter-routing-key":"123"})"));
    EXPECT_EQ(q.at("durable"), json::value(true));
    EXPECT_TRUE(q.at("bindings").is_array());

    ok({"queue", "create", "temp", "--transient", "--auto-delete"});
    json::value t = ok_json({"queue", "describe", "temp"});
    EXPECT_EQ(t.at("durable"), json::value(false));
    EXPECT_EQ(t.at("auto_delete"), json::value(true));

    CtlResult bad = ctl({"queue", "create", "q", "--arg", "x-max-length=lots"});
    EXPECT_EQ(bad.exit_code, 2);
    expect_one_error_line(bad, "x-max-length wants an integer");
}

TEST_F(WarrenctlTest, JsonOutputParses) {
    json::value created = ok_json({"exchange", "create", "x1", "--type", "direct"});
    EXPECT_EQ(created, json::parse(R"({"exchange":"x1","vhost":"/","created":true})"));
    json::value again = ok_json({"exchange", "create", "x1", "--type", "direct"});
    EXPECT_EQ(again.at("created"), json::value(false));
    ok_json({"queue", "create", "q1"});
    json::value bound = ok_json({"bind", "x1", "q1", "--key", "k"});
    EXPECT_EQ(bound.at("routing_key"), json::value("k"));

    json::value exchanges = ok_json({"exchange", "list"});
    std::vector<std::string> names = names_of(exchanges);
    EXPECT_NE(std::find(names.begin(), names.end(), "x1"), names.end());
    json::value described = ok_json({"exchange", "describe", "x1"});
    EXPECT_EQ(described.at("type"), json::value("direct"));
    EXPECT_EQ(described.at("bindings").as_array().size(), 1u);
    EXPECT_EQ(described.at("bindings").at(0).at("destination"), json::value("q1"));

    json::value published = ok_json({"publish", "x1", "k", "hello"});
    EXPECT_EQ(published, json::parse(R"({"routed":true,"duplicate":false})"));
    json::value queues = ok_json({"queue", "list"});
    ASSERT_EQ(queues.as_array().size(), 1u);
    EXPECT_EQ(queues.at(0).at("messages"), json::value(1));
    json::value got = ok_json({"get", "q1", "--requeue"});
    EXPECT_EQ(got.at(0).at("payload"), json::value("hello"));
    json::value piped = json::parse(ctl({"--json", "publish", "x1", "k"}, {}, "a\nb\n").out);
    EXPECT_EQ(piped, json::parse(R"({"published":2,"routed":2,"duplicates":0})"));
    json::value bindings = ok_json({"binding", "list"});
    EXPECT_EQ(bindings.as_array().size(), 2u); // the default exchange's and x1 -> q1
    json::value overview = ok_json({"overview"});
    EXPECT_EQ(overview.at("product_name"), json::value("warren"));
    json::value purged = ok_json({"queue", "purge", "q1"});
    EXPECT_EQ(purged.at("purged"), json::value(true));
    EXPECT_EQ(messages_in("q1"), 0);
}

TEST_F(WarrenctlTest, UnbindRemovesTheBindingWithThatKey) {
    ok({"exchange", "create", "x", "--type", "direct"});
    ok({"queue", "create", "q"});
    ok({"bind", "x", "q", "--key", "a"});
    ok({"bind", "x", "q", "--key", "b"});
    ok({"unbind", "x", "q", "--key", "a"});
    json::value described = ok_json({"exchange", "describe", "x"});
    ASSERT_EQ(described.at("bindings").as_array().size(), 1u);
    EXPECT_EQ(described.at("bindings").at(0).at("routing_key"), json::value("b"));
    CtlResult again = ctl({"unbind", "x", "q", "--key", "a"});
    EXPECT_EQ(again.exit_code, 3);
    expect_one_error_line(again, "not_found: no binding from exchange 'x' to queue 'q'");

    ok({"exchange", "create", "y", "--type", "fanout"});
    ok({"bind", "x", "y", "--to-exchange", "--key", "e2e"});
    ok({"unbind", "x", "y", "--to-exchange", "--key", "e2e"});
    EXPECT_EQ(ok_json({"exchange", "describe", "x"}).at("bindings").as_array().size(), 1u);
}

TEST_F(WarrenctlTest, UnroutedPublishIsReportedOnStderr) {
    ok({"exchange", "create", "lonely", "--type", "direct"});
    CtlResult r = ctl({"publish", "lonely", "nobody", "hello"});
    EXPECT_EQ(r.exit_code, 0);
    expect_one_error_line(r, "not routed");
    CtlResult piped = ctl({"publish", "lonely", "nobody"}, {}, "a\nb\n");
    EXPECT_EQ(piped.exit_code, 0);
    expect_one_error_line(piped, "2 of 2 messages were not routed");
}

TEST_F(WarrenctlTest, UsageErrorsExitTwo) {
    const std::vector<std::vector<std::string>> cases = {
        {},
        {"frobnicate"},
        {"queue"},
        {"queue", "explode", "q"},
        {"queue", "create"},
        {"queue", "create", "a", "b"},
        {"queue", "create", "q", "--bogus"},
        {"queue", "create", "q", "--arg"},
        {"queue", "create", "q", "--arg", "novalue"},
        {"exchange", "create", "x", "--type", "sideways"},
        {"consume"},
        {"consume", "q", "--exchange", "x"},
        {"consume", "--exchange", "x", "--from-beginning"},
        {"consume", "s", "--from", "first", "--from-beginning"},
        {"consume", "s", "--from", "soon"},
        {"consume", "s", "--from", "-1"},
        {"consume", "q", "--count", "0"},
        {"consume", "q", "--count", "many"},
        {"get", "q", "--count", "-1"},
        {"users", "create", "alice"},
        {"publish", "x"},
        {"overview", "--json=yes"},
    };
    for (const auto& args : cases) {
        CtlResult r = ctl(args);
        std::string line;
        for (const auto& a : args) {
            line += a + " ";
        }
        EXPECT_EQ(r.exit_code, 2) << line << "\nstderr: " << r.err;
        EXPECT_TRUE(r.err.starts_with("warrenctl: ")) << line << r.err;
        EXPECT_EQ(r.out, "") << line;
    }
    CtlResult bad_url = run_ctl({"--url", "ftp://example", "overview"});
    EXPECT_EQ(bad_url.exit_code, 2);
    expect_one_error_line(bad_url, "unsupported scheme");
    CtlResult help = run_ctl({"--help"});
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_NE(help.out.find("exchange create NAME"), std::string::npos);
    EXPECT_NE(help.out.find("consume --exchange X"), std::string::npos);
    EXPECT_EQ(run_ctl({"queue", "--help"}).exit_code, 0);
    EXPECT_EQ(run_ctl({"--version"}).exit_code, 0);
}

TEST_F(WarrenctlTest, NotFoundExitsThreeWithOneClearLine) {
    ok({"exchange", "create", "x"});
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"queue", "describe", "nope"}, "warrenctl: not_found: no queue 'nope' in vhost '/'\n"},
        {{"queue", "delete", "nope"}, "warrenctl: not_found: no queue 'nope' in vhost '/'\n"},
        {{"queue", "purge", "nope"}, "warrenctl: not_found: no queue 'nope' in vhost '/'\n"},
        {{"get", "nope"}, "warrenctl: not_found: no queue 'nope' in vhost '/'\n"},
        {{"exchange", "describe", "nope"},
         "warrenctl: not_found: no exchange 'nope' in vhost '/'\n"},
        {{"exchange", "delete", "nope"}, "warrenctl: not_found: no exchange 'nope' in vhost '/'\n"},
        {{"bind", "x", "nope"}, "warrenctl: not_found: no queue 'nope' in vhost '/'\n"},
        {{"bind", "nope", "q"}, "warrenctl: not_found: no exchange 'nope' in vhost '/'\n"},
        {{"publish", "nope", "k", "body"},
         "warrenctl: not_found: no exchange 'nope' in vhost '/'\n"},
        {{"publish", "nope", "k"}, "warrenctl: not_found: no exchange 'nope' in vhost '/'\n"},
        {{"consume", "nope"}, "warrenctl: not_found: no queue 'nope' in vhost '/'\n"},
        {{"--vhost", "missing", "queue", "list"}, "warrenctl: not_found: no vhost 'missing'\n"},
    };
    for (const auto& [args, message] : cases) {
        CtlResult r = ctl(args);
        EXPECT_EQ(r.exit_code, 3) << args[0] << " " << args[1] << ": " << r.err;
        EXPECT_EQ(r.err, message) << args[0] << " " << args[1];
    }
}

TEST_F(WarrenctlTest, UnreachableServerExitsFour) {
    // A port nothing listens on: warren's own, after it stopped.
    const std::string dead = url();
    ASSERT_EQ(server_.stop(), 0);
    for (const auto& args : std::vector<std::vector<std::string>>{{"overview"},
                                                                  {"queue", "list"},
                                                                  {"consume", "q"},
                                                                  {"publish", "x", "k"},
                                                                  {"publish", "x", "k", "body"}}) {
        std::vector<std::string> full{"--url", dead};
        full.insert(full.end(), args.begin(), args.end());
        CtlResult r = run_ctl(full);
        EXPECT_EQ(r.exit_code, 4) << args[0] << ": " << r.err;
        expect_one_error_line(r, "cannot reach " + dead);
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
}

TEST_F(WarrenctlTest, OtherServerErrorsExitOne) {
    ok({"exchange", "create", "x", "--type", "topic"});
    // Redeclared with another type: RabbitMQ's 400.
    CtlResult redeclare = ctl({"exchange", "create", "x", "--type", "fanout"});
    EXPECT_EQ(redeclare.exit_code, 1);
    expect_one_error_line(redeclare, "warrenctl: bad_request: ");
    EXPECT_EQ(std::count(redeclare.err.begin(), redeclare.err.end(), '\n'), 1);
    // Reserved name: 403.
    CtlResult reserved = ctl({"exchange", "create", "amq.mine"});
    EXPECT_EQ(reserved.exit_code, 1);
    expect_one_error_line(reserved, "access_refused");
    // Wrong password: 401, over HTTP and on the WebSocket upgrade.
    CtlResult denied = ctl({"--password", "wrong", "overview"});
    EXPECT_EQ(denied.exit_code, 1);
    expect_one_error_line(denied, "not_authorized");
    ok({"queue", "create", "q"});
    CtlResult denied_ws = ctl({"--password", "wrong", "consume", "q"});
    EXPECT_EQ(denied_ws.exit_code, 1);
    expect_one_error_line(denied_ws, "not_authorized");
}

TEST_F(WarrenctlTest, EnvironmentVariablesSetServerCredentialsAndVhost) {
    ok({"vhost", "create", "staging"});
    const EnvVars env = {{"WARREN_URL", url()},
                         {"WARREN_USER", "guest"},
                         {"WARREN_PASSWORD", "guest"},
                         {"WARREN_VHOST", "staging"}};
    CtlResult created = run_ctl({"queue", "create", "in-staging"}, env);
    ASSERT_EQ(created.exit_code, 0) << created.err;
    EXPECT_EQ(api_.get("/api/queues/staging/in-staging").status, 200u);
    EXPECT_EQ(api_.get("/api/queues/%2F/in-staging").status, 404u);
    // A flag beats its variable.
    CtlResult flag = run_ctl({"--vhost", "/", "queue", "create", "in-root"}, env);
    ASSERT_EQ(flag.exit_code, 0) << flag.err;
    EXPECT_EQ(api_.get("/api/queues/%2F/in-root").status, 200u);
    // Wrong credentials from the environment are used (and refused).
    EnvVars wrong = env;
    wrong[2].second = "not-the-password";
    CtlResult refused = run_ctl({"queue", "list"}, wrong);
    EXPECT_EQ(refused.exit_code, 1);
    expect_one_error_line(refused, "not_authorized");
}

// Issue 16's flags: a grouped queue, a deduplicating queue, a consistent-hash exchange, and a
// publish with a message id whose second copy is reported as a duplicate.
TEST_F(WarrenctlTest, GroupsDedupAndConsistentHashFromTheCommandLine) {
    ok_json({"queue", "create", "orders", "--arg", "x-group-by=header:order_id", "--arg",
             "x-group-max-in-flight=2"});
    json::value orders = ok_json({"queue", "describe", "orders"});
    EXPECT_EQ(orders.at("arguments"),
              json::parse(R"({"x-group-by":"header:order_id","x-group-max-in-flight":2})"));
    ok_json({"queue", "create", "refunds", "--arg", "x-message-deduplication=true", "--arg",
             "x-cache-ttl=60000"});
    json::value first = ok_json({"publish", "", "refunds", "10 EUR", "--message-id", "refund-1"});
    EXPECT_EQ(first, json::parse(R"({"routed":true,"duplicate":false})"));
    json::value second = ok_json({"publish", "", "refunds", "10 EUR", "--message-id", "refund-1"});
    EXPECT_EQ(second, json::parse(R"({"routed":true,"duplicate":true})"));
    auto plain = ctl({"publish", "", "refunds", "10 EUR", "--message-id", "refund-1"});
    EXPECT_EQ(plain.exit_code, 0);
    EXPECT_NE(plain.err.find("duplicate"), std::string::npos) << plain.err;
    json::value piped = json::parse(
        ctl({"--json", "publish", "", "refunds", "--message-id", "refund-2"}, {}, "a\nb\n").out);
    EXPECT_EQ(piped, json::parse(R"({"published":2,"routed":2,"duplicates":1})"));
    EXPECT_EQ(messages_in("refunds"), 2);
    json::value ring = ok_json({"exchange", "create", "ring", "--type", "x-consistent-hash"});
    EXPECT_EQ(ring.at("created"), json::value(true));
    ok_json({"bind", "ring", "orders", "--key", "3"});
    auto bad = ctl({"bind", "ring", "refunds", "--key", "heavy"});
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.err.find("weight"), std::string::npos) << bad.err;
}

TEST_F(WarrenctlTest, UsersAndPermissionsRoundTrip) {
    EXPECT_EQ(ok({"users", "create", "alice", "--password", "pw", "--tags", "management"}),
              "user 'alice' created\n");
    json::value users = ok_json({"users", "list"});
    bool found = false;
    for (const auto& u : users.as_array()) {
        if (u.at("name") == json::value("alice")) {
            found = true;
            EXPECT_NE(json::serialize(u.at("tags")).find("management"), std::string::npos);
        }
    }
    EXPECT_TRUE(found) << users;
    ok({"permissions", "set", "alice", "--configure", "^alice-", "--write", "^alice-", "--read",
        ".*"});
    json::value perms = ok_json({"permissions", "list"});
    json::object alice_perms;
    for (const auto& p : perms.as_array()) {
        if (p.at("user") == json::value("alice")) {
            alice_perms = p.as_object();
        }
    }
    EXPECT_EQ(alice_perms.at("configure"), json::value("^alice-")) << perms;
    EXPECT_EQ(alice_perms.at("read"), json::value(".*")) << perms;

    // As alice: allowed where her regexes say, refused elsewhere (exit 1, one line).
    const std::vector<std::string> as_alice = {"--user", "alice", "--password", "pw"};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.begin(), as_alice.begin(), as_alice.end());
        return ctl(args);
    };
    EXPECT_EQ(with({"queue", "create", "alice-work"}).exit_code, 0);
    CtlResult refused = with({"queue", "create", "bob-work"});
    EXPECT_EQ(refused.exit_code, 1);
    expect_one_error_line(refused, "refused");
    ASSERT_EQ(ctl({"publish", "", "alice-work", "for alice"}).exit_code, 0);
    CtlResult consumed = with({"consume", "alice-work", "--count", "1"});
    EXPECT_EQ(consumed.exit_code, 0) << consumed.err;
    EXPECT_EQ(consumed.out, "for alice\n");

    // The login password goes before the command; after `users create` --password is the new
    // user's.
    CtlResult created = ctl({"--password", "guest", "users", "create", "bob", "--password", "bobpw",
                             "--tags", "administrator"});
    EXPECT_EQ(created.exit_code, 0) << created.err;
    json::value bob = ok_json({"--user", "bob", "--password", "bobpw", "whoami"});
    EXPECT_EQ(bob.at("name"), json::value("bob"));

    EXPECT_EQ(ok({"permissions", "clear", "alice"}),
              "permissions of 'alice' in vhost '/' cleared\n");
    EXPECT_EQ(ctl({"permissions", "clear", "alice"}).exit_code, 3);
    EXPECT_EQ(ctl({"permissions", "set", "nobody"}).exit_code, 3);
    EXPECT_EQ(ok({"users", "delete", "alice"}), "user 'alice' deleted\n");
    CtlResult gone = ctl({"users", "delete", "alice"});
    EXPECT_EQ(gone.exit_code, 3);
    EXPECT_EQ(gone.err, "warrenctl: not_found: no user 'alice'\n");
}

TEST_F(WarrenctlTest, DefinitionsExportAndImportIntoAnotherServer) {
    ok({"exchange", "create", "orders", "--type", "topic"});
    ok({"queue", "create", "order-events", "--arg", "x-max-length=10"});
    ok({"bind", "orders", "order-events", "--key", "order.*"});
    const std::string file = (server_.data_dir().parent_path() / "definitions.json").string();
    CtlResult exported = ctl({"definitions", "export", file});
    if (exported.exit_code == 3) {
        GTEST_SKIP() << "this server has no /api/definitions yet: " << exported.err;
    }
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    CtlResult to_stdout = ctl({"definitions", "export"});
    ASSERT_EQ(to_stdout.exit_code, 0);
    EXPECT_TRUE(json::parse(to_stdout.out).is_object());

    WarrenProcess other;
    const std::string other_url = "http://127.0.0.1:" + std::to_string(other.port());
    CtlResult imported = run_ctl({"--url", other_url, "definitions", "import", file});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    CtlResult described =
        run_ctl({"--url", other_url, "--json", "queue", "describe", "order-events"});
    ASSERT_EQ(described.exit_code, 0) << described.err;
    json::value q = json::parse(described.out);
    EXPECT_EQ(q.at("arguments").at("x-max-length"), json::value(10));
    ASSERT_EQ(q.at("bindings").as_array().size(), 2u); // default exchange + orders
    CtlResult bad = ctl({"definitions", "import", "/nonexistent/file.json"});
    EXPECT_EQ(bad.exit_code, 1);
}

TEST_F(WarrenctlTest, VhostsCanBeListedCreatedAndDeleted) {
    EXPECT_EQ(ok({"vhost", "create", "v1"}), "vhost 'v1' created\n");
    EXPECT_NE(ok({"vhost", "list"}).find("v1"), std::string::npos);
    EXPECT_EQ(ok({"vhost", "delete", "v1"}), "vhost 'v1' deleted\n");
    EXPECT_EQ(ctl({"vhost", "delete", "v1"}).exit_code, 3);
}

} // namespace
} // namespace warren::test
