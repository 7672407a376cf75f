// Methods against known bytes (as the spec lays them out and RabbitMQ's clients send them), every
// method's round trip, and frames that do not decode.
#include <gtest/gtest.h>

#include "amqp/codec/frame.hpp"
#include "amqp/codec/methods.hpp"
#include "amqp/codec/reply_codes.hpp"
#include "bytes.hpp"

namespace warren::amqp {
namespace {
using test::hex;
using test::to_hex;

std::string payload_of(const Method& m) {
    std::string frame;
    append_method(frame, 1, m);
    auto cut = cut_frame(frame, 0);
    EXPECT_EQ(cut.status, FrameCut::Status::frame);
    return std::string(cut.frame.payload);
}

template <class M> M decode_as(std::string_view payload) {
    auto decoded = decode_method(payload);
    EXPECT_TRUE(decoded.method.has_value()) << decoded.error.text;
    if (!decoded.method || !std::holds_alternative<M>(*decoded.method)) {
        ADD_FAILURE() << "not a " << M::kName;
        return M{};
    }
    return std::get<M>(*decoded.method);
}

TEST(AmqpMethods, TuneAsRabbitMqSendsIt) {
    // channel_max 2047, frame_max 131072, heartbeat 60: RabbitMQ 3.10's defaults.
    const std::string payload = hex("000a 001e 07ff 00020000 003c");
    EXPECT_EQ(payload_of(ConnectionTune{2047, 131072, 60}), payload);
    const auto tune = decode_as<ConnectionTune>(payload);
    EXPECT_EQ(tune.channel_max, 2047);
    EXPECT_EQ(tune.frame_max, 131072u);
    EXPECT_EQ(tune.heartbeat, 60);
}

TEST(AmqpMethods, PublishWithItsReservedShortAndTwoBits) {
    BasicPublish publish;
    publish.exchange = "";
    publish.routing_key = "hello";
    publish.mandatory = true;
    EXPECT_EQ(to_hex(payload_of(publish)), "003c0028"
                                           "0000"
                                           "00"
                                           "0568656c6c6f"
                                           "01");
    const auto back = decode_as<BasicPublish>(hex("003c0028 0000 03616d71 0568656c6c6f 02"));
    EXPECT_EQ(back.exchange, "amq");
    EXPECT_EQ(back.routing_key, "hello");
    EXPECT_FALSE(back.mandatory);
    EXPECT_TRUE(back.immediate);
}

TEST(AmqpMethods, ConsecutiveBitsShareAnOctetInOrder) {
    QueueDeclare declare;
    declare.queue = "q";
    declare.durable = true;
    declare.auto_delete = true;
    // passive 0, durable 1, exclusive 0, auto-delete 1, no-wait 0 -> 0b01010; then an empty table.
    EXPECT_EQ(to_hex(payload_of(declare)), "0032000a"
                                           "0000"
                                           "0171"
                                           "0a"
                                           "00000000");

    QueueDelete del;
    del.queue = "q";
    del.if_unused = true;
    del.no_wait = true;
    EXPECT_EQ(to_hex(payload_of(del)), "00320028"
                                       "0000"
                                       "0171"
                                       "05");
    const auto back = decode_as<QueueDelete>(payload_of(del));
    EXPECT_TRUE(back.if_unused);
    EXPECT_FALSE(back.if_empty);
    EXPECT_TRUE(back.no_wait);

    // A bit run ends at any other field: basic.deliver's redelivered bit, then two strings.
    BasicDeliver deliver{"ctag", 7, true, "ex", "rk"};
    EXPECT_EQ(to_hex(payload_of(deliver)), "003c003c"
                                           "0463746167"
                                           "0000000000000007"
                                           "01"
                                           "026578"
                                           "02726b");
}

TEST(AmqpMethods, EveryMethodRoundTrips) {
    const auto check = [&]<std::size_t N>(std::integral_constant<std::size_t, N>) {
        using M = std::variant_alternative_t<N, Method>;
        const Method original{M{}};
        const auto payload = payload_of(original);
        auto decoded = decode_method(payload);
        ASSERT_TRUE(decoded.method.has_value()) << M::kName << ": " << decoded.error.text;
        EXPECT_TRUE(std::holds_alternative<M>(*decoded.method)) << M::kName;
        EXPECT_EQ(class_id_of(*decoded.method), M::kClass);
        EXPECT_EQ(method_id_of(*decoded.method), M::kMethod);
        EXPECT_EQ(name_of(*decoded.method), M::kName);
        EXPECT_EQ(payload_of(*decoded.method), payload) << M::kName;
    };
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        (check(std::integral_constant<std::size_t, I>{}), ...);
    }
    (std::make_index_sequence<std::variant_size_v<Method>>{});
}

TEST(AmqpMethods, StartCarriesItsTablesAndStrings) {
    ConnectionStart start;
    start.server_properties["product"] = "warren";
    start.server_properties["capabilities"] = boost::json::object{{"publisher_confirms", true}};
    start.mechanisms = "PLAIN AMQPLAIN";
    start.locales = "en_US";
    const auto back = decode_as<ConnectionStart>(payload_of(start));
    EXPECT_EQ(back.version_major, 0);
    EXPECT_EQ(back.version_minor, 9);
    EXPECT_EQ(back.server_properties, start.server_properties);
    EXPECT_EQ(back.mechanisms, "PLAIN AMQPLAIN");
    EXPECT_EQ(back.locales, "en_US");
}

TEST(AmqpMethods, WhatDoesNotDecodeSaysWhichReplyCodeClosesTheConnection) {
    auto short_frame = decode_method(hex("000a"));
    EXPECT_FALSE(short_frame.method);
    EXPECT_EQ(short_frame.error.reply_code, reply::kFrameError);

    auto unknown_class = decode_method(hex("0063 000a"));
    EXPECT_EQ(unknown_class.error.reply_code, reply::kNotImplemented);
    EXPECT_EQ(unknown_class.error.class_id, 99);

    auto unknown_method = decode_method(hex("003c 00ff"));
    EXPECT_EQ(unknown_method.error.reply_code, reply::kCommandInvalid);
    EXPECT_EQ(unknown_method.error.method_id, 255);

    // queue.declare cut inside its name, and one whose table length runs past the payload.
    auto truncated = decode_method(hex("0032000a 0000 05 7171"));
    EXPECT_EQ(truncated.error.reply_code, reply::kSyntaxError);
    EXPECT_NE(truncated.error.text.find("queue.declare"), std::string::npos);
    auto bad_table = decode_method(hex("0032000a 0000 0171 00 00000010 01"));
    EXPECT_EQ(bad_table.error.reply_code, reply::kSyntaxError);
}

} // namespace
} // namespace warren::amqp
