// WsOutbox bounds deliveries and signals resume once per episode; ConfirmQueue releases
// confirms strictly in publish order whatever order their commits complete in.

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "web/ws_outbox.hpp"

namespace warren::web {
namespace {

namespace json = boost::json;

TEST(WsOutbox, HasRoomUntilTheBound) {
    WsOutbox box(100);
    EXPECT_TRUE(box.has_room());
    box.push(std::string(60, 'a'));
    EXPECT_TRUE(box.has_room());
    box.push(std::string(60, 'b')); // one frame may overshoot
    EXPECT_FALSE(box.has_room());
    EXPECT_EQ(box.bytes(), 120u);
    EXPECT_EQ(box.front(), std::string(60, 'a'));
}

TEST(WsOutbox, ResumeOnceBelowLowWater) {
    WsOutbox box(100);
    box.push(std::string(60, 'a'));
    box.push(std::string(30, 'b'));
    box.push(std::string(20, 'c'));
    EXPECT_FALSE(box.take_resume()); // still full
    box.pop();                       // 50 left: at the low-water mark
    EXPECT_TRUE(box.take_resume());
    EXPECT_FALSE(box.take_resume()); // once per episode
    box.pop();
    box.pop();
    EXPECT_TRUE(box.empty());
    EXPECT_FALSE(box.take_resume()); // never starved again
}

TEST(WsOutbox, ReaderPausesPastTwiceTheBound) {
    WsOutbox box(10);
    box.push(std::string(20, 'a'));
    EXPECT_FALSE(box.reader_should_pause());
    box.push("x");
    EXPECT_TRUE(box.reader_should_pause());
}

std::vector<json::value> parsed(const std::vector<std::string>& frames) {
    std::vector<json::value> out;
    for (const auto& f : frames) {
        out.push_back(json::parse(f));
    }
    return out;
}

TEST(ConfirmQueue, ConfirmsLeaveInPublishOrder) {
    ConfirmQueue q;
    auto first = q.push_pending(1, true);
    q.push_ready(2, false); // transient: due at once, but behind 1
    auto third = q.push_pending(3, true);
    EXPECT_TRUE(q.take_ready().empty());
    q.complete(third, {}); // commits may complete out of order
    EXPECT_TRUE(q.take_ready().empty());
    q.complete(first, {});
    auto frames = parsed(q.take_ready());
    ASSERT_EQ(frames.size(), 3u);
    EXPECT_EQ(frames[0], json::parse(R"({"type":"confirm","confirm":1,"routed":true})"));
    EXPECT_EQ(frames[1], json::parse(R"({"type":"confirm","confirm":2,"routed":false})"));
    EXPECT_EQ(frames[2], json::parse(R"({"type":"confirm","confirm":3,"routed":true})"));
    EXPECT_EQ(q.size(), 0u);
}

TEST(ConfirmQueue, FailuresBecomeErrorFramesInTheirPlace) {
    ConfirmQueue q;
    auto a = q.push_pending(1, true);
    q.push_ready(2, true, Error{Errc::rejected, "full"}, "p2");
    q.complete(a, Error{Errc::internal, "disk on fire"});
    auto frames = parsed(q.take_ready());
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].at("type"), "error");
    EXPECT_EQ(frames[0].at("confirm"), 1);
    EXPECT_EQ(frames[0].at("error"), "internal_error");
    EXPECT_EQ(frames[1].at("error"), "rejected");
    EXPECT_EQ(frames[1].at("confirm"), 2);
    EXPECT_EQ(frames[1].at("id"), "p2");
}

TEST(ConfirmQueue, UnknownSequencesAreIgnored) {
    ConfirmQueue q;
    q.complete(5, {});
    auto a = q.push_pending(1, true);
    q.complete(a + 10, {});
    EXPECT_TRUE(q.take_ready().empty());
    q.complete(a, {});
    EXPECT_EQ(q.take_ready().size(), 1u);
    q.complete(a, {}); // already gone
    EXPECT_TRUE(q.take_ready().empty());
}

} // namespace
} // namespace warren::web
