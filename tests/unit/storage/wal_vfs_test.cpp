// The gathering WAL VFS against plain SQLite: what one connection writes through it, another
// (default VFS) reads back intact, across big commits, cache spills and rollbacks.

#include <gtest/gtest.h>

#include "storage/sqlite/db.hpp"
#include "storage/sqlite/schema.hpp"
#include "storage/sqlite/wal_vfs.hpp"
#include "support/temp_dir.hpp"

namespace warren::storage::sqlite {
namespace {

std::int64_t one(Db& db, const char* sql) {
    auto stmt = db.prepare(sql);
    EXPECT_TRUE(stmt);
    auto row = stmt->step();
    EXPECT_TRUE(row && *row);
    return stmt->column_int(0);
}

TEST(GatheringWalVfs, WhatItWritesReadsBackIntactElsewhere) {
    warren::testing::TempDir dir;
    const auto path = dir.file("t.db");
    auto writer = Db::open(path, false, gathering_wal_vfs());
    ASSERT_TRUE(writer);
    ASSERT_TRUE(configure_writer(*writer, SyncMode::normal));
    // A tiny cache makes big transactions spill frames to the WAL before their commit.
    ASSERT_TRUE(writer->exec("PRAGMA cache_size = 8;"
                             "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL);"));
    auto reader = Db::open(path);
    ASSERT_TRUE(reader);
    auto insert = writer->prepare("INSERT INTO t VALUES (?1, ?2)");
    ASSERT_TRUE(insert);
    std::int64_t id = 0;
    const auto put = [&](int rows, std::size_t size) {
        for (int i = 0; i < rows; ++i) {
            const std::string body(size, static_cast<char>('a' + ++id % 26));
            ASSERT_TRUE(insert->bind(1, id).bind_blob(2, body).run());
        }
    };
    // Small commits, one big commit (well past one gathered write), then a rolled-back one.
    for (int c = 0; c < 50; ++c) {
        ASSERT_TRUE(writer->exec("BEGIN IMMEDIATE"));
        put(3, 300);
        ASSERT_TRUE(writer->exec("COMMIT"));
        EXPECT_EQ(one(*reader, "SELECT COUNT(*) FROM t"), id); // seen at once by another
    }
    ASSERT_TRUE(writer->exec("BEGIN IMMEDIATE"));
    put(400, 3000);
    ASSERT_TRUE(writer->exec("COMMIT"));
    EXPECT_EQ(one(*reader, "SELECT COUNT(*) FROM t"), id);
    const std::int64_t committed = id;
    ASSERT_TRUE(writer->exec("BEGIN IMMEDIATE"));
    put(400, 3000);
    ASSERT_TRUE(writer->exec("ROLLBACK"));
    id = committed;
    ASSERT_TRUE(writer->exec("BEGIN IMMEDIATE"));
    put(5, 100);
    ASSERT_TRUE(writer->exec("COMMIT"));
    EXPECT_EQ(one(*reader, "SELECT COUNT(*) FROM t"), committed + 5);
    EXPECT_EQ(one(*reader, "SELECT SUM(length(body)) FROM t"), 50 * 3 * 300 + 400 * 3000 + 5 * 100);
    auto check = reader->prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check && *check->step());
    EXPECT_EQ(check->column_text(0), "ok");
    // The last bytes written reach the file: a fresh connection, after the writer is gone
    // without a checkpoint, recovers the same WAL.
    *writer = Db();
    auto again = Db::open(path);
    EXPECT_EQ(one(*again, "SELECT COUNT(*) FROM t"), committed + 5);
}

} // namespace
} // namespace warren::storage::sqlite
