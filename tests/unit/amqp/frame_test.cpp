// Frames cut off a byte stream: whole, partial, several at once, and what is refused.
#include <gtest/gtest.h>

#include "amqp/codec/frame.hpp"
#include "bytes.hpp"

namespace warren::amqp {
namespace {
using test::hex;
using Status = FrameCut::Status;

TEST(AmqpFrame, AHeartbeatIsEightBytes) {
    std::string out;
    append_heartbeat(out);
    EXPECT_EQ(out, hex("08 0000 00000000 ce"));
    const auto cut = cut_frame(out, 131072);
    ASSERT_EQ(cut.status, Status::frame);
    EXPECT_EQ(cut.frame.type, FrameType::heartbeat);
    EXPECT_EQ(cut.frame.channel, 0);
    EXPECT_TRUE(cut.frame.payload.empty());
    EXPECT_EQ(cut.consumed, 8u);
}

TEST(AmqpFrame, FramesComeOffTheFrontOneAtATimeAndAPartialOneWaits) {
    std::string stream;
    append_frame(stream, FrameType::body, 3, "hello");
    append_frame(stream, FrameType::method, 1, std::string("\0\x0a\0\x0b", 4));
    const std::string partial = stream + hex("03 0003 00000005 6865"); // a third, cut short

    auto first = cut_frame(partial, 0);
    ASSERT_EQ(first.status, Status::frame);
    EXPECT_EQ(first.frame.type, FrameType::body);
    EXPECT_EQ(first.frame.channel, 3);
    EXPECT_EQ(first.frame.payload, "hello");
    auto second = cut_frame(std::string_view(partial).substr(first.consumed), 0);
    ASSERT_EQ(second.status, Status::frame);
    EXPECT_EQ(second.frame.channel, 1);
    EXPECT_EQ(second.frame.payload.size(), 4u);
    const auto rest = std::string_view(partial).substr(first.consumed + second.consumed);
    for (std::size_t n = 0; n <= rest.size(); ++n) {
        EXPECT_EQ(cut_frame(rest.substr(0, n), 0).status, Status::need_more) << n;
    }
}

TEST(AmqpFrame, ABadEndMarkerAnUnknownTypeOrAnOversizedFrameIsAnError) {
    auto bad_end = cut_frame(hex("03 0001 00000001 41 00"), 0);
    EXPECT_EQ(bad_end.status, Status::error);
    EXPECT_NE(bad_end.reason.find("frame end"), std::string::npos);

    auto unknown = cut_frame(hex("07 0001 00000000 ce"), 0);
    EXPECT_EQ(unknown.status, Status::error);
    EXPECT_NE(unknown.reason.find("type 7"), std::string::npos);

    // The size is checked before the payload arrives: a peer cannot make us buffer 4 GiB.
    auto huge = cut_frame(hex("03 0001 ffffffff"), 131072);
    EXPECT_EQ(huge.status, Status::error);
    EXPECT_NE(huge.reason.find("larger than"), std::string::npos);
    // Exactly frame_max (payload + 8) is allowed.
    std::string at_limit;
    append_frame(at_limit, FrameType::body, 1, std::string(4088, 'x'));
    EXPECT_EQ(cut_frame(at_limit, 4096).status, Status::frame);
    EXPECT_EQ(cut_frame(at_limit, 4095).status, Status::error);
}

} // namespace
} // namespace warren::amqp
