// Deduplication and the consistent-hash exchange against the real binary, as a user meets them:
// the duplicate answer over HTTP (message_id and Idempotency-Key) and WebSocket, inside a batch,
// across kill -9, window expiry by TTL and by size, the counters, bad arguments as 400s; a
// consistent-hash ring that spreads keys by weight and keeps every key's queue across a restart.

#include <map>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api.hpp"
#include "support/ws_client.hpp"

namespace warren::test {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

std::string publish_body(const std::string& routing_key, const std::string& message_id,
                         const std::string& payload) {
    json::object properties{{"delivery_mode", 2}};
    if (!message_id.empty()) {
        properties["message_id"] = message_id;
    }
    return json::serialize(json::object{{"properties", properties},
                                        {"routing_key", routing_key},
                                        {"payload", payload},
                                        {"payload_encoding", "string"}});
}

class OrderAndOnce : public ::testing::Test {
protected:
    HttpReply publish(const std::string& exchange, const std::string& body,
                      const std::string& idempotency_key = {}) {
        Headers headers{{"Content-Type", "application/json"}};
        if (!idempotency_key.empty()) {
            headers.push_back({"Idempotency-Key", idempotency_key});
        }
        return api_.client().request(http::verb::post,
                                     "/api/exchanges/%2F/" + exchange + "/publish", body, headers);
    }

    std::int64_t messages(const std::string& queue) {
        return api_.get_json("/api/queues/%2F/" + queue).at("messages").as_int64();
    }

    WarrenProcess server_;
    Api api_{server_.port()};
};

TEST_F(OrderAndOnce, AQueueAnswersADuplicateByMessageIdAndKeepsOneCopy) {
    ASSERT_EQ(api_.put("/api/queues/%2F/refunds",
                       R"({"durable":true,"arguments":{"x-message-deduplication":true}})")
                  .status,
              201u);
    auto first = publish("amq.default", publish_body("refunds", "refund-42", "10 EUR"));
    ASSERT_EQ(first.status, 200u) << first.body;
    EXPECT_EQ(first.json(), json::parse(R"({"routed":true})"));
    auto again = publish("amq.default", publish_body("refunds", "refund-42", "10 EUR"));
    ASSERT_EQ(again.status, 200u) << again.body;
    EXPECT_EQ(again.json(), json::parse(R"({"routed":true,"duplicate":true})"));
    EXPECT_EQ(messages("refunds"), 1);
    const auto q = api_.get_json("/api/queues/%2F/refunds");
    EXPECT_EQ(q.at("message_stats").at("duplicates"), 1);
    auto metrics = api_.get("/metrics").body;
    EXPECT_NE(metrics.find(R"(warren_queue_messages_duplicate_total{vhost="/",queue="refunds"} 1)"),
              std::string::npos);
}

TEST_F(OrderAndOnce, IdempotencyKeyWinsOnAnExchangeAndWorksInABatch) {
    ASSERT_EQ(api_.put("/api/exchanges/%2F/payments",
                       R"({"type":"direct","durable":true,)"
                       R"("arguments":{"x-message-deduplication":true}})")
                  .status,
              201u);
    ASSERT_EQ(api_.put("/api/queues/%2F/refunds", R"({"durable":true})").status, 201u);
    ASSERT_EQ(
        api_.post("/api/bindings/%2F/e/payments/q/refunds", R"({"routing_key":"refund"})").status,
        201u);
    // Two different message_ids, one Idempotency-Key: the header is the key.
    auto a = publish("payments", publish_body("refund", "m-1", "a"), "idem-7");
    auto b = publish("payments", publish_body("refund", "m-2", "b"), "idem-7");
    EXPECT_EQ(a.json(), json::parse(R"({"routed":true})"));
    EXPECT_EQ(b.json(), json::parse(R"({"routed":true,"duplicate":true})"));
    // A batch: the same message_id twice inside it, and one already seen.
    const std::string batch = "[" + publish_body("refund", "m-3", "c") + "," +
                              publish_body("refund", "m-3", "c") + "," +
                              publish_body("refund", "m-4", "d") + "]";
    auto answers = publish("payments", batch);
    ASSERT_EQ(answers.status, 200u) << answers.body;
    EXPECT_EQ(answers.json(), json::parse(R"([{"routed":true},{"routed":true,"duplicate":true},)"
                                          R"({"routed":true}])"));
    // A batch retried with its Idempotency-Key: each item is deduplicated on its own.
    const std::string pair =
        "[" + publish_body("refund", "", "e") + "," + publish_body("refund", "", "f") + "]";
    EXPECT_EQ(publish("payments", pair, "batch-1").json(),
              json::parse(R"([{"routed":true},{"routed":true}])"));
    EXPECT_EQ(
        publish("payments", pair, "batch-1").json(),
        json::parse(R"([{"routed":true,"duplicate":true},{"routed":true,"duplicate":true}])"));
    EXPECT_EQ(messages("refunds"), 5);
    const auto x = api_.get_json("/api/exchanges/%2F/payments");
    EXPECT_EQ(x.at("message_stats").at("duplicates"), 4);
}

TEST_F(OrderAndOnce, AWebSocketConfirmSaysDuplicate) {
    ASSERT_EQ(api_.put("/api/queues/%2F/q",
                       R"({"durable":true,"arguments":{"x-message-deduplication":true}})")
                  .status,
              201u);
    WsClient ws(server_.port());
    for (int i = 1; i <= 2; ++i) {
        ws.send(json::object{{"op", "publish"},
                             {"vhost", "/"},
                             {"exchange", ""},
                             {"routing_key", "q"},
                             {"payload", "hello"},
                             {"properties", {{"delivery_mode", 2}, {"message_id", "w-1"}}},
                             {"confirm", i}});
    }
    EXPECT_EQ(ws.expect("confirm"), json::parse(R"({"type":"confirm","confirm":1,"routed":true})"));
    EXPECT_EQ(ws.expect("confirm"),
              json::parse(R"({"type":"confirm","confirm":2,"routed":true,"duplicate":true})"));
    EXPECT_EQ(messages("q"), 1);
}

TEST_F(OrderAndOnce, TheWindowEndsByTtlAndBySize) {
    ASSERT_EQ(api_.put("/api/queues/%2F/short",
                       R"({"durable":true,"arguments":{"x-message-deduplication":true,)"
                       R"("x-cache-ttl":300}})")
                  .status,
              201u);
    ASSERT_EQ(api_.put("/api/queues/%2F/small",
                       R"({"durable":true,"arguments":{"x-message-deduplication":true,)"
                       R"("x-cache-size":2}})")
                  .status,
              201u);
    EXPECT_FALSE(publish("amq.default", publish_body("short", "k", "1"))
                     .json()
                     .as_object()
                     .contains("duplicate"));
    EXPECT_TRUE(publish("amq.default", publish_body("short", "k", "1"))
                    .json()
                    .as_object()
                    .contains("duplicate"));
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    EXPECT_FALSE(publish("amq.default", publish_body("short", "k", "1"))
                     .json()
                     .as_object()
                     .contains("duplicate"));
    for (const char* id : {"a", "b", "c"}) {
        publish("amq.default", publish_body("small", id, id));
    }
    EXPECT_FALSE(publish("amq.default", publish_body("small", "a", "a"))
                     .json()
                     .as_object()
                     .contains("duplicate")); // "a" left when "c" came
    EXPECT_TRUE(publish("amq.default", publish_body("small", "c", "c"))
                    .json()
                    .as_object()
                    .contains("duplicate"));
}

TEST_F(OrderAndOnce, ConfirmedKeysAreRecognisedAfterKillNine) {
    ASSERT_EQ(api_.put("/api/queues/%2F/refunds",
                       R"({"durable":true,"arguments":{"x-message-deduplication":true}})")
                  .status,
              201u);
    // A batch of 200 confirmed in one answer, then 50 single ones.
    std::string batch = "[";
    for (int i = 0; i < 200; ++i) {
        batch += (i ? "," : "") + publish_body("refunds", "r-" + std::to_string(i), "x");
    }
    batch += "]";
    ASSERT_EQ(publish("amq.default", batch).status, 200u);
    for (int i = 200; i < 250; ++i) {
        ASSERT_EQ(
            publish("amq.default", publish_body("refunds", "r-" + std::to_string(i), "x")).status,
            200u);
    }
    server_.kill9();
    server_.restart();
    Api after(server_.port());
    HttpClient& client = after.client();
    for (int i = 0; i < 250; ++i) {
        auto reply = client.request(http::verb::post, "/api/exchanges/%2F/amq.default/publish",
                                    publish_body("refunds", "r-" + std::to_string(i), "x"),
                                    {{"Content-Type", "application/json"}});
        ASSERT_EQ(reply.status, 200u) << reply.body;
        ASSERT_EQ(reply.json(), json::parse(R"({"routed":true,"duplicate":true})")) << "r-" << i;
    }
    EXPECT_EQ(after.get_json("/api/queues/%2F/refunds").at("messages"), 250);
}

TEST_F(OrderAndOnce, BadArgumentsAre400WithAReason) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/api/queues/%2F/q1",
         R"({"arguments":{"x-message-deduplication":true,"x-cache-ttl":-1}})"},
        {"/api/queues/%2F/q2", R"({"arguments":{"x-message-deduplication":"yes"}})"},
        {"/api/queues/%2F/q3", R"({"arguments":{"x-cache-size":100}})"},
        {"/api/queues/%2F/q4", R"({"arguments":{"x-group-by":"colour"}})"},
        {"/api/queues/%2F/q5",
         R"({"arguments":{"x-group-by":"header:k","x-group-max-in-flight":0}})"},
        {"/api/exchanges/%2F/x1",
         R"({"type":"direct","arguments":{"x-message-deduplication":true,"x-cache-size":"many"}})"},
        {"/api/exchanges/%2F/x2",
         R"({"type":"x-consistent-hash","arguments":{"hash-header":"a","hash-property":"type"}})"},
    };
    for (const auto& [path, body] : cases) {
        auto reply = api_.put(path, body);
        expect_api_error(reply, 400, "bad_request");
        SCOPED_TRACE(path + " " + body);
    }
    ASSERT_EQ(api_.put("/api/exchanges/%2F/ring", R"({"type":"x-consistent-hash"})").status, 201u);
    ASSERT_EQ(api_.put("/api/queues/%2F/q", "{}").status, 201u);
    auto bad_weight = api_.post("/api/bindings/%2F/e/ring/q/q", R"({"routing_key":"heavy"})");
    expect_api_error(bad_weight, 400, "bad_request");
    EXPECT_NE(bad_weight.body.find("weight"), std::string::npos) << bad_weight.body;
}

TEST_F(OrderAndOnce, AConsistentHashRingSpreadsByWeightAndKeepsKeysAcrossARestart) {
    ASSERT_EQ(api_.put("/api/exchanges/%2F/ring", R"({"type":"x-consistent-hash","durable":true})")
                  .status,
              201u);
    const std::map<std::string, int> weights{{"q1", 1}, {"q2", 2}, {"q3", 1}};
    for (const auto& [queue, weight] : weights) {
        ASSERT_EQ(api_.put("/api/queues/%2F/" + queue, R"({"durable":true})").status, 201u);
        ASSERT_EQ(api_.post("/api/bindings/%2F/e/ring/q/" + queue,
                            R"({"routing_key":")" + std::to_string(weight) + R"("})")
                      .status,
                  201u);
    }
    std::string batch = "[";
    for (int i = 0; i < 4000; ++i) {
        batch += (i ? "," : "") + publish_body("order-" + std::to_string(i), "", "x");
    }
    batch += "]";
    ASSERT_EQ(publish("ring", batch).status, 200u);
    for (const auto& [queue, weight] : weights) {
        const double expected = 4000.0 * weight / 4;
        EXPECT_NEAR(static_cast<double>(messages(queue)), expected, expected * 0.15) << queue;
    }
    // Where do a few keys go now? Each publish lands in exactly one queue.
    auto landing = [&](Api& api, const std::string& key) {
        std::map<std::string, std::int64_t> before;
        for (const auto& [queue, weight] : weights) {
            before[queue] = api.get_json("/api/queues/%2F/" + queue).at("messages").as_int64();
        }
        auto reply = api.post("/api/exchanges/%2F/ring/publish", publish_body(key, "", "x"));
        EXPECT_EQ(reply.status, 200u);
        for (const auto& [queue, weight] : weights) {
            if (api.get_json("/api/queues/%2F/" + queue).at("messages").as_int64() >
                before[queue]) {
                return queue;
            }
        }
        return std::string("nowhere");
    };
    std::map<std::string, std::string> placed;
    for (const char* key : {"customer-1", "customer-2", "customer-3", "customer-4"}) {
        placed[key] = landing(api_, key);
    }
    server_.kill9();
    server_.restart();
    Api after(server_.port());
    for (const auto& [key, queue] : placed) {
        EXPECT_EQ(landing(after, key), queue) << key;
    }
}

} // namespace
} // namespace warren::test
