// Content: the header frame's properties both ways (headers with their type letters), and
// bodies split at frame_max.
#include <gtest/gtest.h>

#include "amqp/codec/content.hpp"
#include "amqp/codec/frame.hpp"
#include "bytes.hpp"

namespace warren::amqp {
namespace {
using test::hex;
using test::to_hex;

std::vector<Frame> frames_of(std::string_view bytes) {
    std::vector<Frame> out;
    while (!bytes.empty()) {
        auto cut = cut_frame(bytes, 0);
        EXPECT_EQ(cut.status, FrameCut::Status::frame);
        if (cut.status != FrameCut::Status::frame) {
            break;
        }
        out.push_back(cut.frame);
        bytes.remove_prefix(cut.consumed);
    }
    return out;
}

TEST(AmqpContent, APersistentMessageHeaderAsPikaSendsIt) {
    // class 60, weight 0, body 5 bytes, flags: delivery-mode only, mode 2.
    auto header = decode_content_header(hex("003c 0000 0000000000000005 1000 02"));
    ASSERT_TRUE(header) << header.error().reason;
    EXPECT_EQ(header->class_id, 60);
    EXPECT_EQ(header->body_size, 5u);
    EXPECT_TRUE(header->properties.persistent());
    EXPECT_FALSE(header->properties.content_type);
    std::string out;
    append_content(out, 1, header->properties, "hello", 131072);
    const auto frames = frames_of(out);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(to_hex(frames[0].payload), "003c00000000000000000005100002");
    EXPECT_EQ(frames[1].type, FrameType::body);
    EXPECT_EQ(frames[1].payload, "hello");
}

TEST(AmqpContent, EveryPropertyRoundTrips) {
    Properties p;
    p.content_type = "application/json";
    p.content_encoding = "gzip";
    p.headers["a"] = 1;
    p.headers["b"] = "x";
    p.delivery_mode = 2;
    p.priority = 3;
    p.correlation_id = "c-1";
    p.reply_to = "amq.rabbitmq.reply-to";
    p.expiration = "60000";
    p.message_id = "m-1";
    p.timestamp = 1700000000;
    p.type = "order";
    p.user_id = "guest";
    p.app_id = "shop";
    std::string out;
    append_content(out, 9, p, "", 131072);
    const auto frames = frames_of(out);
    ASSERT_EQ(frames.size(), 1u) << "an empty body sends no body frame";
    EXPECT_EQ(frames[0].channel, 9);
    auto back = decode_content_header(frames[0].payload);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->body_size, 0u);
    EXPECT_EQ(back->properties, p);
}

TEST(AmqpContent, HeadersGoOutWithTheTypeLettersTheyCameWith) {
    // What the Java client sends for headers Byte 5, Float 1.5f, BigDecimal 3.14 and a Date.
    const std::string header = hex("003c 0000 0000000000000000 2000 0000001e"
                                   "01 62 62 05"
                                   "01 66 66 3fc00000"
                                   "01 44 44 02 0000013a"
                                   "01 54 54 0000000065000000");
    auto decoded = decode_content_header(header);
    ASSERT_TRUE(decoded) << decoded.error().reason;
    const Properties& p = decoded->properties;
    EXPECT_EQ(p.headers.at("b"), 5);
    EXPECT_EQ(p.headers.at("D"), 3.14);
    EXPECT_EQ(p.header_types.size(), 4u);
    std::string out;
    append_content(out, 1, p, "", 131072);
    const auto frames = frames_of(out);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(to_hex(frames[0].payload), to_hex(header));
}

TEST(AmqpContent, BodiesSplitAtFrameMaxAndTruncatedHeadersAreRefused) {
    const std::string body(10000, 'b');
    std::string out;
    append_content(out, 1, Properties{}, body, 4096);
    const auto frames = frames_of(out);
    ASSERT_EQ(frames.size(), 4u); // header + 4088 + 4088 + 1824
    std::string joined;
    for (std::size_t i = 1; i < frames.size(); ++i) {
        EXPECT_LE(frames[i].payload.size() + kFrameOverhead, 4096u);
        joined += frames[i].payload;
    }
    EXPECT_EQ(joined, body);

    EXPECT_FALSE(decode_content_header(hex("003c 0000 00000000")));
    EXPECT_FALSE(decode_content_header(hex("003c 0000 0000000000000005 8000 05 6170")));
    EXPECT_FALSE(decode_content_header(hex("003c 0000 0000000000000005 2000 0000ffff")));
}

} // namespace
} // namespace warren::amqp
