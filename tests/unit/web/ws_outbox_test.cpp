// WsOutbox keeps whole frames in order, counts the write in flight against its bound and signals
// resume once per episode; ConfirmQueue releases confirms strictly in publish order, a burst of
// them with one commit.

#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "web/ws_outbox.hpp"

namespace warren::web {
namespace {

namespace json = boost::json;

// The frames a client would read from the outbox's bytes (server frames: unmasked).
std::vector<std::string> frames_in(std::string_view bytes) {
    std::string copy(bytes);
    ws_frame::FrameReader reader(ws_frame::Role::client, 1u << 20);
    std::vector<std::string> out;
    std::size_t at = 0;
    for (;;) {
        std::size_t consumed = 0;
        auto e = reader.next(copy.data() + at, copy.size() - at, consumed);
        at += consumed;
        if (e.kind == ws_frame::Event::Kind::need_more) {
            EXPECT_EQ(at, copy.size()) << "a frame was cut";
            return out;
        }
        out.emplace_back(e.payload);
    }
}

TEST(WsOutbox, FramesGoOutWholeAndInOrderInOneWrite) {
    WsOutbox box(1000);
    box.push_text("one");
    box.push_control(ws_frame::Opcode::pong, "p");
    std::string& scratch = box.scratch();
    scratch = std::string(300, 'x');
    box.push_text(scratch);
    EXPECT_FALSE(box.empty());
    const std::string_view data = box.take();
    EXPECT_TRUE(box.empty()); // taken, but still counted until written
    EXPECT_FALSE(box.idle());
    EXPECT_EQ(box.bytes(), data.size());
    // While the write is out, new frames wait for the next one.
    box.push_text("two");
    EXPECT_EQ(frames_in(data), (std::vector<std::string>{"one", "p", std::string(300, 'x')}));
    box.written();
    EXPECT_EQ(frames_in(box.take()), std::vector<std::string>{"two"});
    box.written();
    EXPECT_TRUE(box.idle());
    EXPECT_EQ(box.bytes(), 0u);
    EXPECT_TRUE(box.scratch().empty()); // handed out cleared
}

TEST(WsOutbox, HasRoomUntilTheBoundCountingTheWriteInFlight) {
    WsOutbox box(100);
    EXPECT_TRUE(box.has_room());
    box.push_text(std::string(58, 'a')); // 60 bytes with its header
    EXPECT_TRUE(box.has_room());
    (void)box.take();
    EXPECT_TRUE(box.has_room());
    box.push_text(std::string(58, 'b')); // one frame may overshoot
    EXPECT_FALSE(box.has_room());
    EXPECT_EQ(box.bytes(), 120u);
    box.written();
    EXPECT_TRUE(box.has_room());
}

TEST(WsOutbox, ResumeOnceBelowLowWater) {
    WsOutbox box(100);
    box.push_text(std::string(58, 'a'));
    box.push_text(std::string(58, 'b'));
    EXPECT_FALSE(box.take_resume()); // still full
    (void)box.take();
    box.written();
    EXPECT_TRUE(box.take_resume());  // empty now: below the low-water mark
    EXPECT_FALSE(box.take_resume()); // once per episode
    box.push_text("c");
    EXPECT_FALSE(box.take_resume()); // never starved again
}

TEST(WsOutbox, ReaderPausesPastTwiceTheBound) {
    WsOutbox box(10);
    box.push_text(std::string(18, 'a')); // 20 bytes
    EXPECT_FALSE(box.reader_should_pause());
    box.push_control(ws_frame::Opcode::ping);
    EXPECT_TRUE(box.reader_should_pause());
}

std::vector<json::value> parsed(WsOutbox& box) {
    std::vector<json::value> out;
    for (const auto& f : frames_in(box.take())) {
        out.push_back(json::parse(f));
    }
    box.written();
    return out;
}

TEST(ConfirmQueue, ConfirmsLeaveInPublishOrder) {
    ConfirmQueue q;
    WsOutbox box(1u << 20);
    auto first = q.push_pending(1, true);
    q.push_ready(2, false); // transient: due at once, but behind 1
    auto third = q.push_pending(3, true);
    EXPECT_EQ(q.take_ready(box), 0u);
    EXPECT_TRUE(box.empty());
    q.complete_through(first, {}); // the commit of the first covers only the first
    EXPECT_EQ(q.take_ready(box), 2u);
    auto frames = parsed(box);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0], json::parse(R"({"type":"confirm","confirm":1,"routed":true})"));
    EXPECT_EQ(frames[1], json::parse(R"({"type":"confirm","confirm":2,"routed":false})"));
    q.complete_through(third, {});
    EXPECT_EQ(q.take_ready(box), 1u);
    frames = parsed(box);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0], json::parse(R"({"type":"confirm","confirm":3,"routed":true})"));
    EXPECT_EQ(q.size(), 0u);
}

TEST(ConfirmQueue, OneCommitAnswersABurst) {
    ConfirmQueue q;
    WsOutbox box(1u << 20);
    std::uint64_t last = 0;
    for (int i = 0; i < 50; ++i) {
        last = q.push_pending(i, true);
    }
    auto later = q.push_pending(99, true); // read after the commit wait was asked for
    q.complete_through(last, {});
    EXPECT_EQ(q.take_ready(box), 50u);
    auto frames = parsed(box);
    ASSERT_EQ(frames.size(), 50u);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(frames[static_cast<std::size_t>(i)].at("confirm"), i);
    }
    EXPECT_EQ(q.size(), 1u);
    q.complete_through(later, {});
    EXPECT_EQ(q.take_ready(box), 1u);
}

TEST(ConfirmQueue, FailuresBecomeErrorFramesInTheirPlace) {
    ConfirmQueue q;
    WsOutbox box(1u << 20);
    auto a = q.push_pending(1, true);
    q.push_ready(2, true, Error{Errc::rejected, "full"}, "p2");
    q.complete_through(a, Error{Errc::internal, "disk on fire"});
    EXPECT_EQ(q.take_ready(box), 2u);
    auto frames = parsed(box);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].at("type"), "error");
    EXPECT_EQ(frames[0].at("confirm"), 1);
    EXPECT_EQ(frames[0].at("error"), "internal_error");
    EXPECT_EQ(frames[1].at("error"), "rejected");
    EXPECT_EQ(frames[1].at("confirm"), 2);
    EXPECT_EQ(frames[1].at("id"), "p2");
}

TEST(ConfirmQueue, CommitsOfNothingPendingChangeNothing) {
    ConfirmQueue q;
    WsOutbox box(1u << 20);
    q.complete_through(5, {});
    auto a = q.push_pending(1, true);
    q.complete_through(a - 1, {}); // an earlier commit: not this one's
    EXPECT_EQ(q.take_ready(box), 0u);
    q.complete_through(a, {});
    EXPECT_EQ(q.take_ready(box), 1u);
    q.complete_through(a, {}); // already gone
    EXPECT_EQ(q.take_ready(box), 0u);
}

} // namespace
} // namespace warren::web
