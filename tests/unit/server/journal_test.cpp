// Journal::flush: it answers once everything journaled before it is committed, and at once when
// nothing is pending or in flight (what a stream reader relies on to read its next page without
// a round trip through the writer).
#include <deque>
#include <functional>

#include <gtest/gtest.h>

#include "server/journal.hpp"
#include "storage/memory_store.hpp"

namespace warren::server {
namespace {

// A hand-run executor: what is posted runs when the test says.
struct Posted {
    std::deque<std::function<void()>> queue;
    storage::Post post() {
        return [this](std::function<void()> f) { queue.push_back(std::move(f)); };
    }
    void run_all() {
        while (!queue.empty()) {
            auto f = std::move(queue.front());
            queue.pop_front();
            f();
        }
    }
};

TEST(Journal, FlushWithNothingPendingOrInFlightAnswersAtOnce) {
    Posted executor;
    storage::MemoryStore store(executor.post());
    Journal journal(&store, executor.post());
    bool done = false;
    journal.flush([&](Result<void> r) { done = r.has_value(); });
    EXPECT_TRUE(done);
    EXPECT_TRUE(executor.queue.empty()); // no batch was submitted for it
}

TEST(Journal, FlushWaitsForWhatIsPendingAndForWhatIsInFlight) {
    Posted executor;
    storage::MemoryStore store(executor.post());
    Journal journal(&store, executor.post());

    journal.batch().removed.push_back({1, 1});
    bool first = false;
    journal.flush([&](Result<void>) { first = true; });
    EXPECT_FALSE(first); // pending: it waits for the commit
    journal.flush_now(); // submitted: now in flight, its completion not yet run

    bool second = false;
    journal.flush([&](Result<void>) { second = true; });
    EXPECT_FALSE(second) << "a batch is still in flight: a flush must wait for it";

    executor.run_all();
    EXPECT_TRUE(first);
    EXPECT_TRUE(second);

    bool third = false;
    journal.flush([&](Result<void>) { third = true; });
    EXPECT_TRUE(third) << "everything is committed: the flush answers at once";
}

} // namespace
} // namespace warren::server
