#include "storage/sqlite/schema.hpp"
#include "store_fixture.hpp"

namespace warren::storage::testing {
namespace {

TEST(Schema, NewDatabaseGetsTheCurrentVersion) {
    warren::testing::TempDir dir;
    auto db = sqlite::Db::open(dir.file("a.db"));
    ASSERT_TRUE(db);
    ASSERT_TRUE(sqlite::migrate(*db));
    EXPECT_EQ(*sqlite::schema_version(*db), sqlite::kSchemaVersion);
    ASSERT_TRUE(sqlite::migrate(*db)); // idempotent
    EXPECT_EQ(*sqlite::schema_version(*db), sqlite::kSchemaVersion);
}

TEST(Schema, VersionOneDatabaseIsUpgradedKeepingItsData) {
    warren::testing::TempDir dir;
    {
        auto db = sqlite::Db::open(dir.file("warren.db"));
        ASSERT_TRUE(sqlite::migrate(*db, 1));
        ASSERT_TRUE(db->exec("INSERT INTO vhosts (name) VALUES ('old');"
                             "INSERT INTO queues (id, vhost, name, auto_delete, arguments) "
                             "VALUES (4, 'old', 'q', 0, '{}');"
                             "INSERT INTO messages VALUES (1, '', 'q', '', x'6869');"
                             "INSERT INTO entries (queue_id, seq, message_id, expires_at, "
                             "delivery_count) VALUES (4, 1, 1, 9223372036854775807, 2);"));
        EXPECT_EQ(*sqlite::schema_version(*db), 1);
    }
    warren::testing::ManualExecutor executor;
    auto store = sqlite::SqliteStore::open({dir.file("warren.db")}, executor.poster());
    ASSERT_TRUE(store) << store.error().reason;
    auto defs = (*store)->load_definitions();
    ASSERT_TRUE(defs);
    ASSERT_EQ(defs->vhosts.size(), 1u);
    EXPECT_EQ(defs->vhosts[0].name, "old");
    EXPECT_EQ(defs->vhosts[0].description, ""); // the new column's default
    EXPECT_TRUE(defs->users.empty());           // the new table exists
    std::vector<EntryRecord> entries;
    ASSERT_TRUE((*store)->load_entries(
        [&](const EntryRecord& e, const MessageRecord&) { entries.push_back(e); }));
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].delivery_count, 2u);
}

TEST(Schema, NewerDatabaseIsRefused) {
    warren::testing::TempDir dir;
    auto db = sqlite::Db::open(dir.file("a.db"));
    ASSERT_TRUE(db->exec("PRAGMA user_version = 99"));
    auto r = sqlite::migrate(*db);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().reason.find("newer"), std::string::npos);
}

} // namespace
} // namespace warren::storage::testing
