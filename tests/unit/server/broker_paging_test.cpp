// Queue paging: a backlog past the memory budget stays in the store and comes back in order;
// purge and restart behave; alarms stop publishers. Typed over MemoryStore and SqliteStore; a
// restart is a new Broker over what the last one left.

#include <gtest/gtest.h>

#include "server/connection.hpp"
#include "server/core.hpp"
#include "server/vhost.hpp"
#include "support/manual_executor.hpp"
#include "support/store_kinds.hpp"

namespace warren::server {
namespace {

constexpr std::uint64_t kSmallBudget = 64 * 1024;

template <class Kind> class PagingTest : public ::testing::Test {
protected:
    void SetUp() override { start(); }
    void TearDown() override { stop(); }

    // A start over what the last run left: the same file (SQLite) or MemoryStore object.
    void start() {
        kind.open();
        ASSERT_FALSE(::testing::Test::HasFatalFailure());
        broker = std::make_unique<Core>(clock, &kind.store(), executor.poster());
        broker->set_memory_budget(kSmallBudget);
        ASSERT_TRUE(broker->recover());
    }

    void stop() {
        if (!broker) {
            return;
        }
        flush();
        broker.reset();
        kind.close();
    }

    void flush() {
        bool done = false;
        broker->flush([&](Result<void>) { done = true; });
        ASSERT_TRUE(executor.run_until([&] { return done; }));
    }

    void publish(int i, bool persistent = true) {
        Properties props;
        props.delivery_mode = persistent ? 2 : 1;
        auto r = broker->publish(
            "/", "",
            make_message("", "q", props, "message-" + std::to_string(i) + std::string(90, '.')));
        ASSERT_TRUE(r && r->routed);
    }

    // A persistent message of group `key` (header "k") to queue "q".
    void publish_keyed(const std::string& key, int i) {
        Properties props;
        props.delivery_mode = 2;
        props.headers["k"] = key;
        auto r =
            broker->publish("/", "", make_message("", "q", props, key + "-" + std::to_string(i)));
        ASSERT_TRUE(r && r->routed);
    }

    std::shared_ptr<Queue> queue() { return broker->find_vhost("/")->find_queue("q"); }

    // Gets everything, letting page-ins complete in between; returns the message numbers.
    std::vector<int> drain() {
        std::vector<int> out;
        for (int idle = 0; idle < 200;) {
            auto got = broker->get("/", "q", 500, GetMode::ack_requeue_false).value();
            for (const auto& g : got) {
                const std::string& body = *g.entry.message->body;
                out.push_back(std::stoi(body.substr(8, body.find('.') - 8)));
            }
            if (got.empty()) {
                if (queue()->messages_ready() == 0) {
                    break;
                }
                ++idle;
                executor.run_until([] { return false; }, std::chrono::milliseconds(20));
            }
        }
        return out;
    }

    static std::vector<int> range(int n) {
        std::vector<int> v(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            v[static_cast<std::size_t>(i)] = i;
        }
        return v;
    }

    warren::testing::ManualExecutor executor;
    FakeClock clock;
    Kind kind{executor.poster()};
    std::unique_ptr<Core> broker;
};

using StoreKinds =
    ::testing::Types<warren::testing::MemoryStoreKind, warren::testing::SqliteStoreKind>;
TYPED_TEST_SUITE(PagingTest, StoreKinds, warren::testing::StoreKindName);

TYPED_TEST(PagingTest, BacklogPastTheBudgetStaysOnDiskAndComesBackInOrder) {
    QueueSpec spec;
    spec.name = "q";
    ASSERT_TRUE(this->broker->declare_queue("/", spec));
    for (int i = 0; i < 5000; ++i) {
        this->publish(i);
    }
    EXPECT_EQ(this->queue()->messages_ready(), 5000u);
    EXPECT_GT(this->queue()->messages_paged_out(), 3000u);
    // Memory holds about the budget plus one page-in window, not the backlog.
    EXPECT_LT(this->queue()->messages_in_memory(), 2000u);
    auto got = this->drain();
    EXPECT_EQ(got.size(), 5000u);
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (got[i] != static_cast<int>(i)) {
            ADD_FAILURE() << "first difference at " << i << ": " << got[i];
            break;
        }
    }
    EXPECT_EQ(got, this->range(5000));
}

// A stream's in-memory tail counts toward the budget and shrinks past it: what it holds is
// stored, and readers read it back from the store.
TYPED_TEST(PagingTest, AStreamTailCountsTowardTheBudgetAndShrinksPastIt) {
    QueueSpec spec;
    spec.name = "q";
    spec.arguments["x-queue-type"] = "stream";
    ASSERT_TRUE(this->broker->declare_queue("/", spec));
    const std::int64_t before = this->broker->memory_in_use();
    for (int i = 0; i < 100; ++i) {
        this->publish(i);
    }
    this->flush();
    const std::int64_t hundred = this->broker->memory_in_use() - before;
    EXPECT_GT(hundred, 100 * 90) << "the tail is counted";
    // Past the 64 KiB budget the tail keeps at most 256 KiB / 1024 entries, not 4 MiB / 16 384.
    for (int i = 100; i < 5000; ++i) {
        this->publish(i);
    }
    this->flush();
    const std::int64_t tail = this->broker->memory_in_use() - before;
    EXPECT_LE(tail, static_cast<std::int64_t>(StreamLog::kPressedCacheBytes) + 1024)
        << "5000 messages of ~100 B would be ~500 KB";
    EXPECT_EQ(this->queue()->stream()->messages(), 5000u) << "retention is not the cache";
    // Deleting the stream gives its tail back.
    ASSERT_TRUE(this->broker->delete_queue("/", "q", false, false));
    EXPECT_EQ(this->broker->memory_in_use(), before);
}

TYPED_TEST(PagingTest, PagedBacklogSurvivesRestart) {
    QueueSpec spec;
    spec.name = "q";
    ASSERT_TRUE(this->broker->declare_queue("/", spec));
    for (int i = 0; i < 6000; ++i) {
        this->publish(i);
    }
    this->stop();
    this->start();
    EXPECT_EQ(this->queue()->messages_ready(), 6000u);
    EXPECT_LE(this->queue()->messages_in_memory(), 4096u);
    this->publish(6000); // after a recovered tail, new messages still queue behind it
    EXPECT_EQ(this->drain(), this->range(6001));
}

TYPED_TEST(PagingTest, PurgeTakesThePagedBacklogToo) {
    QueueSpec spec;
    spec.name = "q";
    ASSERT_TRUE(this->broker->declare_queue("/", spec));
    for (int i = 0; i < 3000; ++i) {
        this->publish(i);
    }
    EXPECT_EQ(*this->broker->purge_queue("/", "q"), 3000u);
    EXPECT_EQ(this->queue()->messages_ready(), 0u);
    this->publish(7);
    this->stop();
    this->start();
    EXPECT_EQ(this->drain(), std::vector<int>{7});
}

TYPED_TEST(PagingTest, TransientMessagesKeepTheirPlaceAndAreDroppedOnRestart) {
    QueueSpec spec;
    spec.name = "q";
    ASSERT_TRUE(this->broker->declare_queue("/", spec));
    for (int i = 0; i < 2000; ++i) {
        this->publish(i, i % 2 == 0); // odd ones are transient
    }
    EXPECT_EQ(this->drain(), this->range(2000));
    for (int i = 0; i < 2000; ++i) {
        this->publish(i, i % 2 == 0);
    }
    this->stop();
    this->start();
    std::vector<int> even;
    for (int i = 0; i < 2000; i += 2) {
        even.push_back(i);
    }
    EXPECT_EQ(this->drain(), even);
}

class Sink : public DeliverySink {
public:
    bool ready() const override { return true; }
    void deliver(const Delivery& d) override {
        bodies.push_back(*d.message->body);
        tags.push_back(d.delivery_tag);
        redelivered.push_back(d.redelivered);
    }
    std::vector<std::string> bodies;
    std::vector<std::uint64_t> tags;
    std::vector<bool> redelivered;
};

// A held group at the head of a paged backlog does not block the groups behind it on disk.
TYPED_TEST(PagingTest, AHeldGroupDoesNotBlockGroupsPagedOutBehindIt) {
    QueueSpec spec;
    spec.name = "q";
    spec.arguments = {{"x-group-by", "header:k"}};
    ASSERT_TRUE(this->broker->declare_queue("/", spec));
    for (int i = 0; i < 3000; ++i) {
        this->publish_keyed("big", i);
    }
    for (int i = 0; i < 5; ++i) {
        this->publish_keyed("small", i);
    }
    EXPECT_GT(this->queue()->messages_paged_out(), 1000u);
    Sink sink;
    auto c = this->broker->open_connection("c", "guest");
    ConsumeOptions options;
    options.prefetch = 100;
    ASSERT_TRUE(c->consume("/", "q", options, sink));
    // big-0 is held; small-0 is behind 2999 more of big, most of them on disk.
    this->executor.run_until([&] { return sink.bodies.size() >= 2; });
    ASSERT_EQ(sink.bodies, (std::vector<std::string>{"big-0", "small-0"}));
    for (int i = 1; i < 5; ++i) {
        ASSERT_TRUE(c->ack(sink.tags.back(), false));
        ASSERT_EQ(sink.bodies.back(), "small-" + std::to_string(i));
    }
    EXPECT_EQ(this->queue()->message_groups(), 2u);
}

// After a restart a group's unacked head is still first, marked redelivered.
TYPED_TEST(PagingTest, AGroupsOrderSurvivesARestart) {
    QueueSpec spec;
    spec.name = "q";
    spec.arguments = {{"x-group-by", "header:k"}};
    ASSERT_TRUE(this->broker->declare_queue("/", spec));
    for (int i = 0; i < 3; ++i) {
        this->publish_keyed("a", i);
        this->publish_keyed("b", i);
    }
    {
        Sink sink;
        auto c = this->broker->open_connection("c", "guest");
        ConsumeOptions options;
        options.prefetch = 10;
        ASSERT_TRUE(c->consume("/", "q", options, sink));
        ASSERT_EQ(sink.bodies, (std::vector<std::string>{"a-0", "b-0"}));
        ASSERT_TRUE(c->ack(sink.tags[1], false)); // b-0 done; a-0 still held at the crash
        ASSERT_EQ(sink.bodies.back(), "b-1");
        this->flush();
    }
    this->stop();
    this->start();
    Sink sink;
    auto c = this->broker->open_connection("c", "guest");
    ConsumeOptions options;
    options.prefetch = 10;
    ASSERT_TRUE(c->consume("/", "q", options, sink));
    ASSERT_EQ(sink.bodies, (std::vector<std::string>{"a-0", "b-1"}));
    EXPECT_TRUE(sink.redelivered[0]);
    EXPECT_TRUE(sink.redelivered[1]);
}

TYPED_TEST(PagingTest, AlarmsRefusePublishesUntilCleared) {
    QueueSpec spec;
    spec.name = "q";
    ASSERT_TRUE(this->broker->declare_queue("/", spec));
    this->broker->set_alarm(Core::Alarm::disk, true, "disk alarm: test");
    auto r = this->broker->publish("/", "", make_message("", "q", {}, "x"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::resource_alarm);
    EXPECT_EQ(this->broker->alarms().size(), 1u);
    this->broker->set_alarm(Core::Alarm::disk, false);
    EXPECT_TRUE(this->broker->publish("/", "", make_message("", "q", {}, "x")));
}

} // namespace
} // namespace warren::server
