#pragma once

// Fixtures of the storage tests; completions run on the test thread, by a ManualExecutor.
// - StoreTest: a real SqliteStore over a file in a temp dir, for what only SQLite has (schema,
//   group commit, background reaping, the WAL VFS).
// - StoreContractTest<Kind>: any Store through a kind of tests/support/store_kinds.hpp, for the
//   Store contract suite that runs on MemoryStore and SqliteStore alike.
// StoreHelpers, which both derive from, builds records, submits and waits, and loads.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "storage/sqlite/sqlite_store.hpp"
#include "storage/store.hpp"
#include "support/manual_executor.hpp"
#include "support/store_kinds.hpp"
#include "support/temp_dir.hpp"

namespace warren::storage::testing {

class StoreHelpers {
public:
    static MessageRecord message(std::uint64_t id, std::string body) {
        return MessageRecord{id, "ex", "key", "", std::make_shared<const std::string>(body)};
    }
    static QueueRecord queue(std::uint64_t id, std::string name) {
        return QueueRecord{id, "/", std::move(name), false, "{}", 0};
    }

    struct Loaded {
        std::vector<EntryRecord> entries;
        std::vector<MessageRecord> messages;
        RecoveryStats stats;
    };

protected:
    // Submits and waits for the completion.
    Result<void> commit_to(Store& store, Batch batch) {
        std::optional<Result<void>> result;
        store.submit(std::move(batch), [&](Result<void> r) { result = std::move(r); });
        EXPECT_TRUE(executor.run_until([&] { return result.has_value(); }));
        return result.value_or(make_error(Errc::internal, "no completion"));
    }

    static Loaded load_from(Store& store, std::size_t per_queue_limit = SIZE_MAX) {
        Loaded out;
        auto stats = store.load_entries(
            [&](const EntryRecord& e, const MessageRecord& m) {
                out.entries.push_back(e);
                out.messages.push_back(m);
            },
            per_queue_limit);
        EXPECT_TRUE(stats.has_value());
        if (stats) {
            out.stats = *stats;
        }
        return out;
    }

    warren::testing::ManualExecutor executor;
};

class StoreTest : public ::testing::Test, public StoreHelpers {
protected:
    void SetUp() override { open(); }

    void open(sqlite::SyncMode sync = sqlite::SyncMode::normal,
              std::chrono::microseconds commit_interval = std::chrono::microseconds(0)) {
        sqlite::SqliteOptions options;
        options.path = dir.file("warren.db");
        options.sync = sync;
        options.commit_interval = commit_interval;
        auto store_or = sqlite::SqliteStore::open(options, executor.poster());
        ASSERT_TRUE(store_or.has_value()) << store_or.error().reason;
        store = std::move(*store_or);
    }

    void reopen() {
        store->close();
        store.reset();
        open();
    }

    Result<void> commit(Batch batch) { return commit_to(*store, std::move(batch)); }
    Loaded load() { return load_from(*store); }

    warren::testing::TempDir dir;
    std::unique_ptr<sqlite::SqliteStore> store;
};

template <class Kind> class StoreContractTest : public ::testing::Test, public StoreHelpers {
protected:
    void SetUp() override { kind.open(); }

    Store& store() { return kind.store(); }

    // A restart: the store stops as at a process exit, and a new one opens over the same data.
    void reopen() {
        kind.close();
        kind.open();
    }

    Result<void> commit(Batch batch) { return commit_to(store(), std::move(batch)); }

    // Loads wait for background deletions first (SQLite reaps doomed ranges on its writer
    // thread), so that both stores answer from the same settled state.
    Definitions definitions() {
        kind.settle();
        auto d = store().load_definitions();
        EXPECT_TRUE(d.has_value()) << d.error().reason;
        return d ? *d : Definitions{};
    }
    Loaded load(std::size_t per_queue_limit = SIZE_MAX) {
        kind.settle();
        return load_from(store(), per_queue_limit);
    }

    // A page-in read; its completion must come through the executor, never inside the call.
    std::vector<StoredEntry> read(std::uint64_t queue_id, std::uint64_t from_seq,
                                  std::size_t limit) {
        std::optional<Result<std::vector<StoredEntry>>> page;
        store().read_entries(queue_id, from_seq, limit,
                             [&](Result<std::vector<StoredEntry>> r) { page = std::move(r); });
        EXPECT_FALSE(page.has_value()) << "read_entries completed inside the call";
        EXPECT_TRUE(executor.run_until([&] { return page.has_value(); }));
        EXPECT_TRUE(page && page->has_value());
        return page && *page ? std::move(**page) : std::vector<StoredEntry>{};
    }

    static std::vector<std::uint64_t> seqs(const std::vector<EntryRecord>& entries) {
        std::vector<std::uint64_t> out;
        for (const auto& e : entries) {
            out.push_back(e.seq);
        }
        return out;
    }
    static std::vector<std::uint64_t> seqs(const std::vector<StoredEntry>& entries) {
        std::vector<std::uint64_t> out;
        for (const auto& e : entries) {
            out.push_back(e.entry.seq);
        }
        return out;
    }

    Kind kind{executor.poster()};
};

} // namespace warren::storage::testing
