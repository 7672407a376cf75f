// The Store contract (storage/store.hpp) as one typed suite, run on MemoryStore and SqliteStore
// alike: every Batch field, upserts and cascades, what a reopen recovers, load limits and tails,
// ids and sequences, page-in reads, and when completions run. It is over 400 lines because it is
// the whole contract in one place: a new Store is done when it passes this file.

#include <algorithm>
#include <optional>
#include <ostream>

#include "store_fixture.hpp"

namespace warren::storage {

// Readable failures for the records the suite compares.
void PrintTo(const EntryRecord& e, std::ostream* os) {
    *os << "{queue " << e.queue_id << " seq " << e.seq << " message " << e.message_id << " expires "
        << e.expires_at << " count " << e.delivery_count << " size " << e.size << " timestamp "
        << e.timestamp << "}";
}
void PrintTo(const StreamSegmentRecord& x, std::ostream* os) {
    *os << "{queue " << x.queue_id << " seqs " << x.first_seq << ".." << x.last_seq << " ts "
        << x.first_timestamp << ".." << x.last_timestamp << " messages " << x.messages << " bytes "
        << x.bytes << "}";
}
void PrintTo(const StreamOffsetRecord& x, std::ostream* os) {
    *os << "{queue " << x.queue_id << " " << x.consumer << " offset " << x.offset << "}";
}
void PrintTo(const QueueTail& t, std::ostream* os) {
    *os << "{queue " << t.queue_id << " count " << t.count << " bytes " << t.bytes << " next "
        << t.next_seq << "}";
}
void PrintTo(const DedupRecord& k, std::ostream* os) {
    *os << "{" << k.scope << " seq " << k.seq << " key " << k.key << " expires " << k.expires_at
        << " routed " << k.routed << "}";
}
void PrintTo(const QueueRecord& q, std::ostream* os) {
    *os << "{" << q.id << " " << q.vhost << "/" << q.name << " auto_delete " << q.auto_delete << " "
        << q.arguments << " last_seq " << q.last_seq << "}";
}

namespace testing {
namespace {

using Kinds = ::testing::Types<warren::testing::MemoryStoreKind, warren::testing::SqliteStoreKind>;
TYPED_TEST_SUITE(StoreContractTest, Kinds, warren::testing::StoreKindName);

EntryRecord entry(std::uint64_t queue_id, std::uint64_t seq, std::uint64_t message_id) {
    return EntryRecord{queue_id, seq, message_id, INT64_MAX, 0, 1};
}

// ---- definitions --------------------------------------------------------------------------

TYPED_TEST(StoreContractTest, DefinitionsSurviveReopen) {
    Batch b;
    b.put_vhosts.push_back({"staging", "for tests", "a,b"});
    b.put_exchanges.push_back(
        {"/", "events", "topic", false, false, R"({"alternate-exchange":"ae"})"});
    b.put_queues.push_back(this->queue(7, "orders"));
    b.put_bindings.push_back({"/", "events", "orders", false, "order.*", "{}"});
    b.put_users.push_back({"alice", "hash", "rabbit_password_hashing_sha256", "administrator"});
    b.put_permissions.push_back({"alice", "/", ".*", ".*", ".*"});
    ASSERT_TRUE(this->commit(std::move(b)));
    this->reopen();
    auto d = this->definitions();
    ASSERT_EQ(d.vhosts.size(), 1u);
    EXPECT_EQ(d.vhosts[0].description, "for tests");
    EXPECT_EQ(d.vhosts[0], (VhostRecord{"staging", "for tests", "a,b"}));
    ASSERT_EQ(d.exchanges.size(), 1u);
    EXPECT_EQ(d.exchanges[0].type, "topic");
    EXPECT_EQ(d.exchanges[0].arguments, R"({"alternate-exchange":"ae"})");
    EXPECT_EQ(d.exchanges[0], (ExchangeRecord{"/", "events", "topic", false, false,
                                              R"({"alternate-exchange":"ae"})"}));
    ASSERT_EQ(d.queues.size(), 1u);
    EXPECT_EQ(d.queues[0].id, 7u);
    EXPECT_EQ(d.queues[0], this->queue(7, "orders"));
    ASSERT_EQ(d.bindings.size(), 1u);
    EXPECT_EQ(d.bindings[0].routing_key, "order.*");
    EXPECT_EQ(d.bindings[0], (BindingRecord{"/", "events", "orders", false, "order.*", "{}"}));
    ASSERT_EQ(d.users.size(), 1u);
    EXPECT_EQ(d.users[0].tags, "administrator");
    EXPECT_EQ(d.users[0],
              (UserRecord{"alice", "hash", "rabbit_password_hashing_sha256", "administrator"}));
    ASSERT_EQ(d.permissions.size(), 1u);
    EXPECT_EQ(d.permissions[0], (PermissionRecord{"alice", "/", ".*", ".*", ".*"}));
}

TYPED_TEST(StoreContractTest, PutsAreUpsertsOfWhatTheirKeyNames) {
    Batch first;
    first.put_vhosts.push_back({"v", "old", ""});
    first.put_exchanges.push_back({"/", "x", "direct", false, false, "{}"});
    first.put_queues.push_back(this->queue(1, "a"));
    first.put_queues.push_back(this->queue(2, "b"));
    first.put_bindings.push_back({"/", "x", "a", false, "k", "{}"});
    first.put_users.push_back({"u", "h1", "sha256", ""});
    first.put_permissions.push_back({"u", "/", "c", "w", "r"});
    ASSERT_TRUE(this->commit(std::move(first)));
    Batch second;
    second.put_vhosts.push_back({"v", "new", "t"});
    second.put_exchanges.push_back({"/", "x", "fanout", true, true, R"({"a":1})"});
    second.put_queues.push_back({1, "/", "a", true, R"({"x-max-length":5})", 0}); // same id
    second.put_queues.push_back(this->queue(3, "b")); // same name, new id: replaces queue 2
    second.put_bindings.push_back({"/", "x", "a", false, "k", "{}"});         // again: still one
    second.put_bindings.push_back({"/", "x", "a", false, "k", R"({"x":1})"}); // another one
    second.put_users.push_back({"u", "h2", "sha512", "administrator"});
    second.put_permissions.push_back({"u", "/", "c2", "w2", "r2"});
    ASSERT_TRUE(this->commit(std::move(second)));
    this->reopen();
    auto d = this->definitions();
    EXPECT_EQ(d.vhosts, (std::vector<VhostRecord>{{"v", "new", "t"}}));
    EXPECT_EQ(d.exchanges,
              (std::vector<ExchangeRecord>{{"/", "x", "fanout", true, true, R"({"a":1})"}}));
    EXPECT_EQ(d.queues, (std::vector<QueueRecord>{{1, "/", "a", true, R"({"x-max-length":5})", 0},
                                                  this->queue(3, "b")}));
    EXPECT_EQ(d.bindings.size(), 2u);
    EXPECT_EQ(d.users, (std::vector<UserRecord>{{"u", "h2", "sha512", "administrator"}}));
    EXPECT_EQ(d.permissions, (std::vector<PermissionRecord>{{"u", "/", "c2", "w2", "r2"}}));
}

TYPED_TEST(StoreContractTest, WithinABatchDefinitionsApplyInFieldOrder) {
    // Each kind's puts go before its deletes, and kinds go in Batch's field order: a batch that
    // deletes and then re-creates an object loses it (the journal must submit in between).
    Batch setup;
    setup.put_vhosts.push_back({"w", "", ""});
    ASSERT_TRUE(this->commit(std::move(setup)));
    Batch b;
    b.put_vhosts.push_back({"v", "", ""});
    b.deleted_vhosts.push_back("v");
    b.deleted_vhosts.push_back("w");
    b.put_exchanges.push_back({"w", "after-its-vhost-went", "direct", false, false, "{}"});
    b.put_exchanges.push_back({"/", "x", "direct", false, false, "{}"});
    b.deleted_exchanges.emplace_back("/", "x");
    ASSERT_TRUE(this->commit(std::move(b)));
    auto d = this->definitions();
    EXPECT_TRUE(d.vhosts.empty());
    ASSERT_EQ(d.exchanges.size(), 1u);
    EXPECT_EQ(d.exchanges[0].name, "after-its-vhost-went");
}

TYPED_TEST(StoreContractTest, DeletesRemoveDefinitions) {
    Batch b;
    b.put_exchanges.push_back({"/", "x", "direct", false, false, "{}"});
    b.put_exchanges.push_back({"/", "y", "fanout", false, false, "{}"});
    b.put_queues.push_back(this->queue(1, "q"));
    b.put_bindings.push_back({"/", "x", "q", false, "k", "{}"});
    b.put_bindings.push_back({"/", "y", "x", true, "", "{}"});
    ASSERT_TRUE(this->commit(std::move(b)));
    Batch d;
    d.deleted_exchanges.emplace_back("/", "x"); // takes both bindings that touch it
    ASSERT_TRUE(this->commit(std::move(d)));
    auto defs = this->definitions();
    EXPECT_EQ(defs.exchanges.size(), 1u);
    EXPECT_TRUE(defs.bindings.empty());
    Batch q;
    q.deleted_queues.push_back(1);
    ASSERT_TRUE(this->commit(std::move(q)));
    EXPECT_TRUE(this->definitions().queues.empty());
}

TYPED_TEST(StoreContractTest, DeletingAnExchangeTakesOnlyItsOwnBindings) {
    Batch b;
    b.put_exchanges.push_back({"/", "x", "direct", false, false, "{}"});
    b.put_exchanges.push_back({"/", "y", "direct", false, false, "{}"});
    b.put_exchanges.push_back({"v", "x", "direct", false, false, "{}"});
    b.put_bindings.push_back({"/", "x", "q", false, "", "{}"}); // from it: goes
    b.put_bindings.push_back({"/", "y", "x", true, "", "{}"});  // to it: goes
    b.put_bindings.push_back({"/", "y", "x", false, "", "{}"}); // to a queue named x: stays
    b.put_bindings.push_back({"v", "x", "q", false, "", "{}"}); // another vhost's x: stays
    ASSERT_TRUE(this->commit(std::move(b)));
    Batch d;
    d.deleted_exchanges.emplace_back("/", "x");
    ASSERT_TRUE(this->commit(std::move(d)));
    this->reopen();
    auto defs = this->definitions();
    EXPECT_EQ(defs.exchanges.size(), 2u);
    std::sort(defs.bindings.begin(), defs.bindings.end(),
              [](const auto& x, const auto& y) { return x.vhost < y.vhost; });
    EXPECT_EQ(defs.bindings, (std::vector<BindingRecord>{{"/", "y", "x", false, "", "{}"},
                                                         {"v", "x", "q", false, "", "{}"}}));
}

TYPED_TEST(StoreContractTest, DeletingAQueueTakesItsBindingsEntriesAndUnsharedMessages) {
    Batch b;
    b.put_queues.push_back(this->queue(1, "a"));
    b.put_queues.push_back(this->queue(2, "b"));
    b.put_bindings.push_back({"/", "x", "a", false, "", "{}"}); // to the queue: goes
    b.put_bindings.push_back({"/", "x", "a", true, "", "{}"});  // to an exchange named a: stays
    b.put_bindings.push_back({"/", "x", "b", false, "", "{}"}); // to the other queue: stays
    b.messages.push_back(this->message(1, "shared"));
    b.messages.push_back(this->message(2, "a only"));
    b.entries = {entry(1, 1, 1), entry(1, 2, 2), entry(2, 1, 1)};
    ASSERT_TRUE(this->commit(std::move(b)));
    Batch d;
    d.deleted_queues.push_back(1);
    ASSERT_TRUE(this->commit(std::move(d)));
    this->reopen();
    auto defs = this->definitions();
    EXPECT_EQ(defs.queues, (std::vector<QueueRecord>{{2, "/", "b", false, "{}", 1}}));
    EXPECT_EQ(defs.bindings.size(), 2u);
    for (const auto& x : defs.bindings) {
        EXPECT_TRUE(x.to_exchange || x.destination == "b");
    }
    auto loaded = this->load();
    EXPECT_EQ(loaded.entries, std::vector<EntryRecord>{entry(2, 1, 1)});
    EXPECT_EQ(this->kind.message_count(), 1u); // "a only" went with its queue
    EXPECT_EQ(loaded.stats.max_queue_id, 2u);
}

TYPED_TEST(StoreContractTest, DeletedQueueEntriesDisappear) {
    Batch b;
    b.put_queues.push_back(this->queue(3, "gone"));
    for (std::uint64_t i = 1; i <= 100; ++i) {
        b.messages.push_back(this->message(i, "m"));
        b.entries.push_back({3, i, i, INT64_MAX, 0});
    }
    ASSERT_TRUE(this->commit(std::move(b)));
    Batch d;
    d.deleted_queues.push_back(3);
    ASSERT_TRUE(this->commit(std::move(d)));
    EXPECT_TRUE(this->load_from(this->store()).entries.empty()); // at once, before any reaping
    this->reopen();
    EXPECT_TRUE(this->load().entries.empty());
    EXPECT_EQ(this->kind.message_count(), 0u);
}

TYPED_TEST(StoreContractTest, DeletingAVhostTakesEverythingInIt) {
    Batch b;
    b.put_vhosts = {{"v", "", ""}, {"w", "", ""}};
    b.put_exchanges = {{"v", "x", "direct", false, false, "{}"},
                       {"w", "x", "direct", false, false, "{}"}};
    b.put_queues = {{1, "v", "q", false, "{}", 0}, {2, "w", "q", false, "{}", 0}};
    b.put_bindings = {{"v", "x", "q", false, "", "{}"}, {"w", "x", "q", false, "", "{}"}};
    b.put_users = {{"u", "h", "sha256", ""}};
    b.put_permissions = {{"u", "v", ".*", ".*", ".*"}, {"u", "w", ".*", ".*", ".*"}};
    b.messages = {this->message(1, "in both"), this->message(2, "in v only")};
    b.entries = {entry(1, 1, 1), entry(1, 2, 2), entry(2, 1, 1)};
    ASSERT_TRUE(this->commit(std::move(b)));
    Batch d;
    d.deleted_vhosts.push_back("v");
    ASSERT_TRUE(this->commit(std::move(d)));
    // Its queues' entries are hidden at once, then removed in the background.
    EXPECT_EQ(this->load_from(this->store()).entries, std::vector<EntryRecord>{entry(2, 1, 1)});
    this->reopen();
    auto defs = this->definitions();
    EXPECT_EQ(defs.vhosts, (std::vector<VhostRecord>{{"w", "", ""}}));
    EXPECT_EQ(defs.exchanges,
              (std::vector<ExchangeRecord>{{"w", "x", "direct", false, false, "{}"}}));
    EXPECT_EQ(defs.queues, (std::vector<QueueRecord>{{2, "w", "q", false, "{}", 1}}));
    EXPECT_EQ(defs.bindings, (std::vector<BindingRecord>{{"w", "x", "q", false, "", "{}"}}));
    EXPECT_EQ(defs.users, (std::vector<UserRecord>{{"u", "h", "sha256", ""}})); // users stay
    EXPECT_EQ(defs.permissions, (std::vector<PermissionRecord>{{"u", "w", ".*", ".*", ".*"}}));
    auto loaded = this->load();
    EXPECT_EQ(loaded.entries, std::vector<EntryRecord>{entry(2, 1, 1)});
    EXPECT_EQ(this->kind.message_count(), 1u);
    EXPECT_EQ(loaded.stats.max_message_id, 1u);
}

TYPED_TEST(StoreContractTest, DeletingUsersPermissionsAndBindingsTakesExactlyThose) {
    Batch b;
    b.put_users = {{"a", "h", "sha256", ""}, {"b", "h", "sha256", ""}};
    b.put_permissions = {{"a", "/", "", "", ""},
                         {"a", "v", "", "", ""},
                         {"b", "/", "", "", ""},
                         {"b", "v", "", "", ""}};
    b.put_bindings = {{"/", "x", "q", false, "k", "{}"}, {"/", "x", "q", false, "k", R"({"a":1})"}};
    ASSERT_TRUE(this->commit(std::move(b)));
    Batch d;
    d.deleted_users.push_back("a"); // and its permissions
    d.deleted_permissions.emplace_back("b", "/");
    d.deleted_bindings.push_back({"/", "x", "q", false, "k", "{}"}); // not the other arguments
    ASSERT_TRUE(this->commit(std::move(d)));
    this->reopen();
    auto defs = this->definitions();
    EXPECT_EQ(defs.users, (std::vector<UserRecord>{{"b", "h", "sha256", ""}}));
    EXPECT_EQ(defs.permissions, (std::vector<PermissionRecord>{{"b", "v", "", "", ""}}));
    EXPECT_EQ(defs.bindings,
              (std::vector<BindingRecord>{{"/", "x", "q", false, "k", R"({"a":1})"}}));
}

// ---- messages and entries -----------------------------------------------------------------

TYPED_TEST(StoreContractTest, MessagesAndEntriesRoundTrip) {
    Batch b;
    b.put_queues.push_back(this->queue(1, "a"));
    b.put_queues.push_back(this->queue(2, "b"));
    auto body = std::string("\x00\x01binary\xff", 9);
    b.messages.push_back(
        {10, "fan", "rk", R"({"delivery_mode":2})", std::make_shared<const std::string>(body)});
    b.entries.push_back({1, 1, 10, INT64_MAX, 0});
    b.entries.push_back({2, 1, 10, 12345, 0});
    ASSERT_TRUE(this->commit(std::move(b)));
    this->reopen();
    auto loaded = this->load();
    ASSERT_EQ(loaded.entries.size(), 2u);
    EXPECT_EQ(*loaded.messages[0].body, body);
    EXPECT_EQ(loaded.messages[0].properties, R"({"delivery_mode":2})");
    EXPECT_EQ(loaded.entries[1].queue_id, 2u);
    EXPECT_EQ(loaded.entries[1].expires_at, 12345);
    EXPECT_EQ(loaded.stats.max_message_id, 10u);
    EXPECT_EQ(loaded.stats.max_queue_id, 2u);
    EXPECT_EQ(loaded.stats.entries, 2u);
    EXPECT_EQ(loaded.messages[1].exchange, "fan");
    EXPECT_EQ(loaded.messages[1].routing_key, "rk");
    EXPECT_EQ(*loaded.messages[1].body, body);
}

TYPED_TEST(StoreContractTest, AMessageWithoutABodyComesBackEmpty) {
    Batch b;
    b.put_queues.push_back(this->queue(1, "a"));
    b.messages.push_back({1, "", "a", "{}", nullptr});
    b.entries.push_back(entry(1, 1, 1));
    ASSERT_TRUE(this->commit(std::move(b)));
    this->reopen();
    auto loaded = this->load();
    ASSERT_EQ(loaded.messages.size(), 1u);
    ASSERT_NE(loaded.messages[0].body, nullptr);
    EXPECT_EQ(*loaded.messages[0].body, "");
}

TYPED_TEST(StoreContractTest, EntriesComeBackQueueByQueueInSequenceOrder) {
    Batch b;
    b.put_queues = {this->queue(2, "b"), this->queue(1, "a")};
    b.messages = {this->message(1, "m")};
    b.entries = {entry(2, 5, 1), entry(1, 3, 1), entry(9, 1, 1)}; // queue 9 is not defined
    ASSERT_TRUE(this->commit(std::move(b)));
    Batch more;
    more.messages = {this->message(2, "m2")};
    more.entries = {entry(1, 1, 2), entry(2, 1, 2)};
    ASSERT_TRUE(this->commit(std::move(more)));
    this->reopen();
    auto loaded = this->load();
    EXPECT_EQ(loaded.entries, (std::vector<EntryRecord>{entry(1, 1, 2), entry(1, 3, 1),
                                                        entry(2, 1, 2), entry(2, 5, 1)}));
    EXPECT_EQ(this->definitions().queues[0].id, 1u); // definitions come by id too
}

TYPED_TEST(StoreContractTest, LastRemovedEntryDeletesTheMessage) {
    Batch b;
    b.put_queues.push_back(this->queue(1, "a"));
    b.put_queues.push_back(this->queue(2, "b"));
    b.messages.push_back(this->message(5, "shared"));
    b.entries.push_back({1, 1, 5, INT64_MAX, 0});
    b.entries.push_back({2, 1, 5, INT64_MAX, 0});
    ASSERT_TRUE(this->commit(std::move(b)));
    Batch ack1;
    ack1.removed.push_back({1, 1});
    ASSERT_TRUE(this->commit(std::move(ack1)));
    EXPECT_EQ(this->load().entries.size(), 1u);
    EXPECT_EQ(this->kind.message_count(), 1u);
    Batch ack2;
    ack2.removed.push_back({2, 1});
    ack2.removed.push_back({2, 7}); // not stored: nothing happens
    ASSERT_TRUE(this->commit(std::move(ack2)));
    auto loaded = this->load();
    EXPECT_TRUE(loaded.entries.empty());
    // The message went with its last entry.
    EXPECT_EQ(this->kind.message_count(), 0u);
    EXPECT_EQ(loaded.stats.max_message_id, 0u);
}

TYPED_TEST(StoreContractTest, DeliveryCountsArePersisted) {
    Batch b;
    b.put_queues.push_back(this->queue(1, "a"));
    b.messages.push_back(this->message(1, "m"));
    b.entries.push_back({1, 1, 1, INT64_MAX, 0});
    b.entries.push_back({1, 2, 1, INT64_MAX, 2}); // delivered as it arrived
    ASSERT_TRUE(this->commit(std::move(b)));
    Batch d;
    d.deliveries.push_back({{1, 1}, 3});
    d.deliveries.push_back({{1, 9}, 4}); // no such entry: changes nothing
    ASSERT_TRUE(this->commit(std::move(d)));
    this->reopen();
    auto loaded = this->load();
    ASSERT_EQ(loaded.entries.size(), 2u);
    EXPECT_EQ(loaded.entries[0].delivery_count, 3u);
    EXPECT_EQ(loaded.entries[1].delivery_count, 2u);
    Batch again;
    again.deliveries.push_back({{1, 1}, 4});
    again.deliveries.push_back({{1, 1}, 5}); // the last count wins
    ASSERT_TRUE(this->commit(std::move(again)));
    this->reopen();
    EXPECT_EQ(this->load().entries[0].delivery_count, 5u);
}

TYPED_TEST(StoreContractTest, PurgedRangesAreHiddenAtOnceAndStayGone) {
    Batch b;
    b.put_queues.push_back(this->queue(1, "a"));
    for (std::uint64_t i = 1; i <= 12000; ++i) {
        b.messages.push_back(this->message(i, "m"));
        b.entries.push_back({1, i, i, INT64_MAX, 0});
    }
    ASSERT_TRUE(this->commit(std::move(b)));
    Batch p;
    p.purged.push_back({1, 1, 4999});
    p.purged.push_back({1, 5001, 12000}); // 5000 was out with a consumer
    ASSERT_TRUE(this->commit(std::move(p)));
    auto loaded = this->load_from(this->store()); // at once, before any reaping
    ASSERT_EQ(loaded.entries.size(), 1u);
    EXPECT_EQ(loaded.entries[0].seq, 5000u);
    this->reopen();
    EXPECT_EQ(this->load().entries.size(), 1u);
    EXPECT_EQ(this->kind.message_count(), 1u); // the purged entries' messages went too
}

TYPED_TEST(StoreContractTest, APurgeTakesTheEntriesOfItsOwnBatch) {
    Batch b;
    b.put_queues.push_back(this->queue(1, "a"));
    b.messages.push_back(this->message(1, "m"));
    b.entries = {entry(1, 1, 1), entry(1, 2, 1), entry(1, 3, 1)};
    b.purged.push_back({1, 1, 2});
    ASSERT_TRUE(this->commit(std::move(b)));
    EXPECT_EQ(this->seqs(this->load().entries), std::vector<std::uint64_t>{3});
}

// ---- what a load reports ------------------------------------------------------------------

TYPED_TEST(StoreContractTest, PerQueueLimitLoadsTheHeadAndSummarisesTheTail) {
    Batch b;
    b.put_queues = {this->queue(1, "long"), this->queue(2, "exact"), this->queue(3, "empty")};
    for (std::uint64_t i = 1; i <= 10; ++i) {
        b.messages.push_back(this->message(i, "m"));
        b.entries.push_back({1, i, i, INT64_MAX, 0, static_cast<std::uint32_t>(10 * i)});
    }
    for (std::uint64_t i = 1; i <= 4; ++i) {
        b.entries.push_back({2, i, i, INT64_MAX, 0, 1});
    }
    b.removed = {{1, 5}, {1, 6}};
    ASSERT_TRUE(this->commit(std::move(b)));
    this->reopen();
    auto head = this->load(4);
    EXPECT_EQ(this->seqs(head.entries), (std::vector<std::uint64_t>{1, 2, 3, 4, 1, 2, 3, 4}));
    EXPECT_EQ(head.stats.entries, 8u);
    // Queue 2 holds exactly the limit: nothing is left over, so no tail.
    EXPECT_EQ(head.stats.tails, (std::vector<QueueTail>{{1, 4, 70 + 80 + 90 + 100, 7}}));

    auto none = this->load(0);
    EXPECT_TRUE(none.entries.empty());
    EXPECT_EQ(none.stats.tails,
              (std::vector<QueueTail>{{1, 8, 10 + 20 + 30 + 40 + 340, 1}, {2, 4, 4, 1}}));

    auto all = this->load();
    EXPECT_EQ(all.entries.size(), 12u);
    EXPECT_TRUE(all.stats.tails.empty());
}

TYPED_TEST(StoreContractTest, MaxIdsAndLastSeqFollowWhatIsStored) {
    auto empty = this->load();
    EXPECT_EQ(empty.stats.max_message_id, 0u);
    EXPECT_EQ(empty.stats.max_queue_id, 0u);
    Batch b;
    b.put_queues = {this->queue(4, "a"), this->queue(9, "b"), this->queue(11, "idle")};
    b.messages = {this->message(3, "m3"), this->message(17, "m17")};
    b.entries = {entry(4, 1, 3), entry(4, 2, 17), entry(9, 7, 3)};
    ASSERT_TRUE(this->commit(std::move(b)));
    this->reopen();
    auto loaded = this->load();
    EXPECT_EQ(loaded.stats.max_message_id, 17u);
    EXPECT_EQ(loaded.stats.max_queue_id, 11u);
    auto defs = this->definitions();
    ASSERT_EQ(defs.queues.size(), 3u);
    EXPECT_EQ(defs.queues[0].last_seq, 2u);
    EXPECT_EQ(defs.queues[1].last_seq, 7u);
    EXPECT_EQ(defs.queues[2].last_seq, 0u);
    // last_seq is the highest stored sequence (a purge still being reaped counts too): a new
    // entry above it can never fall into anything the store still holds.
    Batch later;
    later.removed = {{4, 2}};
    later.deleted_queues = {11};
    ASSERT_TRUE(this->commit(std::move(later)));
    this->reopen();
    loaded = this->load();
    EXPECT_EQ(loaded.stats.max_message_id, 3u); // message 17 went with its last entry
    EXPECT_EQ(loaded.stats.max_queue_id, 9u);
    EXPECT_EQ(this->definitions().queues[0].last_seq, 1u);
}

TYPED_TEST(StoreContractTest, NewEntriesAfterAPurgeAreKept) {
    Batch b;
    b.put_queues.push_back(this->queue(1, "a"));
    b.messages.push_back(this->message(1, "m"));
    b.entries = {entry(1, 1, 1), entry(1, 2, 1)};
    b.purged.push_back({1, 1, 2});
    ASSERT_TRUE(this->commit(std::move(b)));
    this->reopen();
    // Without waiting for any background deletion: the next sequence is safe to use.
    auto defs = this->store().load_definitions();
    ASSERT_TRUE(defs);
    const std::uint64_t next = defs->queues.at(0).last_seq + 1;
    Batch more;
    more.messages.push_back(this->message(2, "after"));
    more.entries.push_back(entry(1, next, 2));
    ASSERT_TRUE(this->commit(std::move(more)));
    this->reopen();
    EXPECT_EQ(this->seqs(this->load().entries), std::vector<std::uint64_t>{next});
}

// ---- page-in reads ------------------------------------------------------------------------

TYPED_TEST(StoreContractTest, ReadEntriesPagesInOrderFromASequence) {
    Batch b;
    b.put_queues = {this->queue(1, "a"), this->queue(2, "b")};
    for (std::uint64_t i = 1; i <= 10; ++i) {
        b.messages.push_back(this->message(i, "m" + std::to_string(i)));
        b.entries.push_back({1, i, i, 1000 + static_cast<std::int64_t>(i), 0, 2});
    }
    b.entries.push_back({2, 1, 1, INT64_MAX, 0, 2});
    b.entries.push_back({2, 2, 2, INT64_MAX, 0, 2});
    b.removed = {{1, 3}, {1, 4}};
    b.deliveries = {{{1, 5}, 2}};
    ASSERT_TRUE(this->commit(std::move(b)));

    auto page = this->read(1, 2, 3);
    EXPECT_EQ(this->seqs(page), (std::vector<std::uint64_t>{2, 5, 6}));
    ASSERT_EQ(page.size(), 3u);
    EXPECT_EQ(page[1].entry, (EntryRecord{1, 5, 5, 1005, 2, 2}));
    EXPECT_EQ(page[1].message.id, 5u);
    EXPECT_EQ(*page[1].message.body, "m5");
    EXPECT_EQ(page[1].message.exchange, "ex");
    EXPECT_EQ(this->seqs(this->read(1, 7, 100)), (std::vector<std::uint64_t>{7, 8, 9, 10}));
    EXPECT_TRUE(this->read(1, 11, 5).empty());
    EXPECT_TRUE(this->read(1, 1, 0).empty());
    EXPECT_TRUE(this->read(42, 1, 10).empty());
    EXPECT_EQ(this->seqs(this->read(2, 0, 10)), (std::vector<std::uint64_t>{1, 2}));

    Batch p;
    p.purged.push_back({1, 1, 6});
    ASSERT_TRUE(this->commit(std::move(p)));
    EXPECT_EQ(this->seqs(this->read(1, 1, 100)), (std::vector<std::uint64_t>{7, 8, 9, 10}));
}

// ---- completions, failures, close ---------------------------------------------------------

TYPED_TEST(StoreContractTest, CompletionsRunLaterAndInSubmissionOrder) {
    std::vector<int> order;
    for (int i = 0; i < 5; ++i) {
        Batch b;
        b.put_queues.push_back(
            this->queue(static_cast<std::uint64_t>(i + 1), "q" + std::to_string(i)));
        this->store().submit(std::move(b), [&order, i](Result<void> r) {
            EXPECT_TRUE(r);
            order.push_back(i);
        });
        EXPECT_TRUE(order.empty()) << "a completion ran inside submit()";
        if (i == 2) {
            this->store().submit(Batch{}, nullptr); // no completion wanted
        }
    }
    ASSERT_TRUE(this->executor.run_until([&] { return order.size() == 5; }));
    EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
    EXPECT_TRUE(this->commit(Batch{})); // an empty batch commits too
}

TYPED_TEST(StoreContractTest, ABadBatchFailsAloneAndLeavesNothing) {
    Batch setup;
    setup.put_queues.push_back(this->queue(1, "a"));
    ASSERT_TRUE(this->commit(std::move(setup)));
    this->kind.break_permissions(); // from here, a batch that touches permissions fails
    Batch good;
    good.messages.push_back(this->message(10, "good"));
    good.entries.push_back(entry(1, 1, 10));
    Batch bad;
    bad.put_queues.push_back(this->queue(2, "b"));
    bad.messages.push_back(this->message(11, "bad"));
    bad.entries = {entry(1, 2, 11), entry(2, 1, 11)};
    bad.put_permissions.push_back({"u", "/", ".*", ".*", ".*"});
    Batch after;
    after.messages.push_back(this->message(12, "after"));
    after.entries.push_back(entry(1, 3, 12));
    std::optional<Result<void>> r1, r2, r3;
    this->store().submit(std::move(good), [&](Result<void> r) { r1 = r; });
    this->store().submit(std::move(bad), [&](Result<void> r) { r2 = r; });
    this->store().submit(std::move(after), [&](Result<void> r) { r3 = r; });
    ASSERT_TRUE(this->executor.run_until([&] { return r1 && r2 && r3; }));
    EXPECT_TRUE(*r1);
    EXPECT_FALSE(*r2);
    EXPECT_TRUE(*r3);
    // The good batches committed; the bad one left nothing: no queue, no message, no entry.
    auto loaded = this->load();
    EXPECT_EQ(this->seqs(loaded.entries), (std::vector<std::uint64_t>{1, 3}));
    EXPECT_EQ(loaded.stats.max_queue_id, 1u);
    EXPECT_EQ(this->kind.message_count(), 2u);
}

TYPED_TEST(StoreContractTest, CloseCommitsEverythingSubmitted) {
    Batch q;
    q.put_queues.push_back(this->queue(1, "a"));
    ASSERT_TRUE(this->commit(std::move(q)));
    int done = 0;
    for (std::uint64_t i = 1; i <= 500; ++i) {
        Batch b;
        b.messages.push_back(this->message(i, "m"));
        b.entries.push_back(entry(1, i, i));
        this->store().submit(std::move(b), [&](Result<void> r) { done += r ? 1 : 0; });
    }
    this->kind.close();
    // Their completions were posted before close() returned.
    this->executor.run_ready();
    EXPECT_EQ(done, 500);
    this->kind.open();
    EXPECT_EQ(this->load().entries.size(), 500u);
}

TYPED_TEST(StoreContractTest, SubmitAndReadAfterCloseFailWithoutHanging) {
    this->store().close();
    std::optional<Result<void>> r;
    this->store().submit(Batch{}, [&](Result<void> x) { r = x; });
    EXPECT_FALSE(r.has_value());
    ASSERT_TRUE(this->executor.run_until([&] { return r.has_value(); }));
    EXPECT_FALSE(*r);
    EXPECT_EQ(r->error().code, Errc::resource_alarm);
    std::optional<Result<std::vector<StoredEntry>>> page;
    this->store().read_entries(1, 1, 10, [&](auto p) { page = std::move(p); });
    EXPECT_FALSE(page.has_value());
    ASSERT_TRUE(this->executor.run_until([&] { return page.has_value(); }));
    EXPECT_FALSE(*page);
}

// ---- deduplication windows ----------------------------------------------------------------

TYPED_TEST(StoreContractTest, DedupKeysSurviveReopenInScopeAndSeqOrder) {
    Batch b;
    b.dedup_keys.push_back({"queue 7", 12, "refund-2", 2000, true});
    b.dedup_keys.push_back({"exchange / payments", 11, "refund-1", 1000, false});
    b.dedup_keys.push_back({"queue 7", 10, "refund-0", 1000, true});
    ASSERT_TRUE(this->commit(std::move(b)));
    this->reopen();
    const auto d = this->definitions();
    EXPECT_EQ(d.dedup,
              (std::vector<DedupRecord>{{"exchange / payments", 11, "refund-1", 1000, false},
                                        {"queue 7", 10, "refund-0", 1000, true},
                                        {"queue 7", 12, "refund-2", 2000, true}}));
}

TYPED_TEST(StoreContractTest, ADedupCutForgetsTheOlderKeysOfItsWindowOnly) {
    Batch keys;
    for (std::uint64_t seq = 1; seq <= 5; ++seq) {
        keys.dedup_keys.push_back({"w", seq, "k" + std::to_string(seq), 9000, true});
    }
    keys.dedup_keys.push_back({"other", 2, "o", 9000, true});
    ASSERT_TRUE(this->commit(std::move(keys)));
    Batch cut;
    cut.dedup_cuts.push_back({"w", 4});
    // A key put and cut in the same batch is gone: it left the window at once.
    cut.dedup_keys.push_back({"gone", 6, "g", 9000, true});
    cut.dedup_cuts.push_back({"gone", 7});
    ASSERT_TRUE(this->commit(std::move(cut)));
    this->reopen();
    auto d = this->definitions();
    EXPECT_EQ(d.dedup, (std::vector<DedupRecord>{{"other", 2, "o", 9000, true},
                                                 {"w", 4, "k4", 9000, true},
                                                 {"w", 5, "k5", 9000, true}}));
    Batch all;
    all.dedup_cuts.push_back({"w", UINT64_MAX}); // the window's object was deleted
    ASSERT_TRUE(this->commit(std::move(all)));
    d = this->definitions();
    EXPECT_EQ(d.dedup, (std::vector<DedupRecord>{{"other", 2, "o", 9000, true}}));
}

TYPED_TEST(StoreContractTest, DedupBatchesApplyInOrderWhenCommittedTogether) {
    // Submitted back to back, so a store may commit them as one group: the second batch's cut
    // must still come after the first batch's keys, and the third's key after that cut.
    int done = 0;
    auto count = [&done](Result<void> r) {
        EXPECT_TRUE(r);
        ++done;
    };
    Batch first;
    first.dedup_keys.push_back({"w", 1, "a", 9000, true});
    first.dedup_keys.push_back({"w", 2, "b", 9000, true});
    Batch second;
    second.dedup_cuts.push_back({"w", UINT64_MAX});
    Batch third;
    third.dedup_keys.push_back({"w", 3, "c", 9000, false});
    this->store().submit(std::move(first), count);
    this->store().submit(std::move(second), count);
    this->store().submit(std::move(third), count);
    ASSERT_TRUE(this->executor.run_until([&] { return done == 3; }));
    this->reopen();
    EXPECT_EQ(this->definitions().dedup, (std::vector<DedupRecord>{{"w", 3, "c", 9000, false}}));
}

// ---- streams ------------------------------------------------------------------------------

// Stream 1 with entries 1..6 appended at 1000 + seq ms, in segments [1, 3] and [4, 6]; queue 2
// a plain queue with one entry; offsets of two consumer names.
Batch a_stream_and_a_queue() {
    Batch b;
    b.put_queues = {StoreHelpers::queue(1, "log"), StoreHelpers::queue(2, "work")};
    for (std::uint64_t i = 1; i <= 6; ++i) {
        b.messages.push_back(StoreHelpers::message(i, "m" + std::to_string(i)));
        b.entries.push_back({1, i, i, INT64_MAX, 0, 2, 1000 + static_cast<std::int64_t>(i)});
    }
    b.entries.push_back({2, 1, 1, INT64_MAX, 0, 2});
    b.put_segments = {{1, 1, 3, 1001, 1003, 3, 6}, {1, 4, 6, 1004, 1006, 3, 6}};
    b.put_stream_offsets = {{1, "billing", 2}, {1, "audit", 0}};
    return b;
}

TYPED_TEST(StoreContractTest, StreamSegmentsOffsetsAndTimestampsSurviveReopen) {
    ASSERT_TRUE(this->commit(a_stream_and_a_queue()));
    this->reopen();
    const auto d = this->definitions();
    EXPECT_EQ(d.stream_segments, (std::vector<StreamSegmentRecord>{{1, 1, 3, 1001, 1003, 3, 6},
                                                                   {1, 4, 6, 1004, 1006, 3, 6}}));
    EXPECT_EQ(d.stream_offsets,
              (std::vector<StreamOffsetRecord>{{1, "audit", 0}, {1, "billing", 2}}));
    ASSERT_EQ(d.queues.size(), 2u);
    EXPECT_EQ(d.queues[0].last_seq, 6u);
    // The stream's entries are read by range, with their append times; boot skips them.
    auto page = this->read(1, 3, 2);
    ASSERT_EQ(page.size(), 2u);
    EXPECT_EQ(page[0].entry, (EntryRecord{1, 3, 3, INT64_MAX, 0, 2, 1003}));
    EXPECT_EQ(*page[1].message.body, "m4");
    const auto loaded = this->load();
    EXPECT_EQ(this->seqs(loaded.entries), (std::vector<std::uint64_t>{1}));
    ASSERT_EQ(loaded.entries.size(), 1u);
    EXPECT_EQ(loaded.entries[0].queue_id, 2u);
    EXPECT_EQ(loaded.entries[0].timestamp, 0);
}

TYPED_TEST(StoreContractTest, SegmentPutsGrowAndRetentionDropsASegmentWithItsEntries) {
    ASSERT_TRUE(this->commit(a_stream_and_a_queue()));
    Batch grow;
    grow.messages.push_back(this->message(7, "m7"));
    grow.entries.push_back({1, 7, 7, INT64_MAX, 0, 2, 1007});
    grow.put_segments = {{1, 4, 7, 1004, 1007, 4, 8}};
    grow.put_stream_offsets = {{1, "billing", 5}};
    ASSERT_TRUE(this->commit(std::move(grow)));
    Batch retention;
    retention.deleted_segments = {{1, 1}};
    retention.purged = {{1, 1, 3}};
    ASSERT_TRUE(this->commit(std::move(retention)));
    this->reopen();
    const auto d = this->definitions();
    EXPECT_EQ(d.stream_segments, (std::vector<StreamSegmentRecord>{{1, 4, 7, 1004, 1007, 4, 8}}));
    EXPECT_EQ(d.stream_offsets,
              (std::vector<StreamOffsetRecord>{{1, "audit", 0}, {1, "billing", 5}}));
    EXPECT_EQ(this->seqs(this->read(1, 0, 100)), (std::vector<std::uint64_t>{4, 5, 6, 7}));
}

TYPED_TEST(StoreContractTest, DeletingAStreamOrItsVhostTakesItsSegmentsAndOffsets) {
    Batch b = a_stream_and_a_queue();
    b.put_vhosts = {{"/", "", ""}, {"v2", "", ""}};
    QueueRecord other = this->queue(3, "log2");
    other.vhost = "v2";
    b.put_queues.push_back(other);
    b.put_segments.push_back({3, 1, 1, 5, 5, 1, 1});
    b.put_stream_offsets.push_back({3, "billing", 1});
    ASSERT_TRUE(this->commit(std::move(b)));
    Batch del;
    del.deleted_queues = {1};
    del.deleted_vhosts = {"v2"};
    ASSERT_TRUE(this->commit(std::move(del)));
    this->reopen();
    const auto d = this->definitions();
    EXPECT_TRUE(d.stream_segments.empty());
    EXPECT_TRUE(d.stream_offsets.empty());
    EXPECT_TRUE(this->read(1, 0, 100).empty());
}

TYPED_TEST(StoreContractTest, StreamBatchesApplyInOrderWhenCommittedTogether) {
    // Back to back, so a store may commit them as one group: the last put of a segment and of an
    // offset wins, and a delete between two puts of the same segment is undone by the second.
    int done = 0;
    auto count = [&done](Result<void> r) {
        EXPECT_TRUE(r);
        ++done;
    };
    Batch first;
    first.put_queues = {this->queue(1, "log")};
    first.put_segments = {{1, 1, 1, 10, 10, 1, 1}};
    first.put_stream_offsets = {{1, "c", 1}};
    Batch second;
    second.deleted_segments = {{1, 1}};
    second.put_stream_offsets = {{1, "c", 7}};
    Batch third;
    third.put_segments = {{1, 1, 2, 10, 20, 2, 2}};
    this->store().submit(std::move(first), count);
    this->store().submit(std::move(second), count);
    this->store().submit(std::move(third), count);
    ASSERT_TRUE(this->executor.run_until([&] { return done == 3; }));
    this->reopen();
    const auto d = this->definitions();
    EXPECT_EQ(d.stream_segments, (std::vector<StreamSegmentRecord>{{1, 1, 2, 10, 20, 2, 2}}));
    EXPECT_EQ(d.stream_offsets, (std::vector<StreamOffsetRecord>{{1, "c", 7}}));
}

} // namespace
} // namespace testing
} // namespace warren::storage
