// GET /ws at the byte level, against the real binary: warren frames WebSockets itself
// (common/ws_frame), so these tests speak raw RFC 6455 over a plain socket: the opening
// handshake and its refusals, frames split and batched every way, fragments with pings between
// them, the closing handshake, every protocol violation closed with its code, and clients that
// vanish mid-frame. The server must carry on after each.

#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "common/ws_frame.hpp"
#include "tests/integration/support/raw_ws.hpp"
#include "tests/integration/support/ws_fixture.hpp"
#include <sys/socket.h>
#include <sys/time.h>

namespace warren::test {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::ip::tcp;
using ws_frame::Event;
using ws_frame::Opcode;

using WebSocketFraming = WsTest;

bool still_serving(std::uint16_t port) {
    RawWs ws(port);
    ws.send_json({{"op", "ping"}, {"id", "alive"}});
    return ws.next_json().at("id") == "alive";
}

TEST_F(WebSocketFraming, TheHandshakeAnswersTheRfcAcceptKey) {
    RawWs ws(warren.port());
    EXPECT_EQ(ws.status, 101u) << ws.response_head;
    // RFC 6455 section 1.3's own example key and answer.
    EXPECT_NE(ws.response_head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"),
              std::string::npos)
        << ws.response_head;
    EXPECT_NE(ws.response_head.find("Upgrade: websocket\r\n"), std::string::npos);
    EXPECT_EQ(ws.response_head.find("Sec-WebSocket-Extensions"), std::string::npos);
    ws.send_json({{"op", "ping"}});
    EXPECT_EQ(ws.next_json().at("type"), "pong");
}

TEST_F(WebSocketFraming, AnUpgradeWithoutAGoodKeyOrVersionIsRefusedInJson) {
    struct Case {
        std::string headers;
        unsigned status;
        std::string reason_part;
    };
    const std::vector<Case> cases = {
        {"Sec-WebSocket-Version: 13\r\n", 400, "Sec-WebSocket-Key"},
        {"Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n", 400, "16 bytes"},
        {"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n", 426, "13"},
        {"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", 426, "Sec-WebSocket-Version"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.headers);
        RawWs ws(warren.port(), c.headers);
        EXPECT_EQ(ws.status, c.status) << ws.response_head;
        EXPECT_NE(ws.response_head.find("application/json"), std::string::npos);
        if (c.status == 426) {
            EXPECT_NE(ws.response_head.find("Sec-WebSocket-Version: 13"), std::string::npos);
        }
        const auto body = json::parse(ws.http_body());
        EXPECT_EQ(body.at("error"), "bad_request");
        EXPECT_NE(std::string(body.at("reason").as_string()).find(c.reason_part), std::string::npos)
            << body;
    }
    EXPECT_TRUE(still_serving(warren.port()));
}

TEST_F(WebSocketFraming, FramesSplitOrBatchedEveryWayAreAllAnswered) {
    put_queue("framing");
    RawWs ws(warren.port());
    // 200 publishes with confirms in one TCP write.
    std::string burst;
    for (int i = 0; i < 200; ++i) {
        burst += RawWs::frame(Opcode::text,
                              json::serialize(json::object{{"op", "publish"},
                                                           {"exchange", ""},
                                                           {"routing_key", "framing"},
                                                           {"payload", "m" + std::to_string(i)},
                                                           {"properties", {{"delivery_mode", 2}}},
                                                           {"confirm", i}}));
    }
    ws.send_raw(burst);
    for (int i = 0; i < 200; ++i) {
        auto c = ws.next_json();
        ASSERT_EQ(c.at("type"), "confirm") << json::serialize(c);
        ASSERT_EQ(c.at("confirm"), i);
    }
    // One frame in three writes, with pauses: the server waits for the rest.
    const std::string one = RawWs::frame(Opcode::text, R"({"op":"ping","id":"split"})");
    ws.send_raw(one.substr(0, 1));
    std::this_thread::sleep_for(20ms);
    ws.send_raw(one.substr(1, 5));
    std::this_thread::sleep_for(20ms);
    ws.send_raw(one.substr(6));
    EXPECT_EQ(ws.next_json().at("id"), "split");
    // An 80 000-byte frame (the 64-bit length form: 60 000 bytes of body in base64) sent a few
    // kilobytes at a time.
    const std::string body(60000, '\xfe');
    std::string encoded;
    encoded.reserve(80000);
    for (std::size_t i = 0; i < body.size(); i += 3) {
        encoded += "/v7+"; // base64 of three 0xfe bytes
    }
    const std::string big =
        RawWs::frame(Opcode::text, json::serialize(json::object{{"op", "publish"},
                                                                {"exchange", ""},
                                                                {"routing_key", "framing"},
                                                                {"payload", encoded},
                                                                {"payload_encoding", "base64"},
                                                                {"confirm", "big"}}));
    ASSERT_GT(big.size(), 65535u);
    for (std::size_t at = 0; at < big.size(); at += 7777) {
        ws.send_raw(big.substr(at, 7777));
    }
    EXPECT_EQ(ws.next_json().at("confirm"), "big");
    EXPECT_EQ(queue_messages("framing"), 201);
}

TEST_F(WebSocketFraming, FragmentsJoinAndPingsBetweenThemAreAnswered) {
    put_queue("frag");
    RawWs ws(warren.port());
    const std::string subscribe = R"({"op":"subscribe","id":"s","queue":"frag","ack":"auto"})";
    ws.send_raw(RawWs::frame(Opcode::text, subscribe.substr(0, 10), 0x01) + // text, more to come
                RawWs::frame(Opcode::ping, "are you there?") +
                RawWs::frame(Opcode::continuation, subscribe.substr(10, 20), 0x00) +
                RawWs::frame(Opcode::continuation, subscribe.substr(30), 0x80)); // final
    auto pong = ws.next();
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->kind, Event::Kind::pong);
    EXPECT_EQ(pong->payload, "are you there?");
    EXPECT_EQ(ws.next_json().at("type"), "subscribed");
    ASSERT_TRUE(publish_http("amq.default", "frag", "whole"));
    EXPECT_EQ(ws.next_json().at("payload"), "whole");
}

TEST_F(WebSocketFraming, TheClientsCloseIsAnsweredWithItsCodeThenTheConnectionEnds) {
    RawWs ws(warren.port());
    ws.send(Opcode::close, ws_frame::close_payload(4000, "done here"));
    EXPECT_EQ(ws.close_code(), 4000);
    EXPECT_TRUE(ws.server_hangs_up());
    // A close without a code is answered without one.
    RawWs bare(warren.port());
    bare.send(Opcode::close, "");
    EXPECT_EQ(bare.close_code(), ws_frame::close_code::no_status);
    EXPECT_TRUE(bare.server_hangs_up());
    EXPECT_TRUE(still_serving(warren.port()));
}

TEST_F(WebSocketFraming, EachProtocolViolationClosesWithItsCode) {
    std::string unmasked;
    ws_frame::append_frame(unmasked, Opcode::text, R"({"op":"ping"})");
    struct Case {
        const char* what;
        std::string bytes;
        std::uint16_t code;
    };
    const std::vector<Case> cases = {
        {"unmasked frame", unmasked, 1002},
        {"RSV1 (no compression was negotiated)", RawWs::frame(Opcode::text, "{}", 0xC1), 1002},
        {"reserved opcode", RawWs::frame(Opcode::text, "{}", 0x83), 1002},
        {"continuation with nothing to continue", RawWs::frame(Opcode::text, "{}", 0x80), 1002},
        {"ping longer than 125 bytes", RawWs::frame(Opcode::ping, std::string(200, 'p')), 1002},
        {"invalid close code", RawWs::frame(Opcode::close, std::string("\x03\xed", 2)), 1002},
        {"HTTP after the upgrade", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 1002},
        {"text that is not UTF-8", RawWs::frame(Opcode::text, "{\"op\":\"\xc0\xaf\"}"), 1007},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        RawWs ws(warren.port());
        ws.send_raw(c.bytes);
        EXPECT_EQ(ws.close_code(), c.code);
        EXPECT_TRUE(ws.server_hangs_up());
    }
    EXPECT_TRUE(still_serving(warren.port()));
}

TEST_F(WebSocketFraming, AClientThatVanishesMidFrameLosesNothing) {
    put_queue("vanish");
    ASSERT_TRUE(publish_http("amq.default", "vanish", "keep me"));
    {
        RawWs ws(warren.port());
        ws.send_json({{"op", "subscribe"}, {"id", "s"}, {"queue", "vanish"}, {"prefetch", 10}});
        EXPECT_EQ(ws.next_json().at("type"), "subscribed");
        EXPECT_EQ(ws.next_json().at("payload"), "keep me"); // delivered, never acked
        // Half a publish frame, then the connection is gone.
        const std::string publish = RawWs::frame(
            Opcode::text, R"({"op":"publish","exchange":"","routing_key":"vanish","payload":"x"})");
        ws.send_raw(publish.substr(0, publish.size() / 2));
        ws.hang_up();
    }
    // The unacked delivery is back, redelivered; the half frame published nothing.
    auto next = connect();
    subscribe(*next, "t", "vanish");
    auto m = next->expect("message");
    EXPECT_EQ(m.at("payload"), "keep me");
    EXPECT_EQ(m.at("redelivered"), true);
    EXPECT_FALSE(next->read(300ms));
    EXPECT_EQ(queue_messages("vanish"), 1);
}

} // namespace
} // namespace warren::test
