// The server-wide receive budget against the real binary, with exact bytes: clients that send
// all but the last byte of big bodies (or big WebSocket messages) hold at most
// --receive-memory-limit between them; the next one is refused at once (HTTP 503 with
// Retry-After, a WebSocket error frame and close 1013), the ones already reserved finish
// normally, and once they are gone the budget serves again. Nothing published is lost.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"
#include "tests/integration/support/proc_status.hpp"
#include "tests/integration/support/raw_ws.hpp"
#include "tests/integration/support/warren_process.hpp"

namespace warren::test {
namespace {

namespace json = boost::json;
using ws_frame::Event;
using ws_frame::Opcode;

// 1200 KiB messages; 3 MiB of input in flight: two 1.1 MB bodies fit, a third does not.
const std::vector<std::string> kArgs{"--max-message-size", "1200KiB", "--receive-memory-limit",
                                     "3MiB"};

// A publish of a `size`-byte payload to queue "q", as one request's bytes.
std::string big_publish(std::size_t size) {
    const std::string body = R"({"routing_key":"q","payload_encoding":"string","properties":{},)"
                             R"("payload":")" +
                             std::string(size, 'x') + "\"}";
    return "POST /api/exchanges/%2F/amq.default/publish HTTP/1.1\r\nHost: x\r\nAuthorization: " +
           HttpClient::basic_auth(kGuest) +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
           "\r\n\r\n" + body;
}

class ReceiveBudget : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_EQ(api_.put("/api/queues/%2F/q", "{}").status, 201u); }

    WarrenProcess server_{kArgs};
    Api api_{server_.port()};
};

TEST_F(ReceiveBudget, BodiesPastTheBudgetAre503AndTheReservedOnesFinish) {
    const std::string request = big_publish(1'100'000); // three do not fit in 3 MiB
    const std::string all_but_last = request.substr(0, request.size() - 1);
    // Two slow clients hold ~2 MiB of the 3 MiB.
    std::vector<std::unique_ptr<HttpClient>> slow;
    for (int i = 0; i < 2; ++i) {
        slow.push_back(std::make_unique<HttpClient>(server_.port()));
        slow.back()->send_raw(all_but_last);
    }
    // Make sure the server has read them (and reserved) before the third arrives.
    EXPECT_EQ(api_.get("/api/overview").status, 200u);
    HttpClient third(server_.port());
    third.send_raw(all_but_last);
    auto refused = third.read_reply();
    ASSERT_TRUE(refused.has_value());
    expect_api_error(*refused, 503, "resource_alarm");
    EXPECT_FALSE(refused->header("Retry-After").empty());
    EXPECT_TRUE(third.wait_closed_by_peer());
    // Small requests are not held up: only bodies being received count.
    EXPECT_EQ(api_.get("/api/overview").status, 200u);
    // The two reserved ones finish and are published.
    for (auto& client : slow) {
        client->send_raw(request.substr(request.size() - 1));
        auto reply = client->read_reply();
        ASSERT_TRUE(reply.has_value());
        EXPECT_EQ(reply->status, 200u) << reply->body;
    }
    // Their reservations went with them: a big body is served again.
    HttpClient again(server_.port());
    again.send_raw(request);
    auto reply = again.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 200u) << reply->body;
    EXPECT_EQ(api_.get_json("/api/queues/%2F/q").at("messages"), 3);
}

TEST_F(ReceiveBudget, AWebSocketMessagePastTheBudgetIsRefusedWithClose1013) {
    // A text frame of ~1.2 MiB announced, all of it sent but the last byte, by two sockets.
    const std::string payload =
        json::serialize(json::object{{"op", "ping"}, {"id", std::string(1'200'000, 'p')}});
    const std::string frame = RawWs::frame(Opcode::text, payload);
    RawWs first(server_.port());
    RawWs second(server_.port());
    ASSERT_EQ(first.status, 101u);
    // A pong first proves each session is reading (the 101 reaches us before the server's next
    // read is posted); the big frames sent after it are then read before a later request is.
    for (RawWs* ws : {&first, &second}) {
        ws->send_raw(RawWs::frame(Opcode::text, R"({"op":"ping","id":"ready"})"));
        ASSERT_EQ(ws->next_json().at("type"), "pong");
    }
    first.send_raw(frame.substr(0, frame.size() - 1));
    second.send_raw(frame.substr(0, frame.size() - 1));
    EXPECT_EQ(api_.get("/api/overview").status, 200u); // both have been read by now
    RawWs third(server_.port());
    // The header and a first piece decide it: the server refuses and closes at once, so writing
    // the whole frame could meet a closed socket (EPIPE) instead of the answer.
    third.send_raw(frame.substr(0, 16 * 1024));
    auto error = third.next();
    ASSERT_TRUE(error.has_value());
    ASSERT_EQ(error->kind, Event::Kind::text) << error->payload;
    EXPECT_EQ(json::parse(error->payload).at("error"), "resource_alarm") << error->payload;
    EXPECT_EQ(third.close_code(), ws_frame::close_code::try_again_later);
    // The reserved ones finish: their pings are answered.
    first.send_raw(frame.substr(frame.size() - 1));
    EXPECT_EQ(first.next_json().at("type"), "pong");
    second.send_raw(frame.substr(frame.size() - 1));
    EXPECT_EQ(second.next_json().at("type"), "pong");
}

// One JSON bomb (7 million zeros in a 14 MB publish body) is parsed and refused or dropped, and
// the memory its parse took goes back: the thread's JSON parser is renewed after a big document
// and freed pages are trimmed after a big body. Before, RSS stayed ~165 MiB higher for good.
TEST(ReceiveMemory, AJsonBombGivesItsMemoryBack) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "ASan quarantines freed memory: RSS would measure ASan, not warren";
#endif
    WarrenProcess server;
    Api api{server.port()};
    std::string body = R"({"routing_key":"nowhere","payload":"x","payload_encoding":"string",)"
                       R"("properties":{},"junk":[0)";
    body.reserve(14'100'000);
    for (int i = 1; i < 7'000'000; ++i) {
        body += ",0";
    }
    body += "]}";
    const std::int64_t before = proc_status_kb(server.pid(), "VmRSS");
    ASSERT_GT(before, 0);
    for (int i = 0; i < 3; ++i) {
        auto reply = api.post("/api/exchanges/%2F/amq.default/publish", body);
        ASSERT_EQ(reply.status, 200u) << reply.body;
    }
    const std::int64_t after = proc_status_kb(server.pid(), "VmRSS");
    std::printf("[ measure  ] server RSS %lld kB before, %lld kB after three 14 MB JSON bombs\n",
                static_cast<long long>(before), static_cast<long long>(after));
    EXPECT_LT(after - before, 64 * 1024) << "the bombs' memory was kept";
    EXPECT_EQ(api.get("/api/overview").status, 200u);
}

} // namespace
} // namespace warren::test
