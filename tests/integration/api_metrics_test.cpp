// GET /metrics against the real binary: well-formed Prometheus text (every line parsed, HELP and
// TYPE once per family, histograms cumulative), values that follow publishes and gets, label
// escaping, and --metrics-auth.

#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"
#include "tests/integration/support/exposition.hpp"
#include "tests/integration/support/wait_until.hpp"
#include "tests/integration/support/ws_client.hpp"

namespace warren::test {
namespace {

const std::string kPersistent =
    R"({"properties":{"delivery_mode":2},"routing_key":"q","payload":"m","payload_encoding":"string"})";

// Scrapes without credentials and fails the test on any format error.
Exposition scrape(HttpClient& client) {
    HttpReply reply = client.get("/metrics", std::nullopt);
    EXPECT_EQ(reply.status, 200u) << reply.body;
    EXPECT_EQ(reply.header("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    Exposition parsed = parse_exposition(reply.body);
    for (const auto& error : parsed.errors) {
        ADD_FAILURE() << error;
    }
    return parsed;
}

TEST(ApiMetrics, OpenByDefaultAndWellFormed) {
    WarrenProcess warren;
    HttpClient client(warren.port());
    Exposition m = scrape(client);
    EXPECT_FALSE(m.samples.empty());
    // The families a dashboard needs are there from the start, typed as Prometheus expects.
    for (auto [family, type] : std::initializer_list<std::pair<std::string, std::string>>{
             {"warren_build_info", "gauge"},
             {"warren_connections", "gauge"},
             {"warren_consumers", "gauge"},
             {"warren_messages_ready", "gauge"},
             {"warren_messages_unacked", "gauge"},
             {"warren_alarms_memory_used_watermark", "gauge"},
             {"warren_alarms_free_disk_space_watermark", "gauge"},
             {"warren_process_resident_memory_bytes", "gauge"},
             {"warren_resident_memory_limit_bytes", "gauge"},
             {"warren_memory_budget_bytes", "gauge"},
             {"warren_store_commit_seconds", "histogram"},
             {"warren_store_commits_total", "counter"},
             {"warren_store_batches_total", "counter"},
             {"warren_global_messages_received_total", "counter"}}) {
        auto it = m.types.find(family);
        ASSERT_NE(it, m.types.end()) << family;
        EXPECT_EQ(it->second, type) << family;
        EXPECT_EQ(m.helps.count(family), 1u) << family;
    }
    EXPECT_EQ(m.value("warren_alarms_memory_used_watermark"), 0.0);
    EXPECT_GT(m.value("warren_process_resident_memory_bytes").value_or(0), 1e6);
    EXPECT_EQ(m.value("warren_memory_budget_bytes"), double(128 << 20));
    // The default exchanges are listed per vhost.
    EXPECT_EQ(m.value("warren_exchange_messages_published_in_total",
                      {{"vhost", "/"}, {"exchange", "amq.direct"}}),
              0.0);
}

TEST(ApiMetrics, ValuesFollowPublishesAndGets) {
    WarrenProcess warren;
    Api api(warren.port());
    ASSERT_EQ(api.put("/api/queues/%2F/q", R"({"durable":true})").status, 201u);
    const LabelSet q{{"vhost", "/"}, {"queue", "q"}};
    Exposition before = scrape(api.client());
    EXPECT_EQ(before.value("warren_queue_messages_ready", q), 0.0);
    const double commits_before = before.value("warren_store_commits_total").value_or(-1);

    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(api.post("/api/exchanges/%2F/amq.default/publish", kPersistent).status, 200u);
    }
    Exposition m = scrape(api.client());
    EXPECT_EQ(m.value("warren_queue_messages_ready", q), 3.0);
    EXPECT_EQ(m.value("warren_queue_messages", q), 3.0);
    EXPECT_EQ(m.value("warren_queue_messages_published_total", q), 3.0);
    EXPECT_EQ(m.value("warren_queue_consumers", q), 0.0);
    EXPECT_EQ(m.value("warren_messages_ready"), 3.0);
    EXPECT_EQ(m.value("warren_queues"), 1.0);
    EXPECT_EQ(
        m.value("warren_exchange_messages_published_in_total", {{"vhost", "/"}, {"exchange", ""}}),
        3.0);
    EXPECT_EQ(m.value("warren_global_messages_received_total"), 3.0);
    // Durable publishes were committed: the store's counters and histogram moved, and agree.
    const double commits = m.value("warren_store_commits_total").value_or(0);
    EXPECT_GT(commits, commits_before);
    EXPECT_GE(m.value("warren_store_batches_total").value_or(0), commits);
    const double count = m.value("warren_store_commit_seconds_count").value_or(-1);
    EXPECT_GE(count, 3.0);
    EXPECT_EQ(m.value("warren_store_commit_seconds_bucket", {{"le", "+Inf"}}), count);
    EXPECT_GT(m.value("warren_store_commit_seconds_sum").value_or(0), 0.0);

    auto got = api.post("/api/queues/%2F/q/get",
                        R"({"count":2,"ackmode":"ack_requeue_false","encoding":"auto"})");
    ASSERT_EQ(got.status, 200u) << got.body;
    m = scrape(api.client());
    EXPECT_EQ(m.value("warren_queue_messages_ready", q), 1.0);
    EXPECT_EQ(m.value("warren_queue_messages_get_total", q), 2.0);
    EXPECT_EQ(m.value("warren_messages_ready"), 1.0);
    EXPECT_EQ(m.value("warren_global_messages_delivered_total"), 2.0);
}

TEST(ApiMetrics, WebSocketConsumersAndConnectionsAreCounted) {
    WarrenProcess warren;
    Api api(warren.port());
    ASSERT_EQ(api.put("/api/queues/%2F/q", R"({"durable":true})").status, 201u);
    for (int i = 0; i < 2; ++i) {
        ASSERT_EQ(api.post("/api/exchanges/%2F/amq.default/publish", kPersistent).status, 200u);
    }
    WsClient ws(warren.port());
    ws.send_text(R"({"op":"subscribe","id":"s1","queue":"q"})");
    ws.expect("subscribed");
    const LabelSet q{{"vhost", "/"}, {"queue", "q"}};
    Exposition m;
    EXPECT_TRUE(wait_until([&] {
        m = scrape(api.client());
        return m.value("warren_queue_messages_unacked", q) == 2.0;
    })) << "unacked: "
        << m.value("warren_queue_messages_unacked", q).value_or(-1);
    EXPECT_EQ(m.value("warren_queue_consumers", q), 1.0);
    EXPECT_EQ(m.value("warren_consumers"), 1.0);
    EXPECT_EQ(m.value("warren_queue_messages_delivered_total", q), 2.0);
    EXPECT_EQ(m.value("warren_messages_unacked"), 2.0);
    EXPECT_EQ(m.value("warren_connections", {{"protocol", "websocket"}}), 1.0);
    EXPECT_GE(m.value("warren_connections", {{"protocol", "http"}}).value_or(0), 1.0);
    EXPECT_EQ(m.value("warren_channels"), 1.0);
}

TEST(ApiMetrics, QueueNamesAreEscapedInLabels) {
    WarrenProcess warren;
    Api api(warren.port());
    // The queue  we"ird\name  (a quote and a backslash).
    ASSERT_EQ(api.put("/api/queues/%2F/we%22ird%5Cname", R"({"durable":false})").status, 201u);
    ASSERT_EQ(api.post("/api/exchanges/%2F/amq.default/publish",
                       R"({"properties":{},"routing_key":"we\"ird\\name","payload":"m",)"
                       R"("payload_encoding":"string"})")
                  .status,
              200u);
    HttpReply reply = api.client().get("/metrics", std::nullopt);
    EXPECT_NE(reply.body.find(R"(warren_queue_messages_ready{vhost="/",queue="we\"ird\\name"} 1)"),
              std::string::npos)
        << reply.body.substr(0, 2000);
    Exposition m = parse_exposition(reply.body);
    EXPECT_TRUE(m.errors.empty()) << m.errors.front();
    EXPECT_EQ(m.value("warren_queue_messages_ready", {{"queue", "we\"ird\\name"}}), 1.0);
}

TEST(ApiMetrics, MemoryAlarmShowsAsOne) {
    WarrenProcess warren({"--memory-high-watermark", "1MB"});
    HttpClient client(warren.port());
    Exposition m;
    EXPECT_TRUE(wait_until([&] {
        m = scrape(client);
        return m.value("warren_alarms_memory_used_watermark") == 1.0;
    }));
    EXPECT_EQ(m.value("warren_resident_memory_limit_bytes"), 1e6);
    EXPECT_EQ(m.value("warren_alarms_free_disk_space_watermark"), 0.0);
}

TEST(ApiMetrics, MetricsAuthFlagRequiresCredentials) {
    WarrenProcess warren({"--metrics-auth"});
    HttpClient client(warren.port());
    HttpReply anonymous = client.get("/metrics", std::nullopt);
    expect_api_error(anonymous, 401, "not_authorized");
    EXPECT_FALSE(anonymous.header("WWW-Authenticate").empty());
    HttpReply wrong = client.get("/metrics", Credentials{"guest", "nope"});
    EXPECT_EQ(wrong.status, 401u);
    HttpReply authorized = client.get("/metrics");
    EXPECT_EQ(authorized.status, 200u);
    EXPECT_TRUE(parse_exposition(authorized.body).errors.empty());
    // The health checks stay open either way.
    EXPECT_EQ(client.get("/api/health/checks/alarms", std::nullopt).status, 200u);
}

TEST(ApiMetrics, MetricsAuthFromEnvironment) {
    WarrenProcess on({}, {{"WARREN_METRICS_AUTH", "true"}});
    HttpClient client(on.port());
    EXPECT_EQ(client.get("/metrics", std::nullopt).status, 401u);

    WarrenProcess off({}, {{"WARREN_METRICS_AUTH", "false"}});
    HttpClient open(off.port());
    EXPECT_EQ(open.get("/metrics", std::nullopt).status, 200u);

    auto bad = WarrenProcess::run_to_exit({"--metrics-auth=maybe"});
    EXPECT_EQ(bad.exit_code, 2) << bad.output;
    EXPECT_NE(bad.output.find("--metrics-auth"), std::string::npos) << bad.output;
}

} // namespace
} // namespace warren::test
