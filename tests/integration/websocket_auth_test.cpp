// GET /ws: who may upgrade (Basic auth, single-use tokens, 401/400/405 as JSON before any
// upgrade), and every bad frame answered with its error while the socket stays usable.

#include "tests/integration/support/ws_fixture.hpp"

namespace warren::test {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

using WebSocketAuth = WsTest;
using WebSocketBadInput = WsTest;

std::string token_for(HttpClient& http) {
    auto r = http.request(http::verb::post, "/api/auth/token");
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.json().at("expires_in"), 60);
    return std::string(r.json().at("token").as_string());
}

TEST_F(WebSocketAuth, NoOrWrongCredentialsAre401BeforeTheUpgrade) {
    for (const auto& auth :
         {std::optional<Credentials>{}, std::optional<Credentials>{Credentials{"guest", "wrong"}},
          std::optional<Credentials>{Credentials{"nobody", "guest"}}}) {
        try {
            WsClient ws(warren.port(), "/ws", auth);
            ADD_FAILURE() << "upgraded without valid credentials";
        } catch (const WsRefused& refused) {
            EXPECT_EQ(refused.status, 401u);
            auto body = json::parse(refused.body);
            EXPECT_EQ(body.at("error"), "not_authorized") << refused.body;
        }
    }
}

TEST_F(WebSocketAuth, ATokenLogsInOnce) {
    const std::string token = token_for(http);
    EXPECT_EQ(token.size(), 64u);
    {
        WsClient ws(warren.port(), "/ws?token=" + token, std::nullopt);
        ws.send(json::object{{"op", "ping"}});
        EXPECT_EQ(ws.expect("pong"), json::parse(R"({"type":"pong"})"));
        auto r = http.get("/api/connections");
        ASSERT_EQ(r.status, 200u);
        ASSERT_EQ(r.json().as_array().size(), 1u);
        EXPECT_EQ(r.json().as_array()[0].at("user"), "guest");
    }
    for (const std::string& target :
         {"/ws?token=" + token, std::string("/ws?token=bogus"), std::string("/ws?token=")}) {
        try {
            WsClient ws(warren.port(), target, std::nullopt);
            ADD_FAILURE() << target << " upgraded";
        } catch (const WsRefused& refused) {
            EXPECT_EQ(refused.status, 401u) << target;
            EXPECT_EQ(json::parse(refused.body).at("error"), "not_authorized");
        }
    }
}

TEST_F(WebSocketAuth, TheTokenEndpointNeedsBasicAuth) {
    auto r = http.request(http::verb::post, "/api/auth/token", {}, {}, std::nullopt);
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(r.json().at("error"), "not_authorized");
}

TEST_F(WebSocketAuth, PlainHttpOnWsIsAJsonError) {
    auto r = http.get("/ws");
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.json(),
              json::parse(R"({"error":"bad_request","reason":"expected a WebSocket upgrade"})"));
    auto post = http.request(http::verb::post, "/ws", "{}");
    EXPECT_EQ(post.status, 405u);
    EXPECT_EQ(post.header("Allow"), "GET");
    EXPECT_EQ(post.json().at("error"), "method_not_allowed");
    // The HTTP connection is still fine.
    EXPECT_EQ(http.get("/api/whoami").status, 200u);
}

struct BadFrame {
    std::string frame;
    std::string error;
    std::string reason_part;
};

TEST_F(WebSocketBadInput, EveryBadFrameGetsItsErrorAndTheSocketStaysUsable) {
    put_queue("q");
    put_queue("owned");
    auto ws = connect();
    subscribe(*ws, "taken", "q");
    const std::vector<BadFrame> cases = {
        {"not json", "bad_request", "not valid JSON"},
        {"[1,2]", "bad_request", "JSON object"},
        {R"({"id":"x"})", "bad_request", "missing field 'op'"},
        {R"({"op":"fly","id":"x"})", "bad_request", "unknown op 'fly'"},
        {R"({"op":"subscribe","id":"s1","queue":"nope"})", "not_found", "no queue 'nope'"},
        {R"({"op":"subscribe","id":"s1","vhost":"none","queue":"q"})", "not_found", "none"},
        {R"({"op":"subscribe","id":"s1","exchange":"nope"})", "not_found", "nope"},
        {R"({"op":"subscribe","id":"s1","exchange":""})", "access_refused", ""},
        {R"({"op":"subscribe","id":"taken","queue":"q"})", "precondition_failed", "in use"},
        {R"({"op":"subscribe","id":"s1"})", "bad_request", "'queue' or 'exchange'"},
        {R"({"op":"subscribe","id":7,"queue":"q"})", "bad_request", "'id' must be a string"},
        {R"({"op":"subscribe","id":"s1","queue":"q","prefetch":"lots"})", "bad_request",
         "'prefetch'"},
        {R"({"op":"unsubscribe","id":"never"})", "not_found", "no subscription 'never'"},
        {R"({"op":"ack","tag":999})", "precondition_failed", "unknown delivery tag 999"},
        {R"({"op":"nack","tag":12,"requeue":true})", "precondition_failed", "unknown delivery"},
        {R"({"op":"reject","tag":13})", "precondition_failed", "unknown delivery"},
        {R"({"op":"ack"})", "bad_request", "missing field 'tag'"},
        {R"({"op":"ack","tag":"1"})", "bad_request", "'tag' must be a positive integer"},
        {R"({"op":"ack","tag":1,"multiple":1})", "bad_request", "'multiple'"},
        {R"({"op":"publish","routing_key":"q"})", "bad_request", "missing field 'exchange'"},
        {R"({"op":"publish","exchange":"nope","routing_key":"q"})", "not_found", "nope"},
        {R"({"op":"publish","exchange":"","payload":1})", "bad_request", "'payload'"},
        {R"({"op":"publish","exchange":"","payload":"%%","payload_encoding":"base64"})",
         "bad_request", "base64"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.frame);
        ws->send_text(c.frame);
        auto e = ws->expect("error");
        EXPECT_EQ(e.at("error").as_string(), c.error) << json::serialize(e);
        EXPECT_NE(std::string(e.at("reason").as_string()).find(c.reason_part), std::string::npos)
            << json::serialize(e);
    }
    // The error names the frame it answers.
    ws->send_text(R"({"op":"subscribe","id":"s9","queue":"nope"})");
    EXPECT_EQ(ws->expect("error").at("id"), "s9");
    ws->send_text(R"({"op":"publish","exchange":"nope","confirm":5})");
    auto e = ws->expect("error");
    EXPECT_EQ(e.at("confirm"), 5);
    EXPECT_EQ(e.at("error"), "not_found");
    // Binary frames are answered, not fatal.
    ws->send_binary(std::string("\x00\x01", 2));
    EXPECT_NE(std::string(ws->expect("error").at("reason").as_string()).find("binary"),
              std::string::npos);
    // Another connection's exclusive queue is locked.
    auto other = connect();
    other->send(json::object{{"op", "subscribe"}, {"id", "mine"}, {"exchange", "amq.fanout"}});
    const std::string exclusive(other->expect("subscribed").at("queue").as_string());
    ws->send(json::object{{"op", "subscribe"}, {"id", "steal"}, {"queue", exclusive}});
    EXPECT_EQ(ws->expect("error").at("error"), "resource_locked");
    // Still usable after all of that.
    ws->send(json::object{{"op", "ping"}});
    ws->expect("pong");
    ASSERT_TRUE(publish_http("amq.default", "q", "still here"));
    EXPECT_EQ(ws->expect("message").at("payload"), "still here");
}

TEST_F(WebSocketBadInput, AFrameOverTheLimitGetsAnErrorThenA1009Close) {
    auto ws = connect();
    // --max-message-size 65536: frames may be 65536 * 4/3 + 64 KiB, about 150 KB.
    ws->send_text(std::string(400 * 1024, ' '));
    // Why first (peers.md pain point 9), then the close.
    auto e = ws->expect("error");
    EXPECT_EQ(e.at("error"), "too_large");
    EXPECT_NE(std::string(e.at("reason").as_string()).find("limit"), std::string::npos);
    EXPECT_TRUE(ws->wait_closed());
    EXPECT_EQ(ws->close_code(), 1009);
    // The server carries on.
    auto next = connect();
    next->send(json::object{{"op", "ping"}});
    next->expect("pong");
}

TEST_F(WebSocketBadInput, InvalidUtf8InATextFrameClosesWith1007) {
    auto ws = connect();
    ws->send_text("{\"op\":\"ping\",\"id\":\"\xff\xfe\"}");
    EXPECT_TRUE(ws->wait_closed());
    EXPECT_EQ(ws->close_code(), 1007);
    auto next = connect();
    next->send(json::object{{"op", "ping"}});
    next->expect("pong");
}

TEST_F(WebSocketBadInput, BinaryPayloadsComeBackAsBase64) {
    put_queue("bin");
    auto ws = connect();
    subscribe(*ws, "s", "bin", {{"ack", "auto"}});
    ws->send(json::object{{"op", "publish"},
                          {"exchange", ""},
                          {"routing_key", "bin"},
                          {"payload", "/wABAg=="},
                          {"payload_encoding", "base64"}});
    auto m = ws->expect("message");
    EXPECT_EQ(m.at("payload_encoding"), "base64");
    EXPECT_EQ(m.at("payload"), "/wABAg==");
}

} // namespace
} // namespace warren::test
