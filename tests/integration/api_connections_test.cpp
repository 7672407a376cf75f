// GET /api/connections, /api/consumers[/{vhost}] and a queue's consumer_details, with real
// WebSocket clients as the connections.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"
#include "tests/integration/support/ws_fixture.hpp"

namespace warren::test {
namespace {

namespace json = boost::json;

using ApiConnections = WsTest;

TEST_F(ApiConnections, EmptyWithoutClients) {
    EXPECT_EQ(http.get("/api/connections").json(), json::array{});
    EXPECT_EQ(http.get("/api/consumers").json(), json::array{});
    EXPECT_EQ(http.get("/api/consumers/%2F").json(), json::array{});
    expect_object_not_found(http.get("/api/consumers/nope"));
}

TEST_F(ApiConnections, WebSocketClientIsAConnectionWithItsConsumers) {
    put_queue("q");
    auto ws = connect();
    subscribe(*ws, "s1", "q", {{"prefetch", 7}});

    json::value connections = http.get("/api/connections").json();
    ASSERT_EQ(connections.as_array().size(), 1u) << connections;
    const json::object& c = connections.as_array()[0].as_object();
    EXPECT_EQ(c.at("user"), "guest");
    EXPECT_EQ(c.at("vhost"), "/");
    EXPECT_EQ(c.at("state"), "running");
    EXPECT_EQ(c.at("channels"), 1);
    EXPECT_EQ(c.at("protocol"), "WebSocket");
    EXPECT_EQ(c.at("peer_host"), "127.0.0.1");
    EXPECT_TRUE(c.at("peer_port").is_number());
    const std::string name(c.at("name").as_string());
    EXPECT_NE(name.find(" -> "), std::string::npos) << name;

    json::value consumers = http.get("/api/consumers").json();
    ASSERT_EQ(consumers.as_array().size(), 1u) << consumers;
    const json::object& k = consumers.as_array()[0].as_object();
    EXPECT_TRUE(k.at("consumer_tag").is_string());
    EXPECT_EQ(k.at("queue"), json::parse(R"({"name":"q","vhost":"/"})"));
    EXPECT_EQ(k.at("ack_required"), true);
    EXPECT_EQ(k.at("prefetch_count"), 7);
    EXPECT_EQ(k.at("exclusive"), false);
    EXPECT_EQ(k.at("active"), true);
    EXPECT_EQ(k.at("channel_details").at("connection_name"), json::value(name));
    EXPECT_EQ(k.at("channel_details").at("user"), "guest");
    EXPECT_EQ(http.get("/api/consumers/%2F").json(), consumers);

    json::object q = http.get("/api/queues/%2F/q").json().as_object();
    EXPECT_EQ(q.at("consumers"), 1);
    ASSERT_EQ(q.at("consumer_details").as_array().size(), 1u);
    EXPECT_EQ(q.at("consumer_details").as_array()[0], consumers.as_array()[0]);

    ws->close();
    ASSERT_TRUE(wait_until([&] { return http.get("/api/connections").json() == json::array{}; }));
    EXPECT_EQ(http.get("/api/consumers").json(), json::array{});
}

} // namespace
} // namespace warren::test
