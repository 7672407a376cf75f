// render_metrics over a real Broker (in memory, fake clock): the numbers follow the broker, the
// text is well-formed, and 10 000 queues render in one fast pass.

#include <chrono>

#include <gtest/gtest.h>

#include "tests/integration/support/exposition.hpp"
#include "tests/unit/server/broker_fixture.hpp"
#include "web/handlers/monitoring.hpp"

namespace warren::web {
namespace {

using server::testing::BrokerTest;
using server::testing::RecordingSink;

class MetricsRender : public BrokerTest {
protected:
    test::Exposition scrape(std::function<std::optional<StoreMetrics>()> store = {}) {
        MetricsSources sources{facade, node, [] { return std::size_t{3}; }, std::move(store)};
        text = render_metrics(sources);
        auto parsed = test::parse_exposition(text);
        for (const auto& e : parsed.errors) {
            ADD_FAILURE() << e;
        }
        return parsed;
    }

    NodeInfo node{"warren@test", "warren@test", {}, std::nullopt};
    std::string text;
};

TEST_F(MetricsRender, QueueGaugesAndCountersFollowTheBroker) {
    declare_queue("q");
    send("q", "a");
    send("q", "b");
    send("q", "c");
    auto m = scrape();
    const test::LabelSet q{{"vhost", "/"}, {"queue", "q"}};
    EXPECT_EQ(m.value("warren_queue_messages_ready", q), 3.0);
    EXPECT_EQ(m.value("warren_queue_messages_published_total", q), 3.0);
    EXPECT_EQ(m.value("warren_queue_messages_unacked", q), 0.0);
    EXPECT_EQ(m.value("warren_messages_ready"), 3.0);
    EXPECT_EQ(m.value("warren_queues"), 1.0);
    EXPECT_EQ(m.value("warren_global_messages_received_total"), 3.0);
    EXPECT_EQ(
        m.value("warren_exchange_messages_published_in_total", {{"vhost", "/"}, {"exchange", ""}}),
        3.0);

    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "q", sink);
    ASSERT_EQ(sink.got.size(), 3u);
    ASSERT_TRUE(c->ack(sink.got[0].tag, false).has_value());
    m = scrape();
    EXPECT_EQ(m.value("warren_queue_messages_ready", q), 0.0);
    EXPECT_EQ(m.value("warren_queue_messages_unacked", q), 2.0);
    EXPECT_EQ(m.value("warren_queue_messages", q), 2.0);
    EXPECT_EQ(m.value("warren_queue_consumers", q), 1.0);
    EXPECT_EQ(m.value("warren_queue_messages_delivered_total", q), 3.0);
    EXPECT_EQ(m.value("warren_queue_messages_acked_total", q), 1.0);
    EXPECT_EQ(m.value("warren_consumers"), 1.0);
    // 3 TCP sessions, one of them this WebSocket-style connection.
    EXPECT_EQ(m.value("warren_connections", {{"protocol", "websocket"}}), 1.0);
    EXPECT_EQ(m.value("warren_connections", {{"protocol", "http"}}), 2.0);
    EXPECT_EQ(m.value("warren_channels"), 1.0);
}

TEST_F(MetricsRender, AlarmsAreZeroOneGauges) {
    auto m = scrape();
    EXPECT_EQ(m.value("warren_alarms_memory_used_watermark"), 0.0);
    EXPECT_EQ(m.value("warren_alarms_free_disk_space_watermark"), 0.0);
    broker.set_alarm(server::Core::Alarm::disk, true, "disk alarm: test");
    m = scrape();
    EXPECT_EQ(m.value("warren_alarms_memory_used_watermark"), 0.0);
    EXPECT_EQ(m.value("warren_alarms_free_disk_space_watermark"), 1.0);
    EXPECT_EQ(m.value("warren_memory_budget_bytes"), double(broker.memory_budget()));
}

TEST_F(MetricsRender, StoreHistogramIsCumulative) {
    auto m = scrape([] {
        StoreMetrics s;
        s.commits = 7;
        s.batches = 9;
        s.commit_buckets = {{0.00025, 4}, {0.0005, 1}, {0.001, 0}};
        s.commit_count = 7; // 2 past the last bound
        s.commit_seconds_sum = 0.125;
        return std::optional(s);
    });
    EXPECT_EQ(m.types.at("warren_store_commit_seconds"), "histogram");
    EXPECT_EQ(m.value("warren_store_commit_seconds_bucket", {{"le", "0.00025"}}), 4.0);
    EXPECT_EQ(m.value("warren_store_commit_seconds_bucket", {{"le", "0.0005"}}), 5.0);
    EXPECT_EQ(m.value("warren_store_commit_seconds_bucket", {{"le", "0.001"}}), 5.0);
    EXPECT_EQ(m.value("warren_store_commit_seconds_bucket", {{"le", "+Inf"}}), 7.0);
    EXPECT_EQ(m.value("warren_store_commit_seconds_count"), 7.0);
    EXPECT_EQ(m.value("warren_store_commit_seconds_sum"), 0.125);
    EXPECT_EQ(m.value("warren_store_commits_total"), 7.0);
    EXPECT_EQ(m.value("warren_store_batches_total"), 9.0);
}

TEST_F(MetricsRender, WithoutAStoreThereAreNoStoreFamilies) {
    auto m = scrape();
    EXPECT_EQ(m.types.count("warren_store_commit_seconds"), 0u);
    EXPECT_EQ(m.value("warren_build_info", {{"version", WARREN_VERSION}}), 1.0);
}

TEST_F(MetricsRender, TenThousandQueuesRenderFast) {
    for (int i = 0; i < 10000; ++i) {
        declare_queue("queue-" + std::to_string(i));
    }
    send("queue-42", "x");
    const auto start = std::chrono::steady_clock::now();
    MetricsSources sources{facade, node, {}, {}};
    const std::string out = render_metrics(sources);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
    std::cout << "render_metrics, 10 000 queues: " << ms << " ms, " << out.size() << " bytes\n";
    // A generous bound for debug and sanitizer builds on a loaded 2-core machine; a release
    // build takes a few milliseconds.
    EXPECT_LT(ms, 1500);
    auto m = test::parse_exposition(out);
    EXPECT_TRUE(m.errors.empty()) << m.errors.front();
    EXPECT_EQ(m.count("warren_queue_messages_ready"), 10000u);
    EXPECT_EQ(m.value("warren_queue_messages_ready", {{"queue", "queue-42"}}), 1.0);
    EXPECT_EQ(m.value("warren_queues"), 10000.0);
}

} // namespace
} // namespace warren::web
