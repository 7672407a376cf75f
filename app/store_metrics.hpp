#pragma once

// The SQLite writer thread's counters as GET /metrics shows them. app/ is the one place that
// names both storage/sqlite and web/, so the translation lives here.

#include "storage/sqlite/sqlite_store.hpp"
#include "web/handlers/monitoring.hpp"

namespace warren::app {

web::StoreMetrics store_metrics(const storage::sqlite::SqliteStore& store);

} // namespace warren::app
