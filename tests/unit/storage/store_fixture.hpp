#pragma once

// StoreTest: a real SqliteStore over a file in a temp dir, its completions run by a
// ManualExecutor on the test thread.

#include <memory>

#include <gtest/gtest.h>

#include "storage/sqlite/sqlite_store.hpp"
#include "support/manual_executor.hpp"
#include "support/temp_dir.hpp"

namespace warren::storage::testing {

class StoreTest : public ::testing::Test {
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

    // Submits and waits for the commit.
    Result<void> commit(Batch batch) {
        std::optional<Result<void>> result;
        store->submit(std::move(batch), [&](Result<void> r) { result = std::move(r); });
        EXPECT_TRUE(executor.run_until([&] { return result.has_value(); }));
        return result.value_or(make_error(Errc::internal, "no completion"));
    }

    struct Loaded {
        std::vector<EntryRecord> entries;
        std::vector<MessageRecord> messages;
        RecoveryStats stats;
    };
    Loaded load() {
        Loaded out;
        auto stats = store->load_entries([&](const EntryRecord& e, const MessageRecord& m) {
            out.entries.push_back(e);
            out.messages.push_back(m);
        });
        EXPECT_TRUE(stats.has_value());
        if (stats) {
            out.stats = *stats;
        }
        return out;
    }

    static MessageRecord message(std::uint64_t id, std::string body) {
        return MessageRecord{id, "ex", "key", "", std::make_shared<const std::string>(body)};
    }
    static QueueRecord queue(std::uint64_t id, std::string name) {
        return QueueRecord{id, "/", std::move(name), false, "{}", 0};
    }

    warren::testing::TempDir dir;
    warren::testing::ManualExecutor executor;
    std::unique_ptr<sqlite::SqliteStore> store;
};

} // namespace warren::storage::testing
