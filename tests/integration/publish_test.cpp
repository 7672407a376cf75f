// POST /api/exchanges/{vhost}/{name}/publish and POST /api/queues/{vhost}/{name}/get against the
// real binary: shapes, encodings, batches, errors, and what survives a restart.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/warren_process.hpp"

namespace warren::test {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

class PublishTest : public ::testing::Test {
protected:
    void SetUp() override { client = std::make_unique<HttpClient>(warren.port()); }

    void declare_queue(const std::string& name, const std::string& body = R"({"durable":true})") {
        auto r = client->request(http::verb::put, "/api/queues/%2F/" + name, body);
        ASSERT_EQ(r.status, 201u) << r.body;
    }

    HttpReply publish(const std::string& exchange, const json::value& body) {
        return client->request(http::verb::post, "/api/exchanges/%2F/" + exchange + "/publish",
                               json::serialize(body));
    }

    static json::object message(std::string key, std::string payload,
                                json::object properties = {{"delivery_mode", 2}},
                                std::string encoding = "string") {
        return {{"properties", std::move(properties)},
                {"routing_key", std::move(key)},
                {"payload", std::move(payload)},
                {"payload_encoding", std::move(encoding)}};
    }

    json::array get(const std::string& queue, int count, const std::string& ackmode,
                    const std::string& encoding = "auto") {
        auto r =
            client->request(http::verb::post, "/api/queues/%2F/" + queue + "/get",
                            json::serialize(json::object{
                                {"count", count}, {"ackmode", ackmode}, {"encoding", encoding}}));
        EXPECT_EQ(r.status, 200u) << r.body;
        return r.status == 200 ? r.json().as_array() : json::array{};
    }

    WarrenProcess warren{{"--max-message-size", "4096"}};
    std::unique_ptr<HttpClient> client;
};

TEST_F(PublishTest, UnroutableIsRoutedFalse) {
    auto r = publish("amq.default", message("nobody", "x"));
    ASSERT_EQ(r.status, 200u);
    EXPECT_EQ(r.json(), json::parse(R"({"routed":false})"));
}

TEST_F(PublishTest, PublishedMessageCanBeReadBackWithItsProperties) {
    declare_queue("orders");
    json::object props{{"delivery_mode", 2},      {"content_type", "application/json"},
                       {"correlation_id", "c-1"}, {"priority", 3},
                       {"timestamp", 1700000000}, {"headers", {{"tenant", "acme"}, {"n", 7}}}};
    auto r = publish("amq.default", message("orders", R"({"id":1})", props));
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.json(), json::parse(R"({"routed":true})"));
    auto got = get("orders", 1, "ack_requeue_true");
    ASSERT_EQ(got.size(), 1u);
    const auto& m = got[0].as_object();
    EXPECT_EQ(m.at("payload"), R"({"id":1})");
    EXPECT_EQ(m.at("payload_encoding"), "string");
    EXPECT_EQ(m.at("payload_bytes"), 8);
    EXPECT_EQ(m.at("redelivered"), false);
    EXPECT_EQ(m.at("exchange"), "");
    EXPECT_EQ(m.at("routing_key"), "orders");
    EXPECT_EQ(m.at("message_count"), 0);
    EXPECT_EQ(m.at("properties"), props);
    // ack_requeue_true put it back: the next read is a redelivery.
    auto again = get("orders", 1, "ack_requeue_false");
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].at("redelivered"), true);
    EXPECT_EQ(again[0].at("properties").at("headers").at("x-delivery-count"), 1);
    EXPECT_TRUE(get("orders", 1, "ack_requeue_false").empty());
}

TEST_F(PublishTest, BinaryPayloadsRoundTripAsBase64) {
    declare_queue("bin");
    // "\x00\xff\x10hi" in base64
    ASSERT_EQ(publish("amq.default", message("bin", "AP8QaGk=", {}, "base64")).status, 200u);
    auto got = get("bin", 1, "ack_requeue_true");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].at("payload_encoding"), "base64");
    EXPECT_EQ(got[0].at("payload"), "AP8QaGk=");
    EXPECT_EQ(got[0].at("payload_bytes"), 5);
    // Text asked for as base64, and truncation.
    ASSERT_EQ(publish("amq.default", message("bin", "hello world", {})).status, 200u);
    auto r = client->request(http::verb::post, "/api/queues/%2F/bin/get",
                             R"({"count":"2","ackmode":"ack_requeue_false","encoding":"base64",)"
                             R"("truncate":5})");
    ASSERT_EQ(r.status, 200u) << r.body;
    auto items = r.json().as_array();
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[1].at("payload"), "aGVsbG8="); // "hello"
    EXPECT_EQ(items[1].at("payload_bytes"), 11);
}

TEST_F(PublishTest, BatchPublishIsOneRequestWithOneAnswerEach) {
    declare_queue("batch");
    json::array batch{message("batch", "1"), message("nowhere", "2"), message("batch", "3")};
    auto r = publish("amq.default", batch);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.json(), json::parse(R"([{"routed":true},{"routed":false},{"routed":true}])"));
    auto got = get("batch", 10, "ack_requeue_false");
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0].at("payload"), "1");
    EXPECT_EQ(got[1].at("payload"), "3");
}

TEST_F(PublishTest, ABadItemRejectsTheWholeBatch) {
    declare_queue("batch");
    json::array batch{message("batch", "1"), json::object{{"routing_key", "batch"}}};
    auto r = publish("amq.default", batch);
    EXPECT_EQ(r.status, 400u);
    EXPECT_NE(r.json().at("reason").as_string().find("batch item 1"), std::string::npos);
    EXPECT_TRUE(get("batch", 10, "ack_requeue_false").empty());
}

TEST_F(PublishTest, BadPublishesGetClearErrors) {
    declare_queue("q");
    struct Case {
        std::string exchange;
        std::string body;
        unsigned status;
    };
    const Case cases[] = {
        {"amq.default", "{not json", 400},
        {"amq.default", R"("a string")", 400},
        {"amq.default", R"({"routing_key":"q","payload":"x","payload_encoding":"string"})", 400},
        {"amq.default",
         R"({"properties":{},"routing_key":"q","payload":5,"payload_encoding":"string"})", 400},
        {"amq.default",
         R"({"properties":{},"routing_key":"q","payload":"x","payload_encoding":"hex"})", 400},
        {"amq.default",
         R"({"properties":{},"routing_key":"q","payload":"!!!","payload_encoding":"base64"})", 400},
        {"amq.default",
         R"({"properties":{"delivery_mode":"2"},"routing_key":"q","payload":"x","payload_encoding":"string"})",
         400},
        {"amq.default",
         R"({"properties":{"headers":[]},"routing_key":"q","payload":"x","payload_encoding":"string"})",
         400},
        {"amq.default",
         R"({"properties":{"user_id":"mallory"},"routing_key":"q","payload":"x","payload_encoding":"string"})",
         400},
        {"amq.default",
         R"({"properties":{"expiration":"soon"},"routing_key":"q","payload":"x","payload_encoding":"string"})",
         400},
        {"no-such-exchange",
         R"({"properties":{},"routing_key":"q","payload":"x","payload_encoding":"string"})", 404},
        {"amq.default",
         R"({"properties":{},"routing_key":"q","payload":")" + std::string(5000, 'x') +
             R"(","payload_encoding":"string"})",
         413},
        {"amq.default", "[]", 400},
    };
    for (const auto& c : cases) {
        auto r = client->request(http::verb::post, "/api/exchanges/%2F/" + c.exchange + "/publish",
                                 c.body);
        EXPECT_EQ(r.status, c.status) << c.body << " -> " << r.body;
        auto body = r.json();
        EXPECT_TRUE(body.as_object().contains("error")) << r.body;
        EXPECT_TRUE(body.as_object().contains("reason")) << r.body;
    }
    // Nothing got in, and the server still serves.
    EXPECT_TRUE(get("q", 10, "ack_requeue_false").empty());
    EXPECT_EQ(client->get("/api/overview").status, 200u);
    auto missing_vhost =
        client->request(http::verb::post, "/api/exchanges/nope/amq.default/publish",
                        json::serialize(message("q", "x")));
    EXPECT_EQ(missing_vhost.status, 404u);
}

TEST_F(PublishTest, FullQueueWithRejectPublishAnswersRejected) {
    declare_queue(
        "small",
        R"({"durable":true,"arguments":{"x-max-length":1,"x-overflow":"reject-publish"}})");
    ASSERT_EQ(publish("amq.default", message("small", "1")).status, 200u);
    auto r = publish("amq.default", message("small", "2"));
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.json().at("error"), "rejected");
}

TEST_F(PublishTest, BadGetRequestsGetClearErrors) {
    declare_queue("q");
    for (const char* body :
         {R"({"ackmode":"ack_requeue_true","encoding":"auto"})",
          R"({"count":1,"ackmode":"later","encoding":"auto"})",
          R"({"count":1,"ackmode":"ack_requeue_true","encoding":"hex"})",
          R"({"count":-1,"ackmode":"ack_requeue_true","encoding":"auto"})", "nope"}) {
        auto r = client->request(http::verb::post, "/api/queues/%2F/q/get", body);
        EXPECT_EQ(r.status, 400u) << body;
    }
    auto r = client->request(http::verb::post, "/api/queues/%2F/missing/get",
                             R"({"count":1,"ackmode":"ack_requeue_true","encoding":"auto"})");
    EXPECT_EQ(r.status, 404u);
}

TEST_F(PublishTest, PersistentMessagesSurviveARestartAndTransientOnesDoNot) {
    declare_queue("keep");
    ASSERT_EQ(publish("amq.default", message("keep", "durable")).status, 200u);
    ASSERT_EQ(publish("amq.default", message("keep", "fleeting", {{"delivery_mode", 1}})).status,
              200u);
    ASSERT_EQ(warren.stop(), 0);
    warren.restart();
    client = std::make_unique<HttpClient>(warren.port());
    auto got = get("keep", 10, "ack_requeue_false");
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].at("payload"), "durable");
}

} // namespace
} // namespace warren::test
