#include "storage/sqlite/schema.hpp"

#include <string>

namespace warren::storage::sqlite {
namespace {

// Step N brings the schema from version N-1 to N. Never edit a released step: add one.
const char* const kSteps[] = {
    // 1: definitions, messages stored once, per-queue entries.
    R"sql(
    CREATE TABLE vhosts (name TEXT PRIMARY KEY) WITHOUT ROWID;
    CREATE TABLE exchanges (
        vhost TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
        auto_delete INTEGER NOT NULL, internal INTEGER NOT NULL, arguments TEXT NOT NULL,
        PRIMARY KEY (vhost, name)) WITHOUT ROWID;
    CREATE TABLE queues (
        id INTEGER PRIMARY KEY, vhost TEXT NOT NULL, name TEXT NOT NULL,
        auto_delete INTEGER NOT NULL, arguments TEXT NOT NULL, UNIQUE (vhost, name));
    CREATE TABLE bindings (
        vhost TEXT NOT NULL, source TEXT NOT NULL, destination TEXT NOT NULL,
        to_exchange INTEGER NOT NULL, routing_key TEXT NOT NULL, arguments TEXT NOT NULL,
        PRIMARY KEY (vhost, source, destination, to_exchange, routing_key, arguments))
        WITHOUT ROWID;
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY, exchange TEXT NOT NULL, routing_key TEXT NOT NULL,
        properties TEXT NOT NULL, body BLOB NOT NULL);
    CREATE TABLE entries (
        queue_id INTEGER NOT NULL, seq INTEGER NOT NULL, message_id INTEGER NOT NULL,
        expires_at INTEGER NOT NULL, delivery_count INTEGER NOT NULL,
        size INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (queue_id, seq)) WITHOUT ROWID;
    CREATE INDEX entries_by_message ON entries (message_id);
    -- Entry ranges of deleted or purged queues, removed in the background in small chunks so a
    -- queue of millions does not hold up commits. Recovery ignores entries inside them.
    CREATE TABLE doomed (
        id INTEGER PRIMARY KEY, queue_id INTEGER NOT NULL, from_seq INTEGER NOT NULL,
        up_to_seq INTEGER NOT NULL);
    )sql",
    // 2: users and permissions; vhost metadata.
    R"sql(
    ALTER TABLE vhosts ADD COLUMN description TEXT NOT NULL DEFAULT '';
    ALTER TABLE vhosts ADD COLUMN tags TEXT NOT NULL DEFAULT '';
    CREATE TABLE users (
        name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, hashing_algorithm TEXT NOT NULL,
        tags TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE permissions (
        user TEXT NOT NULL, vhost TEXT NOT NULL, configure TEXT NOT NULL, write TEXT NOT NULL,
        read TEXT NOT NULL, PRIMARY KEY (user, vhost)) WITHOUT ROWID;
    )sql",
    // 3: deduplication windows (dedup_chunks.hpp). Keys are only ever looked up in memory
    // (loaded at boot): a window's keys of one batch are one row, and its cut one more.
    R"sql(
    CREATE TABLE dedup_chunks (
        scope TEXT NOT NULL, last_seq INTEGER NOT NULL, keys BLOB NOT NULL,
        PRIMARY KEY (scope, last_seq)) WITHOUT ROWID;
    CREATE TABLE dedup_cuts (scope TEXT PRIMARY KEY, below_seq INTEGER NOT NULL) WITHOUT ROWID;
    )sql",
    // 4: streams. A stream's messages are entries like a queue's, with their append time; its
    // segments (runs of entries, the unit of retention) are rows of their own, so boot reads a
    // few rows per stream instead of its entries; named consumers' offsets.
    R"sql(
    ALTER TABLE entries ADD COLUMN timestamp INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE stream_segments (
        queue_id INTEGER NOT NULL, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
        first_timestamp INTEGER NOT NULL, last_timestamp INTEGER NOT NULL,
        messages INTEGER NOT NULL, bytes INTEGER NOT NULL,
        PRIMARY KEY (queue_id, first_seq)) WITHOUT ROWID;
    CREATE TABLE stream_offsets (
        queue_id INTEGER NOT NULL, consumer TEXT NOT NULL, offset INTEGER NOT NULL,
        PRIMARY KEY (queue_id, consumer)) WITHOUT ROWID;
    )sql",
};

static_assert(sizeof(kSteps) / sizeof(kSteps[0]) == kSchemaVersion);

} // namespace

Result<int> schema_version(Db& db) {
    auto stmt = db.prepare("PRAGMA user_version");
    if (!stmt) {
        return stmt.error();
    }
    auto row = stmt->step();
    if (!row) {
        return row.error();
    }
    return static_cast<int>(stmt->column_int(0));
}

Result<void> migrate(Db& db, int target) {
    auto version = schema_version(db);
    if (!version) {
        return version.error();
    }
    if (*version > kSchemaVersion) {
        return make_error(Errc::internal, "the database has schema version " +
                                              std::to_string(*version) +
                                              ", newer than this warren understands (" +
                                              std::to_string(kSchemaVersion) + ")");
    }
    for (int step = *version + 1; step <= target; ++step) {
        const std::string sql = std::string("BEGIN IMMEDIATE;") + kSteps[step - 1] +
                                "PRAGMA user_version = " + std::to_string(step) + ";COMMIT;";
        if (auto ok = db.exec(sql.c_str()); !ok) {
            (void)db.exec("ROLLBACK");
            return make_error(Errc::internal, "schema migration to version " +
                                                  std::to_string(step) +
                                                  " failed: " + ok.error().reason);
        }
    }
    return {};
}

Result<void> configure_writer(Db& db, SyncMode sync) {
    if (auto ok = db.exec("PRAGMA journal_mode = WAL"); !ok) {
        return ok;
    }
    const char* pragmas = sync == SyncMode::full
                              ? "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;"
                                "PRAGMA journal_size_limit = 67108864; PRAGMA temp_store = MEMORY;"
                                "PRAGMA cache_size = -16384;"
                              : "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 0;"
                                "PRAGMA journal_size_limit = 67108864; PRAGMA temp_store = MEMORY;"
                                "PRAGMA cache_size = -16384;";
    return db.exec(pragmas);
}

Result<void> configure_reader(Db& db) {
    return db.exec("PRAGMA cache_size = -8192;");
}

} // namespace warren::storage::sqlite
