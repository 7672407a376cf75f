#include "storage/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <chrono>
#include <tuple>

#include <spdlog/spdlog.h>

#include "storage/sqlite/dedup_chunks.hpp"
#include "storage/sqlite/packed_page.hpp"
#include "storage/sqlite/wal_vfs.hpp"

namespace warren::storage::sqlite {

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(SqliteOptions options, Post post) {
    // Only the writer writes the WAL: its connection gathers each commit's frames into one write.
    auto write_db = Db::open(options.path, false, gathering_wal_vfs());
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
    // A connection learns that the database is in WAL mode on its first read; until then
    // sqlite3_wal_checkpoint_v2 on it is a no-op that reports success. Without this read the
    // checkpointer never copied a page: the WAL grew without end (15 GB in a 16-minute soak,
    // its index mapped into RSS) and warren.db stayed at 4 KiB.
    if (auto ok = checkpoint_db->exec("SELECT count(*) FROM sqlite_master"); !ok) {
        return ok.error();
    }
    auto pager_db = Db::open(options.path);
    if (!pager_db) {
        return pager_db.error();
    }
    if (auto ok = configure_reader(*pager_db); !ok) {
        return ok.error();
    }
    auto checkpointer =
        std::make_unique<Checkpointer>(std::move(*checkpoint_db), options.wal_truncate_bytes);
    auto writer = std::make_unique<Writer>(std::move(*write_db), std::move(*statements), post,
                                           options.max_pending_bytes, options.commit_interval,
                                           options.wal_restart_bytes, checkpointer.get());
    return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(options), std::move(post),
                                                        std::move(*reader), std::move(checkpointer),
                                                        std::move(writer), std::move(*pager_db)));
}

SqliteStore::SqliteStore(SqliteOptions options, Post post, Db reader,
                         std::unique_ptr<Checkpointer> checkpointer, std::unique_ptr<Writer> writer,
                         Db pager_db)
    : options_(std::move(options)), post_(std::move(post)), reader_(std::move(reader)),
      checkpointer_(std::move(checkpointer)), writer_(std::move(writer)),
      pager_db_(std::move(pager_db)), pager_([this] { run_pager(); }) {}

SqliteStore::~SqliteStore() {
    close();
}

void SqliteStore::submit(Batch batch, Completion done) {
    writer_->submit(std::move(batch), std::move(done));
}

void SqliteStore::close() {
    {
        std::lock_guard lock(pager_mutex_);
        pager_stopping_ = true;
        pager_wake_.notify_one();
    }
    if (pager_.joinable()) {
        pager_.join();
    }
    writer_->close();
    checkpointer_->stop();
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
    if (ok) {
        Result<void> decoded;
        ok = query("SELECT c.scope, c.keys, COALESCE(x.below_seq, 0) FROM dedup_chunks c "
                   "LEFT JOIN dedup_cuts x ON x.scope = c.scope ORDER BY c.scope, c.last_seq",
                   [&](const Statement& s) {
                       if (decoded) {
                           decoded = read_dedup_chunk(s.column_blob(1), text(s, 0),
                                                      static_cast<std::uint64_t>(s.column_int(2)),
                                                      d.dedup);
                       }
                   });
        if (ok) {
            ok = decoded;
        }
        // Chunks come in order; keys inside one are in the order their batch listed them.
        std::stable_sort(d.dedup.begin(), d.dedup.end(),
                         [](const DedupRecord& a, const DedupRecord& b) {
                             return std::tie(a.scope, a.seq) < std::tie(b.scope, b.seq);
                         });
    }
    if (ok) {
        ok = query("SELECT queue_id, first_seq, last_seq, first_timestamp, last_timestamp, "
                   "messages, bytes FROM stream_segments ORDER BY queue_id, first_seq",
                   [&](const Statement& s) {
                       d.stream_segments.push_back({static_cast<std::uint64_t>(s.column_int(0)),
                                                    static_cast<std::uint64_t>(s.column_int(1)),
                                                    static_cast<std::uint64_t>(s.column_int(2)),
                                                    s.column_int(3), s.column_int(4),
                                                    static_cast<std::uint64_t>(s.column_int(5)),
                                                    static_cast<std::uint64_t>(s.column_int(6))});
                   });
    }
    if (ok) {
        ok = query("SELECT queue_id, consumer, offset FROM stream_offsets "
                   "ORDER BY queue_id, consumer",
                   [&](const Statement& s) {
                       d.stream_offsets.push_back({static_cast<std::uint64_t>(s.column_int(0)),
                                                   text(s, 1),
                                                   static_cast<std::uint64_t>(s.column_int(2))});
                   });
    }
    if (!ok) {
        return ok.error();
    }
    return d;
}

namespace {

// Entries of one queue from a sequence on, with their messages, minus doomed ranges.
constexpr const char* kEntriesSql =
    "SELECT e.seq, e.message_id, e.expires_at, e.delivery_count, e.size, m.exchange, "
    "m.routing_key, m.properties, m.body, e.timestamp FROM entries e JOIN messages m ON m.id = "
    "e.message_id "
    "WHERE e.queue_id = ?1 AND e.seq >= ?2 AND NOT EXISTS (SELECT 1 FROM doomed d WHERE "
    "d.queue_id = e.queue_id AND e.seq BETWEEN d.from_seq AND d.up_to_seq) "
    "ORDER BY e.seq LIMIT ?3";

// The same for a queue with no doomed range: the check above, made for every row, was a sixth
// of a page read.
constexpr const char* kUndoomedEntriesSql =
    "SELECT e.seq, e.message_id, e.expires_at, e.delivery_count, e.size, m.exchange, "
    "m.routing_key, m.properties, m.body, e.timestamp FROM entries e JOIN messages m ON m.id = "
    "e.message_id WHERE e.queue_id = ?1 AND e.seq >= ?2 ORDER BY e.seq LIMIT ?3";

// Reads rows of kEntriesSql (bound already) into `visit`; the same message id in a row keeps
// the previous MessageRecord (and its body) so a caller can share it.
template <class Visit>
Result<std::uint64_t> read_rows(Statement& stmt, std::uint64_t queue_id, Visit&& visit,
                                std::uint64_t& messages) {
    EntryRecord entry;
    MessageRecord message;
    std::uint64_t rows = 0;
    while (true) {
        auto more = stmt.step();
        if (!more) {
            stmt.reset();
            return more.error();
        }
        if (!*more) {
            break;
        }
        entry.queue_id = queue_id;
        entry.seq = static_cast<std::uint64_t>(stmt.column_int(0));
        entry.message_id = static_cast<std::uint64_t>(stmt.column_int(1));
        entry.expires_at = stmt.column_int(2);
        entry.delivery_count = static_cast<std::uint32_t>(stmt.column_int(3));
        entry.size = static_cast<std::uint32_t>(stmt.column_int(4));
        entry.timestamp = stmt.column_int(9);
        if (entry.message_id != message.id || !message.body) {
            message.id = entry.message_id;
            message.exchange = std::string(stmt.column_text(5));
            message.routing_key = std::string(stmt.column_text(6));
            message.properties = std::string(stmt.column_text(7));
            message.body = std::make_shared<const std::string>(stmt.column_blob(8));
            ++messages;
        }
        visit(entry, message);
        ++rows;
    }
    stmt.reset();
    return rows;
}

} // namespace

Result<RecoveryStats> SqliteStore::load_entries(const EntryVisitor& visit,
                                                std::size_t per_queue_limit) {
    RecoveryStats stats;
    // A stream (a queue with segments) is read by range, never loaded.
    auto queues = reader_.prepare("SELECT id FROM queues q WHERE NOT EXISTS (SELECT 1 FROM "
                                  "stream_segments s WHERE s.queue_id = q.id) ORDER BY id");
    auto head = reader_.prepare(kEntriesSql);
    auto tail = reader_.prepare(
        "SELECT COUNT(*), COALESCE(SUM(e.size), 0), COALESCE(MIN(e.seq), 0) FROM entries e "
        "WHERE e.queue_id = ?1 AND e.seq > ?2 AND NOT EXISTS (SELECT 1 FROM doomed d WHERE "
        "d.queue_id = e.queue_id AND e.seq BETWEEN d.from_seq AND d.up_to_seq)");
    if (!queues || !head || !tail) {
        return !queues ? queues.error() : !head ? head.error() : tail.error();
    }
    const std::int64_t limit = per_queue_limit >= static_cast<std::size_t>(INT64_MAX)
                                   ? -1
                                   : static_cast<std::int64_t>(per_queue_limit);
    std::vector<std::uint64_t> ids;
    while (true) {
        auto more = queues->step();
        if (!more) {
            return more.error();
        }
        if (!*more) {
            break;
        }
        ids.push_back(static_cast<std::uint64_t>(queues->column_int(0)));
    }
    for (const std::uint64_t queue_id : ids) {
        std::uint64_t last_seq = 0;
        head->bind(1, static_cast<std::int64_t>(queue_id)).bind(2, std::int64_t{0}).bind(3, limit);
        auto rows = read_rows(
            *head, queue_id,
            [&](const EntryRecord& e, const MessageRecord& m) {
                last_seq = e.seq;
                stats.max_message_id = std::max(stats.max_message_id, m.id);
                visit(e, m);
            },
            stats.messages);
        if (!rows) {
            return rows.error();
        }
        stats.entries += *rows;
        if (limit < 0 || *rows < static_cast<std::uint64_t>(limit)) {
            continue;
        }
        tail->bind(1, static_cast<std::int64_t>(queue_id))
            .bind(2, static_cast<std::int64_t>(last_seq));
        auto row = tail->step();
        if (!row) {
            tail->reset();
            return row.error();
        }
        const auto count = static_cast<std::uint64_t>(tail->column_int(0));
        if (count > 0) {
            stats.tails.push_back({queue_id, count, static_cast<std::uint64_t>(tail->column_int(1)),
                                   static_cast<std::uint64_t>(tail->column_int(2))});
        }
        tail->reset();
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

void SqliteStore::read_entries(std::uint64_t queue_id, std::uint64_t from_seq, std::size_t limit,
                               PageCompletion done) {
    {
        std::lock_guard lock(pager_mutex_);
        if (!pager_stopping_) {
            page_requests_.push_back(PageRequest{queue_id, from_seq, limit, std::move(done)});
            pager_wake_.notify_one();
            return;
        }
    }
    // Closed: answer at once, as submit() does, rather than never.
    post_([done = std::move(done)] {
        done(make_error(Errc::resource_alarm, "the store is shutting down"));
    });
}

void SqliteStore::run_pager() {
    pthread_setname_np(pthread_self(), "warren-pager");
    auto checked = pager_db_.prepare(kEntriesSql);
    auto unchecked = pager_db_.prepare(kUndoomedEntriesSql);
    auto doomed = pager_db_.prepare("SELECT 1 FROM doomed WHERE queue_id = ?1 LIMIT 1");
    while (true) {
        PageRequest request;
        {
            std::unique_lock lock(pager_mutex_);
            pager_wake_.wait(lock, [&] { return pager_stopping_ || !page_requests_.empty(); });
            if (pager_stopping_) {
                // Reads still queued at close() fail rather than never complete.
                for (auto& r : page_requests_) {
                    post_([done = std::move(r.done)] {
                        done(make_error(Errc::resource_alarm, "the store is shutting down"));
                    });
                }
                page_requests_.clear();
                return;
            }
            request = std::move(page_requests_.front());
            page_requests_.pop_front();
        }
        auto page = [&]() -> Result<PackedPage> {
            if (!checked || !unchecked || !doomed) {
                return !checked ? checked.error() : !unchecked ? unchecked.error() : doomed.error();
            }
            // One snapshot for both statements: a purge committed between them cannot slip in.
            if (auto begun = pager_db_.exec("BEGIN"); !begun) {
                return begun.error();
            }
            doomed->bind(1, static_cast<std::int64_t>(request.queue_id));
            auto any_doomed = doomed->step();
            doomed->reset();
            Result<PackedPage> read = PackedPage{};
            if (!any_doomed) {
                read = any_doomed.error();
            } else {
                Statement& stmt = *any_doomed ? *checked : *unchecked;
                stmt.bind(1, static_cast<std::int64_t>(request.queue_id))
                    .bind(2, static_cast<std::int64_t>(request.from_seq))
                    .bind(3, static_cast<std::int64_t>(request.limit));
                read = read_packed(stmt, request.queue_id, request.limit);
            }
            (void)pager_db_.exec("COMMIT"); // a read transaction: nothing to lose
            return read;
        }();
        // Unpacked where it is taken (packed_page.hpp says why).
        post_([done = std::move(request.done), page = std::move(page)]() mutable {
            if (!page) {
                done(page.error());
                return;
            }
            done(unpack(*page));
        });
    }
}

} // namespace warren::storage::sqlite
