#pragma once

// MemoryStoreKind and SqliteStoreKind: the two Stores behind one small interface, so that typed
// tests (the Store contract, the broker's durability and paging tests) run on both. A kind is
// one "disk" that outlives the store objects opened over it: open() starts a store over it,
// close() stops that store as a process exit would, and the next open() sees what was committed
// (SQLite: the same file in a temp dir; memory: the same MemoryStore object, reopened).
//
// Thread: the test's. Completions go through the `post` given at construction (a
// ManualExecutor's), which must outlive the kind.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "storage/memory_store.hpp"
#include "storage/sqlite/db.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "support/temp_dir.hpp"

namespace warren::testing {

class MemoryStoreKind {
public:
    static constexpr const char* kName = "Memory";

    explicit MemoryStoreKind(storage::Post post) : post_(std::move(post)) {}

    void open() {
        if (store_) {
            store_->reopen(post_);
        } else {
            store_ = std::make_unique<storage::MemoryStore>(post_);
        }
    }
    void close() { store_->close(); }
    storage::Store& store() { return *store_; }

    // Waits until background work no longer changes what a load returns: none here.
    void settle() {}
    // Stored messages, referenced by an entry or not.
    std::size_t message_count() { return store_->message_count_for_test(); }
    // From now on, batches that touch permissions fail (as with SQLite's table gone).
    void break_permissions() {
        store_->fail_batches_for_test([](const storage::Batch& b) {
            return !b.put_permissions.empty() || !b.deleted_permissions.empty() ||
                   !b.deleted_users.empty() || !b.deleted_vhosts.empty();
        });
    }

private:
    storage::Post post_;
    std::unique_ptr<storage::MemoryStore> store_;
};

class SqliteStoreKind {
public:
    static constexpr const char* kName = "Sqlite";

    explicit SqliteStoreKind(storage::Post post) : post_(std::move(post)) {}

    void open() {
        storage::sqlite::SqliteOptions options;
        options.path = path();
        auto store = storage::sqlite::SqliteStore::open(options, post_);
        ASSERT_TRUE(store.has_value()) << store.error().reason;
        store_ = std::move(*store);
    }
    void close() {
        store_->close();
        store_.reset();
    }
    storage::Store& store() { return *store_; }
    storage::sqlite::SqliteStore& sqlite() { return *store_; }
    std::string path() const { return dir_.file("warren.db"); }

    // Waits until the writer has reaped every doomed range (purged or deleted queues), so that
    // what a load returns no longer depends on how far the background deletion got.
    void settle() {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (count("SELECT COUNT(*) FROM doomed") > 0) {
            ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "doomed ranges left";
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }
    std::size_t message_count() {
        return static_cast<std::size_t>(count("SELECT COUNT(*) FROM messages"));
    }
    // Drops the permissions table behind the store's back: batches that touch it fail for real.
    void break_permissions() {
        auto db = storage::sqlite::Db::open(path());
        ASSERT_TRUE(db && db->exec("DROP TABLE permissions"));
    }

private:
    // One number from the database file, through a connection of its own.
    std::int64_t count(const char* sql) {
        auto db = storage::sqlite::Db::open(path());
        EXPECT_TRUE(db);
        auto stmt = db->prepare(sql);
        EXPECT_TRUE(stmt);
        if (!stmt) {
            return -1;
        }
        auto row = stmt->step();
        EXPECT_TRUE(row && *row);
        return stmt->column_int(0);
    }

    TempDir dir_;
    storage::Post post_;
    std::unique_ptr<storage::sqlite::SqliteStore> store_;
};

// For TYPED_TEST_SUITE: names the instantiations after the kind.
struct StoreKindName {
    template <class Kind> static std::string GetName(int) { return Kind::kName; }
};

} // namespace warren::testing
