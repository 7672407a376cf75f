#include "storage/sqlite/sqlite_store.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

namespace warren::storage::sqlite {

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(SqliteOptions options, Post post) {
    auto write_db = Db::open(options.path);
    if (!write_db) {
        return write_db.error();
    }
    if (auto ok = configure_writer(*write_db, options.sync); !ok) {
        return ok.error();
    }
    if (auto ok = migrate(*write_db); !ok) {
        return ok.error();
    }
    auto statements = BatchWriter::prepare(*write_db);
    if (!statements) {
        return statements.error();
    }
    auto reader = Db::open(options.path);
    if (!reader) {
        return reader.error();
    }
    if (auto ok = configure_reader(*reader); !ok) {
        return ok.error();
    }
    auto checkpoint_db = Db::open(options.path);
    if (!checkpoint_db) {
        return checkpoint_db.error();
    }
    auto writer = std::make_unique<Writer>(std::move(*write_db), std::move(*statements),
                                           std::move(post), options.max_pending_bytes);
    return std::unique_ptr<SqliteStore>(new SqliteStore(
        std::move(options), std::move(*reader), std::move(writer), std::move(*checkpoint_db)));
}

SqliteStore::SqliteStore(SqliteOptions options, Db reader, std::unique_ptr<Writer> writer,
                         Db checkpoint_db)
    : options_(std::move(options)), reader_(std::move(reader)), writer_(std::move(writer)),
      checkpoint_db_(std::move(checkpoint_db)), checkpointer_([this] { run_checkpoints(); }) {}

SqliteStore::~SqliteStore() {
    close();
}

void SqliteStore::submit(Batch batch, Completion done) {
    writer_->submit(std::move(batch), std::move(done));
}

void SqliteStore::close() {
    writer_->close();
    {
        std::lock_guard lock(checkpoint_mutex_);
        stopping_ = true;
        checkpoint_wake_.notify_one();
    }
    if (checkpointer_.joinable()) {
        checkpointer_.join();
        // A last full checkpoint leaves a small WAL behind for the next start.
        sqlite3_wal_checkpoint_v2(checkpoint_db_.handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE,
                                  nullptr, nullptr);
    }
}

void SqliteStore::run_checkpoints() {
    std::unique_lock lock(checkpoint_mutex_);
    while (!stopping_) {
        checkpoint_wake_.wait_for(lock, std::chrono::milliseconds(200));
        if (stopping_) {
            break;
        }
        lock.unlock();
        int wal_frames = 0;
        int checkpointed = 0;
        // PASSIVE never waits for the writer: it copies what it can and returns.
        const int rc =
            sqlite3_wal_checkpoint_v2(checkpoint_db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                      &wal_frames, &checkpointed);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
            spdlog::warn("store: checkpoint failed: {}", sqlite3_errmsg(checkpoint_db_.handle()));
        }
        lock.lock();
    }
}

Result<Definitions> SqliteStore::load_definitions() {
    Definitions d;
    auto query = [&](const char* sql, auto&& row) -> Result<void> {
        auto stmt = reader_.prepare(sql);
        if (!stmt) {
            return stmt.error();
        }
        while (true) {
            auto more = stmt->step();
            if (!more) {
                return more.error();
            }
            if (!*more) {
                return {};
            }
            row(*stmt);
        }
    };
    auto text = [](const Statement& s, int i) { return std::string(s.column_text(i)); };
    Result<void> ok =
        query("SELECT name, description, tags FROM vhosts ORDER BY name", [&](const Statement& s) {
            d.vhosts.push_back({text(s, 0), text(s, 1), text(s, 2)});
        });
    if (ok) {
        ok = query("SELECT vhost, name, type, auto_delete, internal, arguments FROM exchanges",
                   [&](const Statement& s) {
                       d.exchanges.push_back({text(s, 0), text(s, 1), text(s, 2),
                                              s.column_int(3) != 0, s.column_int(4) != 0,
                                              text(s, 5)});
                   });
    }
    if (ok) {
        // last_seq also looks at doomed (purged) ranges, so new entries never fall into one.
        ok = query("SELECT id, vhost, name, auto_delete, arguments, MAX("
                   "(SELECT COALESCE(MAX(seq), 0) FROM entries WHERE queue_id = q.id), "
                   "(SELECT COALESCE(MAX(up_to_seq), 0) FROM doomed WHERE queue_id = q.id AND "
                   "up_to_seq < 9223372036854775807)) FROM queues q ORDER BY id",
                   [&](const Statement& s) {
                       d.queues.push_back({static_cast<std::uint64_t>(s.column_int(0)), text(s, 1),
                                           text(s, 2), s.column_int(3) != 0, text(s, 4),
                                           static_cast<std::uint64_t>(s.column_int(5))});
                   });
    }
    if (ok) {
        ok = query("SELECT vhost, source, destination, to_exchange, routing_key, arguments "
                   "FROM bindings",
                   [&](const Statement& s) {
                       d.bindings.push_back({text(s, 0), text(s, 1), text(s, 2),
                                             s.column_int(3) != 0, text(s, 4), text(s, 5)});
                   });
    }
    if (ok) {
        ok = query("SELECT name, password_hash, hashing_algorithm, tags FROM users",
                   [&](const Statement& s) {
                       d.users.push_back({text(s, 0), text(s, 1), text(s, 2), text(s, 3)});
                   });
    }
    if (ok) {
        ok = query("SELECT user, vhost, configure, write, read FROM permissions",
                   [&](const Statement& s) {
                       d.permissions.push_back(
                           {text(s, 0), text(s, 1), text(s, 2), text(s, 3), text(s, 4)});
                   });
    }
    if (!ok) {
        return ok.error();
    }
    return d;
}

Result<RecoveryStats> SqliteStore::load_entries(const EntryVisitor& visit) {
    // Entries of live queues, in queue and sequence order, minus the doomed ranges the
    // background deleter has not reached yet.
    auto stmt =
        reader_.prepare("SELECT e.queue_id, e.seq, e.message_id, e.expires_at, e.delivery_count, "
                        "m.exchange, m.routing_key, m.properties, m.body "
                        "FROM entries e JOIN queues q ON q.id = e.queue_id "
                        "JOIN messages m ON m.id = e.message_id "
                        "WHERE NOT EXISTS (SELECT 1 FROM doomed d WHERE d.queue_id = e.queue_id "
                        "AND e.seq BETWEEN d.from_seq AND d.up_to_seq) "
                        "ORDER BY e.queue_id, e.seq");
    if (!stmt) {
        return stmt.error();
    }
    RecoveryStats stats;
    EntryRecord entry;
    MessageRecord message;
    std::uint64_t last_message_id = 0;
    while (true) {
        auto more = stmt->step();
        if (!more) {
            return more.error();
        }
        if (!*more) {
            break;
        }
        entry.queue_id = static_cast<std::uint64_t>(stmt->column_int(0));
        entry.seq = static_cast<std::uint64_t>(stmt->column_int(1));
        entry.message_id = static_cast<std::uint64_t>(stmt->column_int(2));
        entry.expires_at = stmt->column_int(3);
        entry.delivery_count = static_cast<std::uint32_t>(stmt->column_int(4));
        if (entry.message_id != last_message_id || !message.body) {
            message.id = entry.message_id;
            message.exchange = std::string(stmt->column_text(5));
            message.routing_key = std::string(stmt->column_text(6));
            message.properties = std::string(stmt->column_text(7));
            message.body = std::make_shared<const std::string>(stmt->column_blob(8));
            last_message_id = entry.message_id;
            ++stats.messages;
        }
        visit(entry, message);
        ++stats.entries;
        stats.max_message_id = std::max(stats.max_message_id, entry.message_id);
    }
    auto max_ids = reader_.prepare(
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM messages), "
        "(SELECT COALESCE(MAX(id), 0) FROM queues), (SELECT COALESCE(MAX(queue_id), 0) FROM "
        "doomed)");
    if (!max_ids) {
        return max_ids.error();
    }
    if (auto row = max_ids->step(); row && *row) {
        stats.max_message_id =
            std::max(stats.max_message_id, static_cast<std::uint64_t>(max_ids->column_int(0)));
        stats.max_queue_id =
            static_cast<std::uint64_t>(std::max(max_ids->column_int(1), max_ids->column_int(2)));
    }
    return stats;
}

} // namespace warren::storage::sqlite
