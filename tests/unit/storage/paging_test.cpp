// Queue paging over a real SQLite store: a backlog past the memory budget stays on disk and comes
// back in order; purge and restart behave; alarms stop publishers.

#include <gtest/gtest.h>

#include "server/core.hpp"
#include "server/vhost.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "support/manual_executor.hpp"
#include "support/temp_dir.hpp"

namespace warren::server {
namespace {

constexpr std::uint64_t kSmallBudget = 64 * 1024;

class PagingTest : public ::testing::Test {
protected:
    void SetUp() override { start(); }
    void TearDown() override { stop(); }

    void start() {
        storage::sqlite::SqliteOptions options;
        options.path = dir.file("warren.db");
        store = std::move(*storage::sqlite::SqliteStore::open(options, executor.poster()));
        broker = std::make_unique<Core>(clock, store.get(), executor.poster());
        broker->set_memory_budget(kSmallBudget);
        ASSERT_TRUE(broker->recover());
    }

    void stop() {
        flush();
        broker.reset();
        store->close();
        store.reset();
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

    warren::testing::TempDir dir;
    warren::testing::ManualExecutor executor;
    FakeClock clock;
    std::unique_ptr<storage::sqlite::SqliteStore> store;
    std::unique_ptr<Core> broker;
};

TEST_F(PagingTest, BacklogPastTheBudgetStaysOnDiskAndComesBackInOrder) {
    QueueSpec spec;
    spec.name = "q";
    ASSERT_TRUE(broker->declare_queue("/", spec));
    for (int i = 0; i < 5000; ++i) {
        publish(i);
    }
    EXPECT_EQ(queue()->messages_ready(), 5000u);
    EXPECT_GT(queue()->messages_paged_out(), 3000u);
    // Memory holds about the budget plus one page-in window, not the backlog.
    EXPECT_LT(queue()->messages_in_memory(), 2000u);
    auto got = drain();
    EXPECT_EQ(got.size(), 5000u);
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (got[i] != static_cast<int>(i)) {
            ADD_FAILURE() << "first difference at " << i << ": " << got[i];
            break;
        }
    }
    EXPECT_EQ(got, range(5000));
}

TEST_F(PagingTest, PagedBacklogSurvivesRestart) {
    QueueSpec spec;
    spec.name = "q";
    ASSERT_TRUE(broker->declare_queue("/", spec));
    for (int i = 0; i < 6000; ++i) {
        publish(i);
    }
    stop();
    start();
    EXPECT_EQ(queue()->messages_ready(), 6000u);
    EXPECT_LE(queue()->messages_in_memory(), 4096u);
    publish(6000); // after a recovered tail, new messages still queue behind it
    EXPECT_EQ(drain(), range(6001));
}

TEST_F(PagingTest, PurgeTakesThePagedBacklogToo) {
    QueueSpec spec;
    spec.name = "q";
    ASSERT_TRUE(broker->declare_queue("/", spec));
    for (int i = 0; i < 3000; ++i) {
        publish(i);
    }
    EXPECT_EQ(*broker->purge_queue("/", "q"), 3000u);
    EXPECT_EQ(queue()->messages_ready(), 0u);
    publish(7);
    stop();
    start();
    EXPECT_EQ(drain(), std::vector<int>{7});
}

TEST_F(PagingTest, TransientMessagesKeepTheirPlaceAndAreDroppedOnRestart) {
    QueueSpec spec;
    spec.name = "q";
    ASSERT_TRUE(broker->declare_queue("/", spec));
    for (int i = 0; i < 2000; ++i) {
        publish(i, i % 2 == 0); // odd ones are transient
    }
    EXPECT_EQ(drain(), range(2000));
    for (int i = 0; i < 2000; ++i) {
        publish(i, i % 2 == 0);
    }
    stop();
    start();
    std::vector<int> even;
    for (int i = 0; i < 2000; i += 2) {
        even.push_back(i);
    }
    EXPECT_EQ(drain(), even);
}

TEST_F(PagingTest, AlarmsRefusePublishesUntilCleared) {
    QueueSpec spec;
    spec.name = "q";
    ASSERT_TRUE(broker->declare_queue("/", spec));
    broker->set_alarm(Core::Alarm::disk, true, "disk alarm: test");
    auto r = broker->publish("/", "", make_message("", "q", {}, "x"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::resource_alarm);
    EXPECT_EQ(broker->alarms().size(), 1u);
    broker->set_alarm(Core::Alarm::disk, false);
    EXPECT_TRUE(broker->publish("/", "", make_message("", "q", {}, "x")));
}

} // namespace
} // namespace warren::server
