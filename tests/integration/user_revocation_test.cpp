// Taking access away from a user who is connected, against the real binary, as RabbitMQ does:
// deleting the user closes its open WebSockets at once (an error frame "connection_forced",
// then close 1008) and its unused login tokens stop working, while its unacked deliveries go
// back to the queue and other users are untouched; a permission change applies to the very
// next operation of a connection that is already open.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"
#include "tests/integration/support/ws_client.hpp"

namespace warren::test {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

const Credentials kAlice{"alice", "s3cret"};

class UserRevocation : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(
            api_.put("/api/users/alice", R"({"password":"s3cret","tags":"management"})").status,
            201u);
        permit_alice(".*", ".*", ".*");
        ASSERT_EQ(api_.put("/api/queues/%2F/work", R"({"durable":true})").status, 201u);
    }

    void permit_alice(std::string_view configure, std::string_view write, std::string_view read) {
        json::object p{{"configure", configure}, {"write", write}, {"read", read}};
        auto r = api_.put("/api/permissions/%2F/alice", json::serialize(p));
        ASSERT_TRUE(r.status == 201u || r.status == 204u) << r.body;
    }
    void publish(std::string_view payload) {
        json::object body{{"routing_key", "work"},
                          {"payload", payload},
                          {"payload_encoding", "string"},
                          {"properties", json::object{{"delivery_mode", 2}}}};
        auto r = api_.post("/api/exchanges/%2F/amq.default/publish", json::serialize(body));
        ASSERT_EQ(r.status, 200u) << r.body;
    }
    json::value queue() { return api_.get_json("/api/queues/%2F/work"); }
    std::string token_as_alice() {
        HttpClient http(server_.port());
        auto r = http.request(http::verb::post, "/api/auth/token", {}, {}, kAlice);
        EXPECT_EQ(r.status, 200u) << r.body;
        return std::string(r.json().at("token").as_string());
    }
    // A confirmed WebSocket publish to "work"; the answer frame ("confirm" or "error").
    static json::object ws_publish(WsClient& ws, int confirm) {
        ws.send(json::object{{"op", "publish"},
                             {"vhost", "/"},
                             {"exchange", ""},
                             {"routing_key", "work"},
                             {"payload", "p"},
                             {"confirm", confirm}});
        for (;;) {
            auto frame = ws.read();
            if (!frame) {
                ADD_FAILURE() << "no answer to confirm " << confirm;
                return {};
            }
            if (frame->at("type") == "confirm" || frame->at("type") == "error") {
                return *frame;
            }
        }
    }

    WarrenProcess server_;
    Api api_{server_.port()};
};

TEST_F(UserRevocation, DeletingAUserClosesItsWebSocketsAndItsTokensDie) {
    for (int i = 0; i < 3; ++i) {
        publish("m" + std::to_string(i));
    }
    // Alice consumes with manual acks and holds two deliveries unacked; she also has a
    // token she has not used yet. Guest has a socket of its own.
    WsClient alice(server_.port(), "/ws", kAlice);
    alice.send(json::parse(R"({"op":"subscribe","id":"s","vhost":"/","queue":"work",)"
                           R"("prefetch":2})"));
    alice.expect("subscribed");
    auto first = alice.expect("message");
    alice.expect("message");
    const std::string token = token_as_alice();
    WsClient guest(server_.port(), "/ws", kGuest);
    guest.sync();
    EXPECT_EQ(queue().at("messages_unacknowledged"), 2);

    ASSERT_EQ(api_.del("/api/users/alice").status, 204u);

    // Her socket is told why, then closed by the server.
    std::optional<json::object> error;
    while (auto frame = alice.read()) {
        if (frame->at("type") == "error") {
            error = *frame;
            break;
        }
    }
    ASSERT_TRUE(error.has_value()) << "no error frame before the close";
    EXPECT_EQ(error->at("error"), "connection_forced") << json::serialize(*error);
    EXPECT_EQ(error->at("reason"), "user 'alice' was deleted");
    EXPECT_TRUE(alice.wait_closed());
    EXPECT_EQ(alice.close_code(), 1008);
    // Her token is worthless, and she cannot log in again.
    try {
        WsClient again(server_.port(), "/ws?token=" + token, std::nullopt);
        ADD_FAILURE() << "a deleted user's token logged in";
    } catch (const WsRefused& refused) {
        EXPECT_EQ(refused.status, 401u);
    }
    EXPECT_THROW(WsClient(server_.port(), "/ws", kAlice), WsRefused);
    // Nothing was lost: her unacked deliveries are ready again, and guest still works.
    EXPECT_EQ(queue().at("messages_unacknowledged"), 0);
    EXPECT_EQ(queue().at("messages_ready"), 3);
    EXPECT_EQ(ws_publish(guest, 1).at("type"), "confirm");
    EXPECT_EQ(api_.get_json("/api/connections").as_array().size(), 1u);
    (void)first;
}

TEST_F(UserRevocation, BulkDeleteClosesEveryNamedUsersSockets) {
    WsClient alice(server_.port(), "/ws", kAlice);
    alice.sync();
    auto r = api_.post("/api/users/bulk-delete", R"({"users":["alice","nobody"]})");
    ASSERT_EQ(r.status, 204u) << r.body;
    EXPECT_TRUE(alice.wait_closed());
    EXPECT_EQ(alice.close_code(), 1008);
}

TEST_F(UserRevocation, APermissionChangeAppliesToAnOpenConnection) {
    WsClient alice(server_.port(), "/ws", kAlice);
    EXPECT_EQ(ws_publish(alice, 1).at("type"), "confirm");
    // Write taken away: the same socket's next publish is refused.
    permit_alice(".*", "^$", ".*");
    auto refused = ws_publish(alice, 2);
    EXPECT_EQ(refused.at("type"), "error");
    EXPECT_EQ(refused.at("error"), "access_refused") << json::serialize(refused);
    // Read taken away: a new subscription is refused.
    permit_alice(".*", "^$", "^$");
    alice.send(json::parse(R"({"op":"subscribe","id":"s","vhost":"/","queue":"work"})"));
    auto no_read = alice.expect("error");
    EXPECT_EQ(no_read.at("error"), "access_refused");
    // All of the vhost taken away, then given back: refused, then served again.
    ASSERT_EQ(api_.del("/api/permissions/%2F/alice").status, 204u);
    EXPECT_EQ(ws_publish(alice, 3).at("error"), "access_refused");
    permit_alice(".*", ".*", ".*");
    EXPECT_EQ(ws_publish(alice, 4).at("type"), "confirm");
    EXPECT_EQ(queue().at("messages"), 2);
}

} // namespace
} // namespace warren::test
