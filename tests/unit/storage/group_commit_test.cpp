// Group commit over a real SQLite file: what coalescing a group's rows leaves on disk, and that a
// bad batch still fails alone. The tests hold the write lock from a second connection so that
// the batches they submit are queued behind it and taken as one group.

#include <algorithm>
#include <optional>
#include <thread>

#include "store_fixture.hpp"

namespace warren::storage::testing {
namespace {

class GroupCommitTest : public StoreTest {
protected:
    // Submits `batches` so that the writer takes them as one commit group (behind a batch that
    // waits for a lock held by another connection), and waits for all their completions.
    std::vector<Result<void>> commit_as_one_group(std::vector<Batch> batches) {
        auto locker = sqlite::Db::open(dir.file("warren.db"));
        EXPECT_TRUE(locker && locker->exec("BEGIN IMMEDIATE"));
        std::optional<Result<void>> blocker;
        Batch first;
        first.put_vhosts.push_back({"blocker", "", ""});
        store->submit(std::move(first), [&](Result<void> r) { blocker = std::move(r); });
        // The writer has taken the blocker once nothing is pending; it now waits for the lock.
        // (If it was still busy, e.g. waiting for the lock to reap, the blocker joins the
        // group: either way the batches below go in one group.)
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (store->pending_bytes() != 0 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        std::vector<std::optional<Result<void>>> results(batches.size());
        for (std::size_t i = 0; i < batches.size(); ++i) {
            store->submit(std::move(batches[i]),
                          [&results, i](Result<void> r) { results[i] = std::move(r); });
        }
        const auto commits = store->writer_stats().commits.load();
        EXPECT_TRUE(locker->exec("COMMIT"));
        EXPECT_TRUE(executor.run_until([&] {
            return blocker && std::all_of(results.begin(), results.end(),
                                          [](const auto& r) { return r.has_value(); });
        }));
        // The blocker's commit (unless it joined the group) and one more: they went together.
        const auto group_commits = store->writer_stats().commits.load() - commits;
        EXPECT_GE(group_commits, 1u);
        EXPECT_LE(group_commits, 2u);
        std::vector<Result<void>> out;
        for (auto& r : results) {
            out.push_back(r.value_or(make_error(Errc::internal, "no completion")));
        }
        return out;
    }

    // One number from the database file, through a connection of its own.
    std::int64_t query(const char* sql) {
        auto db = sqlite::Db::open(dir.file("warren.db"));
        auto stmt = db->prepare(sql);
        EXPECT_TRUE(stmt);
        auto row = stmt->step();
        EXPECT_TRUE(row && *row);
        return stmt->column_int(0);
    }

    static Batch publish(std::uint64_t message_id, std::vector<EntryKey> keys) {
        Batch b;
        b.messages.push_back(message(message_id, "body"));
        for (const auto& k : keys) {
            b.entries.push_back({k.queue_id, k.seq, message_id, INT64_MAX, 0, 4});
        }
        return b;
    }

    void SetUp() override {
        StoreTest::SetUp();
        Batch b;
        b.put_queues.push_back(queue(1, "a"));
        b.put_queues.push_back(queue(2, "b"));
        ASSERT_TRUE(commit(std::move(b)));
    }
};

TEST_F(GroupCommitTest, AnEntryInsertedAndRemovedInOneGroupIsNeverWritten) {
    Batch published = publish(10, {{1, 1}});
    published.deliveries.push_back({{1, 1}, 1}); // delivered in the same turn
    Batch acked;
    acked.removed.push_back({1, 1});
    auto results = commit_as_one_group({std::move(published), std::move(acked)});
    EXPECT_TRUE(results[0]);
    EXPECT_TRUE(results[1]);
    EXPECT_EQ(query("SELECT COUNT(*) FROM entries"), 0);
    EXPECT_EQ(query("SELECT COUNT(*) FROM messages"), 0);
    EXPECT_EQ(store->writer_stats().cancelled_entries.load(), 1u);
    EXPECT_EQ(store->writer_stats().skipped_messages.load(), 1u);
    reopen();
    EXPECT_TRUE(load().entries.empty());
}

TEST_F(GroupCommitTest, AMessageStaysWhileAnotherQueueOfTheGroupHoldsIt) {
    auto results = commit_as_one_group([] {
        std::vector<Batch> v;
        v.push_back(publish(10, {{1, 1}, {2, 1}})); // fanout to both queues
        Batch acked;
        acked.removed.push_back({1, 1}); // only queue 1's copy is acked
        v.push_back(std::move(acked));
        return v;
    }());
    EXPECT_TRUE(results[0]);
    EXPECT_TRUE(results[1]);
    EXPECT_EQ(query("SELECT COUNT(*) FROM entries WHERE queue_id = 1"), 0);
    EXPECT_EQ(query("SELECT COUNT(*) FROM entries WHERE queue_id = 2 AND message_id = 10"), 1);
    EXPECT_EQ(query("SELECT COUNT(*) FROM messages WHERE id = 10"), 1);
    EXPECT_EQ(store->writer_stats().skipped_messages.load(), 0u);
    reopen();
    auto loaded = load();
    ASSERT_EQ(loaded.entries.size(), 1u);
    EXPECT_EQ(*loaded.messages[0].body, "body");
}

TEST_F(GroupCommitTest, ADeliveryCountAndARemovalOfAStoredEntryLeaveOnlyTheRemoval) {
    ASSERT_TRUE(commit(publish(10, {{1, 1}, {2, 1}})));
    ASSERT_TRUE(commit(publish(11, {{1, 2}})));
    Batch delivered;
    delivered.deliveries.push_back({{1, 1}, 1});
    delivered.deliveries.push_back({{1, 2}, 1});
    Batch acked;
    acked.removed.push_back({1, 1});
    acked.removed.push_back({2, 1});
    Batch redelivered;
    redelivered.deliveries.push_back({{1, 2}, 2});
    redelivered.deliveries.push_back({{1, 1}, 5}); // after its removal: changes nothing
    auto results =
        commit_as_one_group({std::move(delivered), std::move(acked), std::move(redelivered)});
    for (const auto& r : results) {
        EXPECT_TRUE(r);
    }
    EXPECT_EQ(query("SELECT COUNT(*) FROM entries"), 1);
    EXPECT_EQ(query("SELECT delivery_count FROM entries WHERE queue_id = 1 AND seq = 2"), 2);
    // Message 10 lost its last entry, so it went too; 11 stays.
    EXPECT_EQ(query("SELECT COUNT(*) FROM messages WHERE id = 10"), 0);
    EXPECT_EQ(query("SELECT COUNT(*) FROM messages WHERE id = 11"), 1);
    EXPECT_GE(store->writer_stats().folded_deliveries.load(), 2u);
}

TEST_F(GroupCommitTest, DeliveryCountsOfNewEntriesAreFoldedIntoTheInsert) {
    Batch published = publish(10, {{1, 1}});
    published.deliveries.push_back({{1, 1}, 1});
    Batch requeued_and_redelivered;
    requeued_and_redelivered.deliveries.push_back({{1, 1}, 2});
    auto results = commit_as_one_group({std::move(published), std::move(requeued_and_redelivered)});
    EXPECT_TRUE(results[0]);
    EXPECT_TRUE(results[1]);
    EXPECT_EQ(query("SELECT delivery_count FROM entries WHERE queue_id = 1 AND seq = 1"), 2);
    EXPECT_EQ(store->writer_stats().folded_deliveries.load(), 2u);
    reopen();
    auto loaded = load();
    ASSERT_EQ(loaded.entries.size(), 1u);
    EXPECT_EQ(loaded.entries[0].delivery_count, 2u);
}

TEST_F(GroupCommitTest, ABadBatchFailsAloneAndTheOthersCommitInOrder) {
    auto other = sqlite::Db::open(dir.file("warren.db"));
    ASSERT_TRUE(other->exec("DROP TABLE permissions"));
    Batch published = publish(10, {{1, 1}, {2, 1}});
    Batch bad = publish(11, {{1, 2}});
    bad.put_permissions.push_back({"u", "/", ".*", ".*", ".*"});
    Batch acked;
    acked.removed.push_back({1, 1});
    auto results = commit_as_one_group({std::move(published), std::move(bad), std::move(acked)});
    EXPECT_TRUE(results[0]);
    EXPECT_FALSE(results[1]);
    EXPECT_TRUE(results[2]);
    EXPECT_EQ(store->writer_stats().retried_groups.load(), 1u);
    EXPECT_EQ(store->writer_stats().failed_batches.load(), 1u);
    // The bad batch left nothing (not its message, not its entry); the others all happened.
    EXPECT_EQ(query("SELECT COUNT(*) FROM messages WHERE id = 11"), 0);
    EXPECT_EQ(query("SELECT COUNT(*) FROM entries WHERE queue_id = 1"), 0);
    EXPECT_EQ(query("SELECT COUNT(*) FROM entries WHERE queue_id = 2 AND seq = 1"), 1);
    EXPECT_EQ(query("SELECT COUNT(*) FROM messages WHERE id = 10"), 1);
}

TEST_F(GroupCommitTest, DefinitionsKeepTheirOrderAcrossTheGroup) {
    Batch put;
    put.put_exchanges.push_back({"/", "x", "direct", false, false, "{}"});
    Batch del;
    del.deleted_exchanges.emplace_back("/", "x");
    Batch put_again;
    put_again.put_exchanges.push_back({"/", "x", "fanout", false, false, "{}"});
    auto results = commit_as_one_group({std::move(put), std::move(del), std::move(put_again)});
    for (const auto& r : results) {
        EXPECT_TRUE(r);
    }
    auto defs = store->load_definitions();
    ASSERT_EQ(defs->exchanges.size(), 1u);
    EXPECT_EQ(defs->exchanges[0].type, "fanout");
}

TEST_F(GroupCommitTest, AnEntryInsertedAfterItsRemovalIsAppliedInOrder) {
    ASSERT_TRUE(commit(publish(10, {{1, 1}})));
    Batch acked;
    acked.removed.push_back({1, 1});
    // Not something the broker does (sequences only grow), but the writer must not reorder it.
    Batch again = publish(11, {{1, 1}});
    auto results = commit_as_one_group({std::move(acked), std::move(again)});
    EXPECT_TRUE(results[0]);
    EXPECT_TRUE(results[1]);
    EXPECT_EQ(query("SELECT message_id FROM entries WHERE queue_id = 1 AND seq = 1"), 11);
    EXPECT_EQ(query("SELECT COUNT(*) FROM messages"), 1);
}

TEST_F(GroupCommitTest, ACommitIntervalDelaysOnlyTheGroupAfterAGroupOfSeveral) {
    store->close();
    store.reset();
    open(sqlite::SyncMode::normal, std::chrono::seconds(1));
    auto results = commit_as_one_group({publish(10, {{1, 1}}), publish(11, {{1, 2}})});
    ASSERT_TRUE(results[0]);
    ASSERT_TRUE(results[1]);
    // The last group held two batches: the next one waits for the interval to run out...
    auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(commit(publish(12, {{1, 3}})));
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
    // ... but after a group of one (a lone submitter) the next commits at once.
    start = std::chrono::steady_clock::now();
    ASSERT_TRUE(commit(publish(13, {{1, 4}})));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
    EXPECT_EQ(query("SELECT COUNT(*) FROM entries"), 4);
}

} // namespace
} // namespace warren::storage::testing
