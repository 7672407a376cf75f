#pragma once

// The SQLite schema and its migrations. PRAGMA user_version holds the schema version; opening a
// database applies every later step, each in its own transaction, so an older warren's file is
// upgraded in place and a crash mid-upgrade leaves a consistent version behind.

#include "common/error.hpp"
#include "storage/sqlite/db.hpp"

namespace warren::storage::sqlite {

enum class SyncMode { normal, full };

inline constexpr int kSchemaVersion = 4;

// Brings the database to `target` (kSchemaVersion unless a test wants an older layout).
Result<void> migrate(Db& db, int target = kSchemaVersion);
Result<int> schema_version(Db& db);

// Connection settings: WAL, the sync level, and no automatic checkpoints (the store runs them off
// the commit path).
Result<void> configure_writer(Db& db, SyncMode sync);
Result<void> configure_reader(Db& db);

} // namespace warren::storage::sqlite
