// The AMQP listener against bytes a client library would never send: a wrong protocol header,
// broken frames, methods out of place, a client that vanishes mid-publish, garbage. Each gets
// RabbitMQ's answer (tests/fixtures/amqp/REFERENCE.md) and none loses or corrupts a message or
// takes the server down: the last step of each test is a normal client doing normal work.

#include <string>

#include <gtest/gtest.h>

#include "amqp/codec/content.hpp"
#include "amqp/codec/reply_codes.hpp"
#include "tests/integration/support/raw_amqp.hpp"
#include "tests/integration/support/warren_process.hpp"

namespace warren::test {
namespace {

namespace reply = amqp::reply;

class AmqpWire : public ::testing::Test {
protected:
    AmqpWire() : amqp_port_(free_port()), server_({"--amqp-port", std::to_string(amqp_port_)}) {}

    // A publish and a get on a fresh connection: the server still does its job.
    void expect_server_works(const std::string& queue = "still-works") {
        RawAmqp client(amqp_port_);
        client.handshake();
        amqp::QueueDeclare declare;
        declare.queue = queue;
        client.send(1, declare);
        auto ok = client.expect<amqp::QueueDeclareOk>();
        ASSERT_TRUE(ok);
        std::string frames;
        amqp::BasicPublish publish;
        publish.routing_key = queue;
        amqp::append_method(frames, 1, publish);
        amqp::append_content(frames, 1, Properties{}, "alive", 131072);
        client.send_raw(frames);
        amqp::BasicGet get;
        get.queue = queue;
        get.no_ack = true;
        client.send(1, get);
        ASSERT_TRUE(client.expect<amqp::BasicGetOk>()) << "the message did not come back";
        auto body = client.next();
        ASSERT_TRUE(body); // the content header
        body = client.next();
        ASSERT_TRUE(body);
        EXPECT_EQ(body->payload, "alive");
    }

    std::uint16_t amqp_port_;
    WarrenProcess server_;
};

TEST_F(AmqpWire, AWrongProtocolHeaderIsAnsweredWithOursAndClosed) {
    for (const std::string& header :
         {std::string("AMQP\0\0\x09\x00", 8), std::string("AMQP\x01\x01\x00\x0a", 8),
          std::string("GET / HTTP/1.1\r\n\r\n")}) {
        RawAmqp client(amqp_port_);
        client.send_raw(header);
        EXPECT_EQ(client.read_raw(8), amqp::kProtocolHeader) << "the header we speak";
        EXPECT_TRUE(client.closed_by_peer());
    }
    expect_server_works();
}

TEST_F(AmqpWire, ABadFrameEndIsAFrameErrorThatClosesTheConnection) {
    RawAmqp client(amqp_port_);
    client.handshake();
    std::string frame;
    amqp::append_method(frame, 1, amqp::QueueDeclare{});
    frame.back() = '\0'; // not 0xCE
    client.send_raw(frame);
    auto close = client.expect<amqp::ConnectionClose>();
    ASSERT_TRUE(close);
    EXPECT_EQ(close->reply_code, reply::kFrameError);
    EXPECT_NE(close->reply_text.find("FRAME_ERROR - bad frame end"), std::string::npos)
        << close->reply_text;
    client.send(0, amqp::ConnectionCloseOk{});
    EXPECT_TRUE(client.closed_by_peer());
    expect_server_works();
}

TEST_F(AmqpWire, AFrameOverFrameMaxIsRefusedBeforeItsPayloadArrives) {
    RawAmqp client(amqp_port_);
    client.handshake(4096);
    // A body frame header claiming 1 MiB: refused from its 7 header bytes.
    client.send_raw(std::string("\x03\x00\x01\x00\x10\x00\x00", 7));
    auto close = client.expect<amqp::ConnectionClose>();
    ASSERT_TRUE(close);
    EXPECT_EQ(close->reply_code, reply::kFrameError);
    EXPECT_NE(close->reply_text.find("larger than the negotiated maximum 4096"), std::string::npos)
        << close->reply_text;
    expect_server_works();
}

TEST_F(AmqpWire, MethodsOutOfPlaceCloseTheConnectionWithRabbitMqsCodes) {
    {
        RawAmqp client(amqp_port_);
        client.handshake();
        amqp::QueueDeclare declare;
        declare.queue = "q";
        client.send(7, declare); // channel 7 was never opened
        auto close = client.expect<amqp::ConnectionClose>();
        ASSERT_TRUE(close);
        EXPECT_EQ(close->reply_code, reply::kChannelError);
        EXPECT_EQ(close->reply_text, "CHANNEL_ERROR - expected 'channel.open'");
    }
    {
        RawAmqp client(amqp_port_);
        client.handshake();
        client.send_raw(std::string("\x03\x00\x01\x00\x00\x00\x01x\xce", 9)); // body, no publish
        auto close = client.expect<amqp::ConnectionClose>();
        ASSERT_TRUE(close);
        EXPECT_EQ(close->reply_code, reply::kUnexpectedFrame);
    }
    {
        RawAmqp client(amqp_port_);
        client.handshake();
        client.send_raw(std::string("\x01\x00\x01\x00\x00\x00\x04\x00\x3c\x00\xff\xce", 12));
        auto close = client.expect<amqp::ConnectionClose>();
        ASSERT_TRUE(close);
        EXPECT_EQ(close->reply_code, reply::kCommandInvalid); // basic method 255
    }
    {
        RawAmqp client(amqp_port_);
        client.handshake();
        // queue.declare cut inside its table: a syntax error, nothing declared.
        client.send_raw(std::string("\x01\x00\x01\x00\x00\x00\x0c"      // 12 bytes of payload
                                    "\x00\x32\x00\x0a\x00\x00\x01q\x00" // ... no-wait bits
                                    "\x00\x00\x09"                      // 3 of 4 length bytes
                                    "\xce",
                                    20));
        auto close = client.expect<amqp::ConnectionClose>();
        ASSERT_TRUE(close);
        EXPECT_EQ(close->reply_code, reply::kSyntaxError);
    }
    expect_server_works();
}

TEST_F(AmqpWire, AClientThatVanishesMidPublishPublishesNothing) {
    {
        RawAmqp client(amqp_port_);
        client.handshake();
        amqp::QueueDeclare declare;
        declare.queue = "half";
        client.send(1, declare);
        ASSERT_TRUE(client.expect<amqp::QueueDeclareOk>());
        std::string frames;
        amqp::BasicPublish publish;
        publish.routing_key = "half";
        amqp::append_method(frames, 1, publish);
        amqp::append_content(frames, 1, Properties{}, std::string(10000, 'x'), 131072);
        client.send_raw(frames.substr(0, frames.size() - 5000)); // the body cut short
    }                                                            // the socket closes here
    RawAmqp check(amqp_port_);
    check.handshake();
    amqp::QueueDeclare passive;
    passive.queue = "half";
    passive.passive = true;
    check.send(1, passive);
    auto ok = check.expect<amqp::QueueDeclareOk>();
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->message_count, 0u) << "a half-received message was published";
    expect_server_works();
}

TEST_F(AmqpWire, GarbageAfterTheHeaderNeverTakesTheServerDown) {
    const std::string patterns[] = {
        std::string(64, '\xff'), std::string(64, '\0'), std::string("\x01\x00\x00\x00\x00\x00"),
        std::string("\x08\x00\x05\x00\x00\x00\x00\xce", 8), // a heartbeat on channel 5
        std::string("\x02\x00\x00\x00\x00\x00\x02\x00\x3c\xce", 10)};
    for (const auto& bytes : patterns) {
        RawAmqp client(amqp_port_);
        client.send_raw(amqp::kProtocolHeader);
        ASSERT_TRUE(client.expect<amqp::ConnectionStart>());
        client.send_raw(bytes);
        // Whatever the answer, the connection ends (a close, or the server drops it).
        client.expect<amqp::ConnectionClose>();
        client.send(0, amqp::ConnectionCloseOk{});
        EXPECT_TRUE(client.closed_by_peer());
    }
    expect_server_works();
}

TEST_F(AmqpWire, ASilentClientIsDroppedAfterTwoMissedHeartbeats) {
    RawAmqp client(amqp_port_);
    client.send_raw(amqp::kProtocolHeader);
    ASSERT_TRUE(client.expect<amqp::ConnectionStart>());
    amqp::ConnectionStartOk start_ok;
    start_ok.mechanism = "PLAIN";
    start_ok.response = std::string("\0guest\0guest", 12);
    client.send(0, start_ok);
    auto tune = client.expect<amqp::ConnectionTune>();
    ASSERT_TRUE(tune);
    EXPECT_EQ(tune->channel_max, 2047);
    EXPECT_EQ(tune->frame_max, 131072u);
    EXPECT_EQ(tune->heartbeat, 60);
    client.send(0, amqp::ConnectionTuneOk{2047, 131072, 1});
    amqp::ConnectionOpen open;
    open.virtual_host = "/";
    client.send(0, open);
    ASSERT_TRUE(client.expect<amqp::ConnectionOpenOk>());
    // The server beats every half interval; the client never answers: dropped within ~2-3 s.
    int heartbeats = 0;
    while (auto frame = client.next()) {
        heartbeats += frame->type == amqp::FrameType::heartbeat ? 1 : 0;
    }
    EXPECT_GE(heartbeats, 2);
    EXPECT_TRUE(client.closed_by_peer());
}

} // namespace
} // namespace warren::test
