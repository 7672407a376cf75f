// /api/queues against the real binary: item shape, PUT 201/204/400, arguments validated by the
// broker, exclusive refused over HTTP, DELETE with if-empty / if-unused, purge, the bindings
// sub-resource, and counters after publish and get.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"

namespace warren::test {
namespace {

namespace json = boost::json;

const std::string kMessage =
    R"({"properties":{"delivery_mode":2},"routing_key":"q","payload":"hello","payload_encoding":"string"})";

class ApiQueues : public ::testing::Test {
protected:
    void publish_to_q(int n) {
        for (int i = 0; i < n; ++i) {
            auto r = api_.post("/api/exchanges/%2F/amq.default/publish", kMessage);
            ASSERT_EQ(r.status, 200u) << r.body;
        }
    }

    WarrenProcess server_;
    Api api_{server_.port()};
};

TEST_F(ApiQueues, PutCreatesAndGetShowsRabbitMqFields) {
    auto created =
        api_.put("/api/queues/%2F/q",
                 R"({"durable":true,"auto_delete":false,"arguments":{"x-max-length":10}})");
    ASSERT_EQ(created.status, 201u) << created.body;
    json::object q = api_.get_json("/api/queues/%2F/q").as_object();
    EXPECT_EQ(q.at("name"), "q");
    EXPECT_EQ(q.at("vhost"), "/");
    EXPECT_EQ(q.at("durable"), true);
    EXPECT_EQ(q.at("auto_delete"), false);
    EXPECT_EQ(q.at("exclusive"), false);
    EXPECT_EQ(q.at("arguments"), json::parse(R"({"x-max-length":10})"));
    EXPECT_EQ(q.at("type"), "classic");
    EXPECT_EQ(q.at("state"), "running");
    EXPECT_EQ(q.at("node"), api_.get_json("/api/overview").at("node"));
    EXPECT_EQ(q.at("consumers"), 0);
    EXPECT_EQ(q.at("messages"), 0);
    EXPECT_EQ(q.at("messages_ready"), 0);
    EXPECT_EQ(q.at("messages_unacknowledged"), 0);
    EXPECT_EQ(q.at("message_bytes"), 0);
    EXPECT_EQ(q.at("consumer_details"), json::array{});
    EXPECT_TRUE(q.at("single_active_consumer_tag").is_null());
    for (std::string_view field : {"publish", "deliver_get", "ack", "redeliver"}) {
        EXPECT_EQ(q.at("message_stats").at(field), 0) << field;
        EXPECT_TRUE(
            q.at("message_stats").at(std::string(field) + "_details").at("rate").is_number());
    }
    // List items do not carry consumer_details (only the single GET does).
    json::value list = api_.get_json("/api/queues/%2F");
    ASSERT_EQ(list.as_array().size(), 1u);
    EXPECT_FALSE(list.as_array()[0].as_object().contains("consumer_details"));
}

TEST_F(ApiQueues, RedeclareEquivalentIs204AndDifferentIs400) {
    ASSERT_EQ(api_.put("/api/queues/%2F/q", R"({"durable":true})").status, 201u);
    EXPECT_EQ(api_.put("/api/queues/%2F/q", R"({"durable":true})").status, 204u);
    auto conflict = api_.put("/api/queues/%2F/q", R"({"durable":false})");
    expect_api_error(conflict, 400, "bad_request");
    EXPECT_NE(conflict.body.find("inequivalent arg 'durable'"), std::string::npos);
    expect_api_error(
        api_.put("/api/queues/%2F/q", R"({"durable":true,"arguments":{"x-message-ttl":5}})"), 400,
        "bad_request");
}

TEST_F(ApiQueues, OmittedDurableDefaultsToFalseAsInRabbitMq) {
    ASSERT_EQ(api_.put("/api/queues/%2F/q").status, 201u);
    EXPECT_EQ(api_.get_json("/api/queues/%2F/q").at("durable"), false);
}

TEST_F(ApiQueues, ArgumentsAreValidated) {
    expect_api_error(api_.put("/api/queues/%2F/q", R"({"arguments":{"x-bogus":1}})"), 400,
                     "bad_request");
    expect_api_error(api_.put("/api/queues/%2F/q", R"({"arguments":{"x-max-length":"ten"}})"), 400,
                     "bad_request");
    expect_api_error(api_.put("/api/queues/%2F/q", R"({"arguments":{"x-overflow":"explode"}})"),
                     400, "bad_request");
    expect_object_not_found(api_.get("/api/queues/%2F/q"));
    // x-queue-type is accepted for the clients that always send it.
    EXPECT_EQ(api_.put("/api/queues/%2F/q", R"({"arguments":{"x-queue-type":"classic"}})").status,
              201u);
}

TEST_F(ApiQueues, ExclusiveIsRefusedOverHttp) {
    auto r = api_.put("/api/queues/%2F/q", R"({"exclusive":true})");
    expect_api_error(r, 400, "bad_request");
    EXPECT_NE(r.body.find("exclusive"), std::string::npos) << r.body;
    expect_object_not_found(api_.get("/api/queues/%2F/q"));
}

TEST_F(ApiQueues, ReservedNameIsRefused) {
    expect_api_error(api_.put("/api/queues/%2F/amq.q"), 403, "access_refused");
}

TEST_F(ApiQueues, CountersFollowPublishAndGet) {
    ASSERT_EQ(api_.put("/api/queues/%2F/q", R"({"durable":true})").status, 201u);
    publish_to_q(3);
    json::object q = api_.get_json("/api/queues/%2F/q").as_object();
    EXPECT_EQ(q.at("messages"), 3);
    EXPECT_EQ(q.at("messages_ready"), 3);
    EXPECT_EQ(q.at("message_bytes"), 15);
    EXPECT_EQ(q.at("message_stats").at("publish"), 3);

    auto got = api_.post("/api/queues/%2F/q/get",
                         R"({"count":2,"ackmode":"ack_requeue_false","encoding":"auto"})");
    ASSERT_EQ(got.status, 200u) << got.body;
    q = api_.get_json("/api/queues/%2F/q").as_object();
    EXPECT_EQ(q.at("messages"), 1);
    EXPECT_EQ(q.at("message_stats").at("deliver_get"), 2);
    json::value overview = api_.get_json("/api/overview");
    EXPECT_EQ(overview.at("queue_totals").at("messages"), 1);
    EXPECT_EQ(overview.at("message_stats").at("deliver_get"), 2);
}

TEST_F(ApiQueues, PurgeEmptiesTheQueue) {
    ASSERT_EQ(api_.put("/api/queues/%2F/q", R"({"durable":true})").status, 201u);
    publish_to_q(4);
    EXPECT_EQ(api_.del("/api/queues/%2F/q/contents").status, 204u);
    EXPECT_EQ(api_.get_json("/api/queues/%2F/q").at("messages"), 0);
    expect_object_not_found(api_.del("/api/queues/%2F/nope/contents"));
}

TEST_F(ApiQueues, DeleteIfEmptyRefusesAQueueWithMessages) {
    ASSERT_EQ(api_.put("/api/queues/%2F/q").status, 201u);
    publish_to_q(1);
    expect_api_error(api_.del("/api/queues/%2F/q?if-empty=true"), 400, "bad_request");
    EXPECT_EQ(api_.del("/api/queues/%2F/q?if-unused=true").status, 204u);
    expect_object_not_found(api_.get("/api/queues/%2F/q"));
    expect_object_not_found(api_.del("/api/queues/%2F/q"));
}

TEST_F(ApiQueues, BindingsIncludeTheDefaultExchangeOne) {
    ASSERT_EQ(api_.put("/api/queues/%2F/q").status, 201u);
    ASSERT_EQ(api_.post("/api/bindings/%2F/e/amq.topic/q/q", R"({"routing_key":"k.#"})").status,
              201u);
    json::value bindings = api_.get_json("/api/queues/%2F/q/bindings");
    ASSERT_EQ(bindings.as_array().size(), 2u);
    EXPECT_EQ(
        bindings.as_array()[0],
        json::parse(R"({"source":"","vhost":"/","destination":"q","destination_type":"queue",)"
                    R"("routing_key":"q","arguments":{},"properties_key":"q"})"));
    EXPECT_EQ(bindings.as_array()[1].at("source"), "amq.topic");
    EXPECT_EQ(bindings.as_array()[1].at("properties_key"), "k.%23");
    expect_object_not_found(api_.get("/api/queues/%2F/nope/bindings"));
}

TEST_F(ApiQueues, MissingVhostOrQueueIs404) {
    expect_object_not_found(api_.get("/api/queues/nope"));
    expect_object_not_found(api_.get("/api/queues/nope/q"));
    expect_object_not_found(api_.get("/api/queues/%2F/nope"));
    expect_api_error(api_.put("/api/queues/nope/q"), 404, "not_found");
}

TEST_F(ApiQueues, ConnectionsAndConsumersAreEmptyLists) {
    EXPECT_EQ(api_.get_json("/api/connections"), json::array{});
    EXPECT_EQ(api_.get_json("/api/consumers"), json::array{});
    EXPECT_EQ(api_.get_json("/api/consumers/%2F"), json::array{});
    expect_object_not_found(api_.get("/api/consumers/nope"));
}

} // namespace
} // namespace warren::test
