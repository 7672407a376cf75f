// StreamOffsets: a name's stored offset is the highest offset up to which everything was acked.
#include <gtest/gtest.h>

#include "server/stream_offsets.hpp"

namespace warren::server {
namespace {

TEST(StreamOffsets, AGapHoldsTheStoredOffsetBackUntilItCloses) {
    StreamOffsets offsets;
    offsets.add("billing");
    EXPECT_EQ(offsets.stored("billing"), std::nullopt);
    EXPECT_TRUE(offsets.ack("billing", 0));
    EXPECT_EQ(offsets.stored("billing"), 0u);
    EXPECT_FALSE(offsets.ack("billing", 2)); // 1 is not acked yet
    EXPECT_FALSE(offsets.ack("billing", 3));
    EXPECT_EQ(offsets.stored("billing"), 0u);
    EXPECT_TRUE(offsets.ack("billing", 1)); // the gap closes: on through 3
    EXPECT_EQ(offsets.stored("billing"), 3u);
    EXPECT_FALSE(offsets.ack("billing", 2)); // already behind the stored offset
    EXPECT_EQ(offsets.stored("billing"), 3u);
}

TEST(StreamOffsets, AStartMovesTheOffsetForwardOnlyAndForgetsOlderAcks) {
    StreamOffsets offsets;
    EXPECT_FALSE(offsets.start_at("a", 0)); // from the first message: nothing is done
    EXPECT_EQ(offsets.stored("a"), std::nullopt);
    EXPECT_TRUE(offsets.start_at("a", 10));
    EXPECT_EQ(offsets.stored("a"), 9u);
    EXPECT_FALSE(offsets.start_at("a", 5)); // an earlier start reads again, stores nothing
    EXPECT_EQ(offsets.stored("a"), 9u);
    EXPECT_FALSE(offsets.ack("a", 12));
    EXPECT_TRUE(offsets.start_at("a", 20)); // past the held ack: it is forgotten
    EXPECT_FALSE(offsets.ack("a", 21));
    EXPECT_TRUE(offsets.ack("a", 20));
    EXPECT_EQ(offsets.stored("a"), 21u);
}

TEST(StreamOffsets, ViewsShowStoredNamesWithTheirLag) {
    StreamOffsets offsets;
    offsets.restore("a", 4);
    offsets.add("b"); // nothing stored: not shown
    offsets.set("c", 9);
    const auto views = offsets.views(10);
    ASSERT_EQ(views.size(), 2u);
    EXPECT_EQ(views[0].name, "a");
    EXPECT_EQ(views[0].offset, 4u);
    EXPECT_EQ(views[0].lag, 5u);
    EXPECT_EQ(views[1].name, "c");
    EXPECT_EQ(views[1].lag, 0u);
    EXPECT_EQ(offsets.view("b", 10), std::nullopt);
    ASSERT_TRUE(offsets.view("a", 10));
    EXPECT_EQ(offsets.view("a", 10)->lag, 5u);
}

} // namespace
} // namespace warren::server
