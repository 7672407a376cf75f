// warren-perf against the real warren: a short run over each protocol (WebSocket, HTTP, AMQP
// 0-9-1), whose own counts must agree with each other (sent = confirmed = received = acked) and
// with the broker's counters for the queue (message_stats publish = deliver_get = ack, and the
// queue empty at the end); and a broker that is not there, or that refuses what the run asks, is
// a clear failure with a non-zero exit.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/child_process.hpp"
#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/raw_amqp.hpp"
#include "tests/integration/support/wait_until.hpp"
#include "tests/integration/support/warren_process.hpp"

#ifndef WARREN_PERF_BINARY
#error "WARREN_PERF_BINARY must name the built warren-perf executable"
#endif

namespace warren::test {
namespace {

namespace json = boost::json;

struct PerfRun {
    int exit_code = -1;
    std::string out; // stdout; its per-second lines and errors went to stderr (the test log)
};

// Runs warren-perf with `args` to its end (killed after two minutes: a hung run fails the test
// with 137 instead of hanging it).
PerfRun run_perf(const std::vector<std::string>& args) {
    ChildProcess perf(ChildOptions{.program = WARREN_PERF_BINARY,
                                   .args = args,
                                   .env = {},
                                   .stdin_pipe = false,
                                   .err_output = ErrOutput::inherited,
                                   .working_dir = {}});
    auto code = perf.wait_exit(std::chrono::minutes(2));
    if (!code) {
        perf.kill();
    }
    perf.wait_output_closed();
    return PerfRun{code.value_or(perf.exit_code().value_or(-1)), perf.out()};
}

std::uint64_t as_count(const json::value& v) {
    return v.is_uint64() ? v.as_uint64() : static_cast<std::uint64_t>(v.as_int64());
}

class WarrenPerf : public ::testing::Test {
protected:
    WarrenPerf() = default;
    explicit WarrenPerf(std::vector<std::string> warren_args) : warren(std::move(warren_args)) {}

    // Runs warren-perf against this test's warren with --json; returns its summary.
    json::object run_json(std::vector<std::string> args) {
        args.insert(args.begin(),
                    {"--url", "http://127.0.0.1:" + std::to_string(warren.port()), "--json"});
        PerfRun run = run_perf(args);
        EXPECT_EQ(run.exit_code, 0) << run.out;
        json::value summary;
        try {
            summary = json::parse(run.out);
        } catch (const std::exception& e) {
            ADD_FAILURE() << "not one JSON object: " << run.out;
            return {};
        }
        return summary.as_object();
    }

    // The summary's counts agree with each other and with the broker's view of `queue`.
    void expect_consistent(const json::object& summary, const std::string& queue,
                           std::uint64_t messages) {
        ASSERT_FALSE(summary.empty());
        EXPECT_EQ(summary.at("ok"), true) << json::serialize(summary);
        EXPECT_EQ(as_count(summary.at("sent")), messages) << json::serialize(summary);
        EXPECT_EQ(as_count(summary.at("confirmed")), messages);
        EXPECT_EQ(as_count(summary.at("received")), messages);
        EXPECT_EQ(as_count(summary.at("acked")), messages);
        EXPECT_EQ(as_count(summary.at("nacked")), 0u);
        EXPECT_EQ(as_count(summary.at("unroutable")), 0u);
        EXPECT_EQ(as_count(summary.at("latency").at("count")), messages);
        EXPECT_GT(summary.at("latency").at("p99_ms").as_double(), 0.0);

        HttpClient client(warren.port());
        json::value q;
        auto settled = [&] {
            q = client.get("/api/queues/%2F/" + queue).json();
            const auto* stats = q.as_object().if_contains("message_stats");
            return stats && stats->as_object().contains("ack") &&
                   as_count(stats->at("ack")) == messages && as_count(q.at("messages")) == 0;
        };
        EXPECT_TRUE(wait_until(settled)) << json::serialize(q);
        const json::value& stats = q.at("message_stats");
        EXPECT_EQ(as_count(stats.at("publish")), messages) << json::serialize(q);
        EXPECT_EQ(as_count(stats.at("deliver_get")), messages) << json::serialize(q);
        EXPECT_EQ(as_count(stats.at("ack")), messages) << json::serialize(q);
        EXPECT_EQ(as_count(q.at("messages")), 0u) << json::serialize(q);
        EXPECT_EQ(q.at("durable"), true);
    }

    WarrenProcess warren;
};

TEST_F(WarrenPerf, WebSocketPublishersCountsAgreeWithTheBroker) {
    auto summary = run_json({"--transport", "ws", "--publishers", "2", "--consumers", "2",
                             "--pmessages", "1500", "--duration", "30", "--persistent", "--confirm",
                             "100", "--prefetch", "50", "--size", "256", "--queue", "perf-ws"});
    expect_consistent(summary, "perf-ws", 3000);
}

TEST_F(WarrenPerf, HttpPublishersAtAFixedRateThroughANamedExchange) {
    auto summary =
        run_json({"--transport", "http", "--publishers", "2", "--consumers", "1", "--pmessages",
                  "300", "--duration", "30", "--rate", "600", "--persistent", "--exchange",
                  "amq.direct", "--routing-key", "k1", "--queue", "perf-http"});
    expect_consistent(summary, "perf-http", 600);
    // 600 messages at 600 msg/s take about a second, not the moment an unpaced run would.
    EXPECT_GT(summary.at("publish_seconds").as_double(), 0.8);
    HttpClient client(warren.port());
    auto bindings = client.get("/api/queues/%2F/perf-http/bindings").json();
    bool bound = false;
    for (const auto& b : bindings.as_array()) {
        bound = bound || (b.at("source") == "amq.direct" && b.at("routing_key") == "k1");
    }
    EXPECT_TRUE(bound) << json::serialize(bindings);
}

TEST_F(WarrenPerf, HttpBatchesAndAutoAck) {
    auto summary = run_json({"--transport", "http", "--batch", "50", "--publishers", "1",
                             "--consumers", "1", "--pmessages", "1000", "--duration", "30",
                             "--auto-ack", "--size", "100", "--queue", "perf-batch"});
    ASSERT_FALSE(summary.empty());
    EXPECT_EQ(as_count(summary.at("sent")), 1000u);
    EXPECT_EQ(as_count(summary.at("confirmed")), 1000u);
    EXPECT_EQ(as_count(summary.at("received")), 1000u);
    HttpClient client(warren.port());
    json::value q;
    EXPECT_TRUE(wait_until([&] {
        q = client.get("/api/queues/%2F/perf-batch").json();
        return as_count(q.at("messages")) == 0;
    })) << json::serialize(q);
    EXPECT_EQ(as_count(q.at("message_stats").at("publish")), 1000u) << json::serialize(q);
}

// Issue 16's modes: group keys on a grouped queue, unique message ids on a deduplicating one.
// Every message is distinct, so nothing is a duplicate and the counts agree as before; the
// queue was declared with the arguments the modes need.
TEST_F(WarrenPerf, GroupsAndUniqueMessageIdsOnADeduplicatingGroupedQueue) {
    auto summary = run_json({"--transport",  "ws",
                             "--publishers", "2",
                             "--consumers",  "2",
                             "--pmessages",  "1000",
                             "--duration",   "30",
                             "--persistent", "--confirm",
                             "100",          "--prefetch",
                             "50",           "--groups",
                             "10",           "--message-id",
                             "unique",       "--dedup-window",
                             "5000",         "--queue",
                             "perf-groups"});
    expect_consistent(summary, "perf-groups", 2000);
    HttpClient client(warren.port());
    auto q = client.get("/api/queues/%2F/perf-groups").json();
    EXPECT_EQ(q.at("arguments"), json::parse(R"({"x-group-by":"header:g",)"
                                             R"("x-message-deduplication":true,)"
                                             R"("x-cache-size":5000})"));
    EXPECT_EQ(as_count(q.at("message_stats").at("duplicates")), 0u);
}

// Issue 17's modes: publishing to a stream (its consumers read from "next"), then replays that
// read it all again from the first offset and from an offset, with no publishers.
TEST_F(WarrenPerf, StreamPublishThenReplayFromFirstAndFromAnOffset) {
    auto published = run_json({"--queue-type", "stream", "--publishers", "1", "--consumers", "1",
                               "--pmessages", "2000", "--duration", "30", "--persistent",
                               "--confirm", "100", "--queue", "perf-stream"});
    ASSERT_FALSE(published.empty());
    EXPECT_EQ(published.at("queue_type"), "stream");
    EXPECT_EQ(as_count(published.at("confirmed")), 2000u);
    EXPECT_EQ(as_count(published.at("received")), 2000u);
    HttpClient client(warren.port());
    auto summary = client.get("/api/streams/%2F/perf-stream").json();
    EXPECT_EQ(as_count(summary.at("messages")), 2000u) << "reading kept every message";

    auto replay = run_json({"--replay", "--consumers", "2", "--queue", "perf-stream"});
    ASSERT_FALSE(replay.empty());
    EXPECT_EQ(replay.at("replay"), true);
    EXPECT_EQ(as_count(replay.at("sent")), 0u);
    EXPECT_EQ(as_count(replay.at("received")), 4000u) << "each consumer read all 2000";
    EXPECT_EQ(as_count(replay.at("redelivered")), 0u);

    auto tail =
        run_json({"--replay", "--stream-offset", "1500", "--auto-ack", "--queue", "perf-stream"});
    ASSERT_FALSE(tail.empty());
    EXPECT_EQ(as_count(tail.at("received")), 500u);
}

// The same warren with its AMQP listener on (the support fixture leaves it off).
class WarrenPerfAmqp : public WarrenPerf {
protected:
    WarrenPerfAmqp() : WarrenPerfAmqp(free_port()) {}
    explicit WarrenPerfAmqp(std::uint16_t port)
        : WarrenPerf({"--amqp-port", std::to_string(port)}),
          amqp_url("amqp://127.0.0.1:" + std::to_string(port)) {}

    std::string amqp_url;
};

// --protocol amqp: the queue declared, published to (confirm.select, persistent) and consumed
// (basic.qos, basic.consume, an ack per delivery) over AMQP 0-9-1; about two seconds at the
// rate. Every message sent is confirmed and received, and the broker counted the same.
TEST_F(WarrenPerfAmqp, AmqpPublishersAndConsumersCountsAgreeWithTheBroker) {
    auto summary = run_json(
        {"--protocol",  "amqp",    "--amqp-url",   amqp_url,    "--publishers", "2",
         "--consumers", "2",       "--pmessages",  "2000",      "--duration",   "30",
         "--rate",      "2000",    "--persistent", "--confirm", "100",          "--prefetch",
         "50",          "--queue", "perf-amqp"});
    expect_consistent(summary, "perf-amqp", 4000);
    EXPECT_EQ(summary.at("transport"), "amqp");
    EXPECT_EQ(as_count(summary.at("confirm_latency").at("count")), 4000u);
}

// A broker's refusal (channel.close 404 NOT_FOUND on queue.bind; the reply goes to stderr) ends
// the run at once with exit 1, rather than a wait for an answer that will not come.
TEST_F(WarrenPerfAmqp, ABrokerRefusalIsAClearFailure) {
    PerfRun run = run_perf({"--protocol", "amqp", "--amqp-url", amqp_url, "--exchange",
                            "no-such-exchange", "--duration", "5", "--json"});
    EXPECT_EQ(run.exit_code, 1) << run.out;
}

TEST(WarrenPerfErrors, NoBrokerIsAClearFailure) {
    // Port 1 on loopback: nothing listens there (connection refused).
    PerfRun run = run_perf({"--url", "http://127.0.0.1:1", "--pmessages", "10", "--json"});
    EXPECT_EQ(run.exit_code, 1) << run.out;
}

TEST(WarrenPerfErrors, BadFlagsAreAUsageError) {
    EXPECT_EQ(run_perf({"--transport", "carrier-pigeon"}).exit_code, 2);
    EXPECT_EQ(run_perf({"--batch", "5", "--transport", "ws"}).exit_code, 2);
    EXPECT_EQ(run_perf({"--queue-type", "quorum"}).exit_code, 2);
    EXPECT_EQ(run_perf({"--replay", "--stream-offset", "next"}).exit_code, 2);
    EXPECT_EQ(run_perf({"--stream-offset", "first"}).exit_code, 2); // a classic queue
    EXPECT_EQ(run_perf({"--queue-type", "stream", "--groups", "4"}).exit_code, 2);
    // --replay needs warren's HTTP API; TLS is not spoken; the AMQP URL is for AMQP runs only.
    EXPECT_EQ(run_perf({"--protocol", "amqp", "--replay"}).exit_code, 2);
    EXPECT_EQ(run_perf({"--protocol", "amqp", "--amqp-url", "amqps://127.0.0.1"}).exit_code, 2);
    EXPECT_EQ(run_perf({"--amqp-url", "amqp://127.0.0.1:5672"}).exit_code, 2);
}

} // namespace
} // namespace warren::test
