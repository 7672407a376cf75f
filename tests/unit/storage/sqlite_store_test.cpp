#include <thread>

#include "store_fixture.hpp"

namespace warren::storage::testing {
namespace {

TEST_F(StoreTest, DefinitionsSurviveReopen) {
    Batch b;
    b.put_vhosts.push_back({"staging", "for tests", "a,b"});
    b.put_exchanges.push_back(
        {"/", "events", "topic", false, false, R"({"alternate-exchange":"ae"})"});
    b.put_queues.push_back(queue(7, "orders"));
    b.put_bindings.push_back({"/", "events", "orders", false, "order.*", "{}"});
    b.put_users.push_back({"alice", "hash", "rabbit_password_hashing_sha256", "administrator"});
    b.put_permissions.push_back({"alice", "/", ".*", ".*", ".*"});
    ASSERT_TRUE(commit(std::move(b)));
    reopen();
    auto d = store->load_definitions();
    ASSERT_TRUE(d);
    ASSERT_EQ(d->vhosts.size(), 1u);
    EXPECT_EQ(d->vhosts[0].description, "for tests");
    ASSERT_EQ(d->exchanges.size(), 1u);
    EXPECT_EQ(d->exchanges[0].type, "topic");
    EXPECT_EQ(d->exchanges[0].arguments, R"({"alternate-exchange":"ae"})");
    ASSERT_EQ(d->queues.size(), 1u);
    EXPECT_EQ(d->queues[0].id, 7u);
    ASSERT_EQ(d->bindings.size(), 1u);
    EXPECT_EQ(d->bindings[0].routing_key, "order.*");
    ASSERT_EQ(d->users.size(), 1u);
    EXPECT_EQ(d->users[0].tags, "administrator");
    ASSERT_EQ(d->permissions.size(), 1u);
}

TEST_F(StoreTest, DeletesRemoveDefinitions) {
    Batch b;
    b.put_exchanges.push_back({"/", "x", "direct", false, false, "{}"});
    b.put_exchanges.push_back({"/", "y", "fanout", false, false, "{}"});
    b.put_queues.push_back(queue(1, "q"));
    b.put_bindings.push_back({"/", "x", "q", false, "k", "{}"});
    b.put_bindings.push_back({"/", "y", "x", true, "", "{}"});
    ASSERT_TRUE(commit(std::move(b)));
    Batch d;
    d.deleted_exchanges.emplace_back("/", "x"); // takes both bindings that touch it
    ASSERT_TRUE(commit(std::move(d)));
    auto defs = store->load_definitions();
    EXPECT_EQ(defs->exchanges.size(), 1u);
    EXPECT_TRUE(defs->bindings.empty());
    Batch q;
    q.deleted_queues.push_back(1);
    ASSERT_TRUE(commit(std::move(q)));
    EXPECT_TRUE(store->load_definitions()->queues.empty());
}

TEST_F(StoreTest, MessagesAndEntriesRoundTrip) {
    Batch b;
    b.put_queues.push_back(queue(1, "a"));
    b.put_queues.push_back(queue(2, "b"));
    auto body = std::string("\x00\x01binary\xff", 9);
    b.messages.push_back(
        {10, "fan", "rk", R"({"delivery_mode":2})", std::make_shared<const std::string>(body)});
    b.entries.push_back({1, 1, 10, INT64_MAX, 0});
    b.entries.push_back({2, 1, 10, 12345, 0});
    ASSERT_TRUE(commit(std::move(b)));
    reopen();
    auto loaded = load();
    ASSERT_EQ(loaded.entries.size(), 2u);
    EXPECT_EQ(*loaded.messages[0].body, body);
    EXPECT_EQ(loaded.messages[0].properties, R"({"delivery_mode":2})");
    EXPECT_EQ(loaded.entries[1].queue_id, 2u);
    EXPECT_EQ(loaded.entries[1].expires_at, 12345);
    EXPECT_EQ(loaded.stats.max_message_id, 10u);
    EXPECT_EQ(loaded.stats.max_queue_id, 2u);
}

TEST_F(StoreTest, LastRemovedEntryDeletesTheMessage) {
    Batch b;
    b.put_queues.push_back(queue(1, "a"));
    b.put_queues.push_back(queue(2, "b"));
    b.messages.push_back(message(5, "shared"));
    b.entries.push_back({1, 1, 5, INT64_MAX, 0});
    b.entries.push_back({2, 1, 5, INT64_MAX, 0});
    ASSERT_TRUE(commit(std::move(b)));
    Batch ack1;
    ack1.removed.push_back({1, 1});
    ASSERT_TRUE(commit(std::move(ack1)));
    EXPECT_EQ(load().entries.size(), 1u);
    Batch ack2;
    ack2.removed.push_back({2, 1});
    ASSERT_TRUE(commit(std::move(ack2)));
    auto loaded = load();
    EXPECT_TRUE(loaded.entries.empty());
    // The message row went with its last entry.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.file("warren.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM messages", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

TEST_F(StoreTest, DeliveryCountsArePersisted) {
    Batch b;
    b.put_queues.push_back(queue(1, "a"));
    b.messages.push_back(message(1, "m"));
    b.entries.push_back({1, 1, 1, INT64_MAX, 0});
    ASSERT_TRUE(commit(std::move(b)));
    Batch d;
    d.deliveries.push_back({{1, 1}, 3});
    ASSERT_TRUE(commit(std::move(d)));
    reopen();
    auto loaded = load();
    ASSERT_EQ(loaded.entries.size(), 1u);
    EXPECT_EQ(loaded.entries[0].delivery_count, 3u);
}

TEST_F(StoreTest, PurgedRangesAreHiddenAtOnceAndReapedInTheBackground) {
    Batch b;
    b.put_queues.push_back(queue(1, "a"));
    for (std::uint64_t i = 1; i <= 12000; ++i) {
        b.messages.push_back(message(i, "m"));
        b.entries.push_back({1, i, i, INT64_MAX, 0});
    }
    ASSERT_TRUE(commit(std::move(b)));
    Batch p;
    p.purged.push_back({1, 1, 4999});
    p.purged.push_back({1, 5001, 12000}); // 5000 was out with a consumer
    ASSERT_TRUE(commit(std::move(p)));
    auto loaded = load();
    ASSERT_EQ(loaded.entries.size(), 1u);
    EXPECT_EQ(loaded.entries[0].seq, 5000u);
    // The writer reaps in chunks while idle; wait for it to finish.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (store->writer_stats().reaped_entries < 11999 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_GE(store->writer_stats().reaped_entries, 11999u);
    reopen();
    EXPECT_EQ(load().entries.size(), 1u);
}

TEST_F(StoreTest, DeletedQueueEntriesDisappear) {
    Batch b;
    b.put_queues.push_back(queue(3, "gone"));
    for (std::uint64_t i = 1; i <= 100; ++i) {
        b.messages.push_back(message(i, "m"));
        b.entries.push_back({3, i, i, INT64_MAX, 0});
    }
    ASSERT_TRUE(commit(std::move(b)));
    Batch d;
    d.deleted_queues.push_back(3);
    ASSERT_TRUE(commit(std::move(d)));
    EXPECT_TRUE(load().entries.empty());
    reopen();
    EXPECT_TRUE(load().entries.empty());
}

TEST_F(StoreTest, SequencesNeverGoBackIntoAnUnreapedRange) {
    store->close();
    store.reset();
    // A doomed range left behind by a crash before the background delete reached it.
    auto db = sqlite::Db::open(dir.file("warren.db"));
    ASSERT_TRUE(db->exec("INSERT INTO queues VALUES (1, '/', 'q', 0, '{}');"
                         "INSERT INTO messages VALUES (1, '', 'q', '', x'00');"
                         "INSERT INTO entries VALUES (1, 40, 1, 9223372036854775807, 0, 1);"
                         "INSERT INTO doomed (queue_id, from_seq, up_to_seq) VALUES (1, 1, 90);"));
    open();
    auto defs = store->load_definitions();
    ASSERT_EQ(defs->queues.size(), 1u);
    EXPECT_TRUE(load().entries.empty());
    // The writer starts reaping at once, so the range may be gone already; what must hold is
    // that no stale row is left at or after the sequence the queue will use next.
    if (defs->queues[0].last_seq < 90) {
        auto check = sqlite::Db::open(dir.file("warren.db"));
        auto stmt = check->prepare("SELECT COUNT(*) FROM entries WHERE queue_id = 1");
        ASSERT_TRUE(*stmt->step());
        EXPECT_EQ(stmt->column_int(0), 0);
    } else {
        EXPECT_EQ(defs->queues[0].last_seq, 90u);
    }
}

TEST_F(StoreTest, ABadBatchFailsAloneInItsGroup) {
    // Break one table behind the store's back so that one batch fails for real.
    auto other = sqlite::Db::open(dir.file("warren.db"));
    ASSERT_TRUE(other->exec("DROP TABLE permissions"));
    Batch good;
    good.put_queues.push_back(queue(1, "a"));
    Batch bad;
    bad.put_queues.push_back(queue(2, "b"));
    bad.put_permissions.push_back({"u", "/", ".*", ".*", ".*"});
    std::optional<Result<void>> r1, r2;
    store->submit(std::move(good), [&](Result<void> r) { r1 = r; });
    store->submit(std::move(bad), [&](Result<void> r) { r2 = r; });
    ASSERT_TRUE(executor.run_until([&] { return r1 && r2; }));
    EXPECT_TRUE(*r1);
    EXPECT_FALSE(*r2);
    auto stmt = other->prepare("SELECT name FROM queues");
    ASSERT_TRUE(stmt);
    ASSERT_TRUE(*stmt->step());
    EXPECT_EQ(stmt->column_text(0), "a"); // the good batch committed, the bad one left nothing
    EXPECT_FALSE(*stmt->step());
}

TEST_F(StoreTest, ManyBatchesAreGroupedIntoFewCommits) {
    Batch q;
    q.put_queues.push_back(queue(1, "a"));
    ASSERT_TRUE(commit(std::move(q)));
    const auto commits_before = store->writer_stats().commits.load();
    int done = 0;
    for (std::uint64_t i = 1; i <= 2000; ++i) {
        Batch b;
        b.messages.push_back(message(i, "m"));
        b.entries.push_back({1, i, i, INT64_MAX, 0});
        store->submit(std::move(b), [&](Result<void> r) { done += r ? 1 : 0; });
    }
    ASSERT_TRUE(executor.run_until([&] { return done == 2000; }));
    EXPECT_LT(store->writer_stats().commits.load() - commits_before, 2000u);
    EXPECT_EQ(load().entries.size(), 2000u);
}

TEST_F(StoreTest, FullSyncModeWorksToo) {
    store->close();
    store.reset();
    open(sqlite::SyncMode::full);
    Batch b;
    b.put_queues.push_back(queue(1, "a"));
    ASSERT_TRUE(commit(std::move(b)));
    EXPECT_EQ(store->load_definitions()->queues.size(), 1u);
}

TEST_F(StoreTest, SubmitAfterCloseFailsWithoutHanging) {
    store->close();
    std::optional<Result<void>> r;
    store->submit(Batch{}, [&](Result<void> x) { r = x; });
    ASSERT_TRUE(executor.run_until([&] { return r.has_value(); }));
    EXPECT_FALSE(*r);
}

} // namespace
} // namespace warren::storage::testing
