// MemoryStore against SqliteStore: the same seeded stream of random batches goes to both, in
// rounds that the SQLite writer takes as commit groups (so its coalescing is exercised too), with
// restarts in between; after each round both must load the same definitions, entries, tails and
// ids, and page in the same entries. The contract suite pins each rule; this finds the cases
// nobody thought to write down.
//
// The stream keeps to what the broker does where SQLite's answer would depend on how far its
// background reaper got, or on how its writer grouped the batches: no entry is added to a
// deleted queue's id or to an already purged range in a later batch (queue ids and sequences
// only grow), and entries refer only to the message put in their own batch (or to none).

#include <algorithm>
#include <optional>
#include <random>
#include <set>

#include "store_fixture.hpp"

namespace warren::storage::testing {
namespace {

using warren::testing::MemoryStoreKind;
using warren::testing::SqliteStoreKind;

class StoreEquivalenceTest : public ::testing::TestWithParam<unsigned>, public StoreHelpers {
protected:
    static constexpr std::uint64_t kNeverStored = 1ull << 40;

    // One random batch, bookkept in the model below.
    Batch random_batch() {
        Batch b;
        const std::uint64_t first_new_queue = next_queue_id_;
        const int ops = pick(1, 6);
        for (int i = 0; i < ops; ++i) {
            random_op(b);
        }
        if (!b.deleted_vhosts.empty() || !b.deleted_queues.empty()) {
            // A queue put again in the batch that dooms its id would keep it defined while
            // SQLite reaps whatever it gets next: the broker never reuses a queue id like that.
            std::erase_if(b.put_queues,
                          [&](const QueueRecord& q) { return q.id < first_new_queue; });
        }
        return b;
    }

    void random_op(Batch& b) {
        static const char* const kVhosts[] = {"/", "v1", "v2"};
        static const char* const kNames[] = {"a", "b", "c", "d"};
        const std::string vhost = kVhosts[pick(0, 2)];
        const std::string name = kNames[pick(0, 3)];
        // Mostly publishes, deliveries and acks, so queues build up backlogs (and tails).
        static const double kWeights[] = {1, 1, 1,  1, 3, 1, 2, 1, 1, 1,
                                          1, 1, 12, 0, 0, 3, 4, 0, 1, 2};
        switch (
            std::discrete_distribution<int>(std::begin(kWeights), std::end(kWeights))(random_)) {
        case 0:
            b.put_vhosts.push_back({vhost, "d" + std::to_string(pick(0, 3)), "t"});
            break;
        case 1:
            if (vhost != "/") {
                b.deleted_vhosts.push_back(vhost);
            }
            break;
        case 2:
            b.put_exchanges.push_back(
                {vhost, name, pick(0, 1) ? "direct" : "topic", pick(0, 1) == 1, false, "{}"});
            break;
        case 3:
            b.deleted_exchanges.emplace_back(vhost, name);
            break;
        case 4: {
            // A new queue (which replaces any of the same name), or an existing one again.
            std::uint64_t id = next_queue_id_++;
            if (!live_queues_.empty() && pick(0, 2) == 0) {
                id = live_queues_[static_cast<std::size_t>(pick(0, size(live_queues_) - 1))];
                const auto defs = memory_->store().load_definitions();
                for (const auto& q : defs->queues) {
                    if (q.id == id) {
                        b.put_queues.push_back(
                            {id, q.vhost, q.name, pick(0, 1) == 1, "{\"n\":1}", 0});
                    }
                }
                break;
            }
            b.put_queues.push_back({id, vhost, name, false, "{}", 0});
            break;
        }
        case 5:
            if (!live_queues_.empty()) {
                b.deleted_queues.push_back(random_queue());
            }
            break;
        case 6:
            b.put_bindings.push_back({vhost, "x", name, pick(0, 1) == 1, "k", "{}"});
            break;
        case 7:
            b.deleted_bindings.push_back({vhost, "x", name, pick(0, 1) == 1, "k", "{}"});
            break;
        case 8:
            b.put_users.push_back({name, "h" + std::to_string(pick(0, 9)), "sha256", ""});
            break;
        case 9:
            b.deleted_users.push_back(name);
            break;
        case 10:
            b.put_permissions.push_back({name, vhost, ".*", "", std::to_string(pick(0, 9))});
            break;
        case 11:
            b.deleted_permissions.emplace_back(name, vhost);
            break;
        case 12:
            publish(b);
            break;
        case 15:
            if (!published_.empty()) {
                b.deliveries.push_back({random_key(), static_cast<std::uint32_t>(pick(1, 5))});
            }
            break;
        case 16:
            if (!published_.empty()) {
                const std::size_t i = static_cast<std::size_t>(pick(0, size(published_) - 1));
                b.removed.push_back(published_[i]);
                published_.erase(published_.begin() + static_cast<std::ptrdiff_t>(i));
            }
            break;
        case 18:
            if (!live_queues_.empty()) {
                const std::uint64_t q = random_queue();
                const std::uint64_t last = next_seq_[q];
                if (last > 0) {
                    const auto from = static_cast<std::uint64_t>(pick(1, static_cast<int>(last)));
                    b.purged.push_back({q, from, last});
                }
            }
            break;
        default:
            if (pick(0, 1) == 0) {
                // A message that no entry refers to, nor ever will.
                b.messages.push_back(message(next_message_id_++, "lonely"));
            } else if (!live_queues_.empty()) {
                // An entry whose message was never stored: not loaded, but in the tails.
                const std::uint64_t q = random_queue();
                b.entries.push_back({q, ++next_seq_[q], kNeverStored, INT64_MAX, 0, 3});
                published_.push_back({q, next_seq_[q]});
            }
            break;
        }
    }

    void publish(Batch& b) {
        if (live_queues_.empty()) {
            return;
        }
        const std::uint64_t id = next_message_id_++;
        MessageRecord m = message(id, std::string(static_cast<std::size_t>(pick(0, 40)), 'x'));
        if (pick(0, 9) == 0) {
            m.body = nullptr;
        }
        b.messages.push_back(std::move(m));
        std::set<std::uint64_t> queues;
        for (int i = pick(1, 3); i > 0; --i) {
            queues.insert(random_queue());
        }
        for (const auto q : queues) {
            const std::uint64_t seq = ++next_seq_[q];
            b.entries.push_back({q, seq, id, pick(0, 1) ? INT64_MAX : 1000 + pick(0, 99),
                                 static_cast<std::uint32_t>(pick(0, 1)),
                                 static_cast<std::uint32_t>(pick(0, 40))});
            published_.push_back({q, seq});
        }
    }

    // After each batch: the queues that may still get entries are the ones defined now (a
    // deleted or replaced queue's id is never used again).
    void refresh_live_queues() {
        const auto defs = memory_->store().load_definitions();
        live_queues_.clear();
        for (const auto& q : defs->queues) {
            live_queues_.push_back(q.id);
        }
    }

    void submit_round() {
        std::vector<std::optional<Result<void>>> memory_results(
            static_cast<std::size_t>(pick(1, 8)));
        auto sqlite_results = memory_results;
        for (std::size_t i = 0; i < memory_results.size(); ++i) {
            Batch b = random_batch();
            Batch copy = b;
            memory_->store().submit(std::move(b),
                                    [&, i](Result<void> r) { memory_results[i] = std::move(r); });
            sqlite_->store().submit(std::move(copy),
                                    [&, i](Result<void> r) { sqlite_results[i] = std::move(r); });
            refresh_live_queues();
        }
        ASSERT_TRUE(executor.run_until([&] {
            return std::all_of(memory_results.begin(), memory_results.end(),
                               [](const auto& r) { return r.has_value(); }) &&
                   std::all_of(sqlite_results.begin(), sqlite_results.end(),
                               [](const auto& r) { return r.has_value(); });
        }));
        for (std::size_t i = 0; i < memory_results.size(); ++i) {
            EXPECT_TRUE(*memory_results[i]);
            EXPECT_TRUE(*sqlite_results[i]) << sqlite_results[i]->error().reason;
        }
    }

    void expect_same_state() {
        sqlite_->settle();
        auto m = memory_->store().load_definitions();
        auto s = sqlite_->store().load_definitions();
        ASSERT_TRUE(m && s);
        EXPECT_EQ(m->vhosts, s->vhosts);
        EXPECT_EQ(m->queues, s->queues);
        EXPECT_EQ(sorted(m->exchanges), sorted(s->exchanges));
        EXPECT_EQ(sorted(m->bindings), sorted(s->bindings));
        EXPECT_EQ(sorted(m->users), sorted(s->users));
        EXPECT_EQ(sorted(m->permissions), sorted(s->permissions));
        EXPECT_EQ(memory_->message_count(), sqlite_->message_count());
        for (const std::size_t limit : {SIZE_MAX, std::size_t{3}, std::size_t{0}}) {
            expect_same_load(limit);
        }
        for (const auto& q : s->queues) {
            const auto from = static_cast<std::uint64_t>(pick(0, int(q.last_seq) + 1));
            const auto limit = static_cast<std::size_t>(pick(0, 10));
            EXPECT_EQ(describe(read(memory_->store(), q.id, from, limit)),
                      describe(read(sqlite_->store(), q.id, from, limit)));
        }
    }

    void expect_same_load(std::size_t limit) {
        auto m = load_from(memory_->store(), limit);
        auto s = load_from(sqlite_->store(), limit);
        EXPECT_EQ(m.entries, s.entries) << "limit " << limit;
        EXPECT_EQ(describe(m.messages), describe(s.messages));
        EXPECT_EQ(m.stats.entries, s.stats.entries);
        EXPECT_EQ(m.stats.messages, s.stats.messages);
        EXPECT_EQ(m.stats.max_message_id, s.stats.max_message_id);
        EXPECT_EQ(m.stats.max_queue_id, s.stats.max_queue_id);
        EXPECT_EQ(m.stats.tails, s.stats.tails) << "limit " << limit;
    }

    std::vector<StoredEntry> read(Store& store, std::uint64_t queue_id, std::uint64_t from,
                                  std::size_t limit) {
        std::optional<Result<std::vector<StoredEntry>>> page;
        store.read_entries(queue_id, from, limit,
                           [&](Result<std::vector<StoredEntry>> r) { page = std::move(r); });
        EXPECT_TRUE(executor.run_until([&] { return page.has_value(); }));
        return page && *page ? std::move(**page) : std::vector<StoredEntry>{};
    }

    static std::vector<std::string> describe(const std::vector<MessageRecord>& messages) {
        std::vector<std::string> out;
        for (const auto& m : messages) {
            out.push_back(std::to_string(m.id) + " " + m.exchange + " " + m.routing_key + " " +
                          m.properties + " " + (m.body ? "[" + *m.body + "]" : "null"));
        }
        return out;
    }
    static std::vector<std::string> describe(const std::vector<StoredEntry>& page) {
        std::vector<std::string> out;
        for (const auto& e : page) {
            out.push_back(std::to_string(e.entry.queue_id) + ":" + std::to_string(e.entry.seq) +
                          " n" + std::to_string(e.entry.delivery_count) + " " +
                          describe(std::vector<MessageRecord>{e.message})[0]);
        }
        return out;
    }
    template <class T> static std::vector<T> sorted(std::vector<T> v) {
        std::sort(v.begin(), v.end(),
                  [](const T& a, const T& b) { return describe_key(a) < describe_key(b); });
        return v;
    }
    static std::string describe_key(const ExchangeRecord& e) { return e.vhost + "\n" + e.name; }
    static std::string describe_key(const UserRecord& u) { return u.name; }
    static std::string describe_key(const PermissionRecord& p) { return p.user + "\n" + p.vhost; }
    static std::string describe_key(const BindingRecord& x) {
        return x.vhost + "\n" + x.source + "\n" + x.destination + "\n" +
               (x.to_exchange ? "e" : "q") + "\n" + x.routing_key + "\n" + x.arguments;
    }

    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random_); }
    static int size(const auto& v) { return static_cast<int>(v.size()); }
    std::uint64_t random_queue() {
        return live_queues_[static_cast<std::size_t>(pick(0, size(live_queues_) - 1))];
    }
    EntryKey random_key() {
        return published_[static_cast<std::size_t>(pick(0, size(published_) - 1))];
    }

    std::mt19937 random_{GetParam()};
    std::unique_ptr<MemoryStoreKind> memory_ = std::make_unique<MemoryStoreKind>(executor.poster());
    std::unique_ptr<SqliteStoreKind> sqlite_ = std::make_unique<SqliteStoreKind>(executor.poster());
    std::vector<std::uint64_t> live_queues_;
    std::map<std::uint64_t, std::uint64_t> next_seq_; // the last sequence used, per queue
    std::vector<EntryKey> published_;                 // keys that may still be stored
    std::uint64_t next_queue_id_ = 1;
    std::uint64_t next_message_id_ = 1;
};

TEST_P(StoreEquivalenceTest, MemoryStoreLoadsWhatSqliteStoreLoads) {
    memory_->open();
    sqlite_->open();
    for (int round = 1; round <= 150; ++round) {
        submit_round();
        if (round % 10 == 0) {
            expect_same_state();
        }
        if (round % 50 == 0) {
            memory_->close();
            sqlite_->close();
            memory_->open();
            sqlite_->open();
            expect_same_state();
        }
        if (HasFailure()) {
            FAIL() << "seed " << GetParam() << ", round " << round;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Seeds, StoreEquivalenceTest, ::testing::Values(1u, 2u, 3u, 4u));

} // namespace
} // namespace warren::storage::testing
