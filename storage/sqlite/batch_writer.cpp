#include "storage/sqlite/batch_writer.hpp"

#include <cstdint>

#include "storage/sqlite/dedup_chunks.hpp"

namespace warren::storage::sqlite {
namespace {

std::int64_t i64(std::uint64_t v) {
    return static_cast<std::int64_t>(v);
}

// Propagates the first error out of the enclosing function.
#define WARREN_TRY(expr)                                                                           \
    do {                                                                                           \
        if (auto warren_try_result = (expr); !warren_try_result) {                                 \
            return warren_try_result.error();                                                      \
        }                                                                                          \
    } while (false)

// The six columns that identify a binding, in the order both binding statements use.
Statement& bind_binding(Statement& stmt, const BindingRecord& x) {
    return stmt.bind(1, x.vhost)
        .bind(2, x.source)
        .bind(3, x.destination)
        .bind(4, std::int64_t{x.to_exchange})
        .bind(5, x.routing_key)
        .bind(6, x.arguments);
}

bool has_definitions(const Batch& b) {
    return !(b.put_vhosts.empty() && b.deleted_vhosts.empty() && b.put_exchanges.empty() &&
             b.deleted_exchanges.empty() && b.put_queues.empty() && b.deleted_queues.empty() &&
             b.put_bindings.empty() && b.deleted_bindings.empty() && b.put_users.empty() &&
             b.deleted_users.empty() && b.put_permissions.empty() && b.deleted_permissions.empty());
}

} // namespace

Result<BatchWriter> BatchWriter::prepare(Db& db) {
    BatchWriter w;
    struct Item {
        Statement* target;
        const char* sql;
    };
    const Item items[] = {
        {&w.put_vhost_, "INSERT INTO vhosts (name, description, tags) VALUES (?1, ?2, ?3) "
                        "ON CONFLICT (name) DO UPDATE SET description = ?2, tags = ?3"},
        {&w.delete_vhost_, "DELETE FROM vhosts WHERE name = ?1"},
        {&w.delete_vhost_exchanges_, "DELETE FROM exchanges WHERE vhost = ?1"},
        {&w.delete_vhost_bindings_, "DELETE FROM bindings WHERE vhost = ?1"},
        {&w.delete_vhost_permissions_, "DELETE FROM permissions WHERE vhost = ?1"},
        {&w.delete_vhost_segments_, "DELETE FROM stream_segments WHERE queue_id IN "
                                    "(SELECT id FROM queues WHERE vhost = ?1)"},
        {&w.delete_vhost_offsets_, "DELETE FROM stream_offsets WHERE queue_id IN "
                                   "(SELECT id FROM queues WHERE vhost = ?1)"},
        {&w.doom_vhost_queues_, "INSERT INTO doomed (queue_id, from_seq, up_to_seq) "
                                "SELECT id, 0, 9223372036854775807 FROM queues WHERE vhost = ?1"},
        {&w.delete_vhost_queues_, "DELETE FROM queues WHERE vhost = ?1"},
        {&w.put_exchange_, "INSERT OR REPLACE INTO exchanges (vhost, name, type, auto_delete, "
                           "internal, arguments) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
        {&w.delete_exchange_, "DELETE FROM exchanges WHERE vhost = ?1 AND name = ?2"},
        {&w.delete_exchange_bindings_, "DELETE FROM bindings WHERE vhost = ?1 AND (source = ?2 OR "
                                       "(destination = ?2 AND to_exchange = 1))"},
        {&w.put_queue_, "INSERT OR REPLACE INTO queues (id, vhost, name, auto_delete, arguments) "
                        "VALUES (?1, ?2, ?3, ?4, ?5)"},
        {&w.delete_queue_bindings_,
         "DELETE FROM bindings WHERE to_exchange = 0 AND (vhost, destination) IN "
         "(SELECT vhost, name FROM queues WHERE id = ?1)"},
        {&w.delete_queue_, "DELETE FROM queues WHERE id = ?1"},
        {&w.delete_queue_segments_, "DELETE FROM stream_segments WHERE queue_id = ?1"},
        {&w.delete_queue_offsets_, "DELETE FROM stream_offsets WHERE queue_id = ?1"},
        {&w.doom_range_, "INSERT INTO doomed (queue_id, from_seq, up_to_seq) VALUES (?1, ?2, ?3)"},
        {&w.put_binding_, "INSERT OR IGNORE INTO bindings (vhost, source, destination, "
                          "to_exchange, routing_key, arguments) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
        {&w.delete_binding_, "DELETE FROM bindings WHERE vhost = ?1 AND source = ?2 AND "
                             "destination = ?3 AND to_exchange = ?4 AND routing_key = ?5 AND "
                             "arguments = ?6"},
        {&w.put_user_, "INSERT OR REPLACE INTO users (name, password_hash, hashing_algorithm, "
                       "tags) VALUES (?1, ?2, ?3, ?4)"},
        {&w.delete_user_, "DELETE FROM users WHERE name = ?1"},
        {&w.delete_user_permissions_, "DELETE FROM permissions WHERE user = ?1"},
        {&w.put_permission_, "INSERT OR REPLACE INTO permissions (user, vhost, configure, "
                             "write, read) VALUES (?1, ?2, ?3, ?4, ?5)"},
        {&w.delete_permission_, "DELETE FROM permissions WHERE user = ?1 AND vhost = ?2"},
        {&w.put_message_, "INSERT OR REPLACE INTO messages (id, exchange, routing_key, "
                          "properties, body) VALUES (?1, ?2, ?3, ?4, ?5)"},
        {&w.put_entry_, "INSERT OR REPLACE INTO entries (queue_id, seq, message_id, expires_at, "
                        "delivery_count, size, timestamp) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
        {&w.update_delivery_,
         "UPDATE entries SET delivery_count = ?3 WHERE queue_id = ?1 AND seq = ?2"},
        {&w.delete_entry_,
         "DELETE FROM entries WHERE queue_id = ?1 AND seq = ?2 RETURNING message_id"},
        {&w.delete_orphan_, "DELETE FROM messages WHERE id = ?1 AND NOT EXISTS "
                            "(SELECT 1 FROM entries WHERE message_id = ?1)"},
        {&w.put_dedup_chunk_, "INSERT OR REPLACE INTO dedup_chunks (scope, last_seq, keys) "
                              "VALUES (?1, ?2, ?3)"},
        {&w.put_dedup_cut_, "INSERT INTO dedup_cuts (scope, below_seq) VALUES (?1, ?2) "
                            "ON CONFLICT (scope) DO UPDATE SET below_seq = MAX(below_seq, ?2)"},
        {&w.drop_dedup_chunks_, "DELETE FROM dedup_chunks WHERE scope = ?1 AND last_seq < ?2"},
        {&w.drop_dedup_cut_, "DELETE FROM dedup_cuts WHERE scope = ?1"},
        {&w.put_segment_,
         "INSERT OR REPLACE INTO stream_segments (queue_id, first_seq, last_seq, "
         "first_timestamp, last_timestamp, messages, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
        {&w.delete_segment_, "DELETE FROM stream_segments WHERE queue_id = ?1 AND first_seq = ?2"},
        {&w.put_stream_offset_, "INSERT OR REPLACE INTO stream_offsets (queue_id, consumer, "
                                "offset) VALUES (?1, ?2, ?3)"},
        {&w.next_doomed_,
         "SELECT id, queue_id, from_seq, up_to_seq FROM doomed ORDER BY id LIMIT 1"},
        {&w.reap_entries_,
         "DELETE FROM entries WHERE queue_id = ?1 AND seq >= ?2 AND seq <= COALESCE("
         "(SELECT seq FROM entries WHERE queue_id = ?1 AND seq >= ?2 AND seq <= ?3 "
         "ORDER BY seq LIMIT 1 OFFSET ?4), ?3) RETURNING message_id"},
        {&w.finish_doomed_, "DELETE FROM doomed WHERE id = ?1"},
        {&w.begin_, "BEGIN IMMEDIATE"},
        {&w.commit_, "COMMIT"},
        {&w.rollback_, "ROLLBACK"},
        {&w.savepoint_, "SAVEPOINT batch"},
        {&w.release_, "RELEASE batch"},
        {&w.rollback_to_, "ROLLBACK TO batch"},
    };
    for (const auto& item : items) {
        auto stmt = db.prepare(item.sql);
        if (!stmt) {
            return stmt.error();
        }
        *item.target = std::move(*stmt);
    }
    return w;
}

Result<void> BatchWriter::apply(const Batch& b) {
    WARREN_TRY(apply_definitions(b));
    for (const auto& m : b.messages) {
        WARREN_TRY(put_message(m));
    }
    for (const auto& e : b.entries) {
        WARREN_TRY(put_entry(e));
    }
    for (const auto& d : b.deliveries) {
        WARREN_TRY(update_delivery(d));
    }
    for (const auto& key : b.removed) {
        WARREN_TRY(remove_entry(key));
    }
    WARREN_TRY(apply_purges(b));
    WARREN_TRY(apply_dedup(b));
    return apply_streams(b);
}

Result<void> BatchWriter::apply_group(const std::vector<const Batch*>& batches,
                                      const GroupRows& rows) {
    for (const Batch* b : batches) {
        WARREN_TRY(apply_definitions(*b));
        WARREN_TRY(apply_purges(*b));
    }
    for (const MessageRecord* m : rows.messages) {
        WARREN_TRY(put_message(*m));
    }
    for (const auto& e : rows.entries) {
        WARREN_TRY(put_entry(e));
    }
    for (const auto& d : rows.deliveries) {
        WARREN_TRY(update_delivery(d));
    }
    for (const auto& key : rows.removed) {
        WARREN_TRY(remove_entry(key));
    }
    for (const auto message_id : rows.orphan_checks) {
        WARREN_TRY(drop_orphan(i64(message_id)));
    }
    // Batch by batch, so a later batch's cut never runs before an earlier batch's keys (and a
    // later segment put after an earlier one).
    for (const Batch* b : batches) {
        WARREN_TRY(apply_dedup(*b));
        WARREN_TRY(apply_streams(*b));
    }
    return {};
}

Result<void> BatchWriter::apply_streams(const Batch& b) {
    for (const auto& x : b.put_segments) {
        WARREN_TRY(put_segment_.bind(1, i64(x.queue_id))
                       .bind(2, i64(x.first_seq))
                       .bind(3, i64(x.last_seq))
                       .bind(4, x.first_timestamp)
                       .bind(5, x.last_timestamp)
                       .bind(6, i64(x.messages))
                       .bind(7, i64(x.bytes))
                       .run());
    }
    for (const auto& x : b.deleted_segments) {
        WARREN_TRY(delete_segment_.bind(1, i64(x.queue_id)).bind(2, i64(x.first_seq)).run());
    }
    for (const auto& x : b.put_stream_offsets) {
        WARREN_TRY(put_stream_offset_.bind(1, i64(x.queue_id))
                       .bind(2, x.consumer)
                       .bind(3, i64(x.offset))
                       .run());
    }
    return {};
}

// One chunk per window (usually there is one window in a batch, or a few), then the cuts: a
// cut of everything (the window's object is gone) drops its rows, so a new window of the same
// scope starts clean; any other cut is remembered and drops the chunks wholly below it.
Result<void> BatchWriter::apply_dedup(const Batch& b) {
    if (b.dedup_keys.empty() && b.dedup_cuts.empty()) {
        return {};
    }
    struct Chunk {
        std::string_view scope;
        std::uint64_t last_seq = 0;
        std::string keys;
    };
    std::vector<Chunk> chunks;
    for (const auto& k : b.dedup_keys) {
        Chunk* chunk = nullptr;
        for (auto& c : chunks) {
            if (c.scope == k.scope) {
                chunk = &c;
                break;
            }
        }
        if (chunk == nullptr) {
            chunk = &chunks.emplace_back(Chunk{k.scope, 0, {}});
        }
        append_dedup_key(chunk->keys, k);
        chunk->last_seq = std::max(chunk->last_seq, k.seq);
    }
    for (const auto& c : chunks) {
        WARREN_TRY(
            put_dedup_chunk_.bind(1, c.scope).bind(2, i64(c.last_seq)).bind_blob(3, c.keys).run());
    }
    for (const auto& c : b.dedup_cuts) {
        if (c.below_seq > static_cast<std::uint64_t>(INT64_MAX)) {
            WARREN_TRY(drop_dedup_chunks_.bind(1, c.scope).bind(2, INT64_MAX).run());
            WARREN_TRY(drop_dedup_cut_.bind(1, c.scope).run());
            continue;
        }
        WARREN_TRY(put_dedup_cut_.bind(1, c.scope).bind(2, i64(c.below_seq)).run());
        WARREN_TRY(drop_dedup_chunks_.bind(1, c.scope).bind(2, i64(c.below_seq)).run());
    }
    return {};
}

Result<void> BatchWriter::apply_definitions(const Batch& b) {
    if (!has_definitions(b)) {
        return {};
    }
    for (const auto& v : b.put_vhosts) {
        WARREN_TRY(put_vhost_.bind(1, v.name).bind(2, v.description).bind(3, v.tags).run());
    }
    for (const auto& name : b.deleted_vhosts) {
        for (Statement* s : {&delete_vhost_, &delete_vhost_exchanges_, &delete_vhost_bindings_,
                             &delete_vhost_permissions_, &delete_vhost_segments_,
                             &delete_vhost_offsets_, &doom_vhost_queues_, &delete_vhost_queues_}) {
            WARREN_TRY(s->bind(1, name).run());
        }
    }
    for (const auto& e : b.put_exchanges) {
        WARREN_TRY(put_exchange_.bind(1, e.vhost)
                       .bind(2, e.name)
                       .bind(3, e.type)
                       .bind(4, std::int64_t{e.auto_delete})
                       .bind(5, std::int64_t{e.internal})
                       .bind(6, e.arguments)
                       .run());
    }
    for (const auto& [vhost, name] : b.deleted_exchanges) {
        WARREN_TRY(delete_exchange_.bind(1, vhost).bind(2, name).run());
        WARREN_TRY(delete_exchange_bindings_.bind(1, vhost).bind(2, name).run());
    }
    for (const auto& q : b.put_queues) {
        WARREN_TRY(put_queue_.bind(1, i64(q.id))
                       .bind(2, q.vhost)
                       .bind(3, q.name)
                       .bind(4, std::int64_t{q.auto_delete})
                       .bind(5, q.arguments)
                       .run());
    }
    for (const auto id : b.deleted_queues) {
        WARREN_TRY(delete_queue_bindings_.bind(1, i64(id)).run());
        WARREN_TRY(delete_queue_.bind(1, i64(id)).run());
        WARREN_TRY(delete_queue_segments_.bind(1, i64(id)).run());
        WARREN_TRY(delete_queue_offsets_.bind(1, i64(id)).run());
        WARREN_TRY(doom_range_.bind(1, i64(id)).bind(2, std::int64_t{0}).bind(3, INT64_MAX).run());
    }
    for (const auto& x : b.put_bindings) {
        WARREN_TRY(bind_binding(put_binding_, x).run());
    }
    for (const auto& x : b.deleted_bindings) {
        WARREN_TRY(bind_binding(delete_binding_, x).run());
    }
    for (const auto& u : b.put_users) {
        WARREN_TRY(put_user_.bind(1, u.name)
                       .bind(2, u.password_hash)
                       .bind(3, u.hashing_algorithm)
                       .bind(4, u.tags)
                       .run());
    }
    for (const auto& name : b.deleted_users) {
        WARREN_TRY(delete_user_.bind(1, name).run());
        WARREN_TRY(delete_user_permissions_.bind(1, name).run());
    }
    for (const auto& p : b.put_permissions) {
        WARREN_TRY(put_permission_.bind(1, p.user)
                       .bind(2, p.vhost)
                       .bind(3, p.configure)
                       .bind(4, p.write)
                       .bind(5, p.read)
                       .run());
    }
    for (const auto& [user, vhost] : b.deleted_permissions) {
        WARREN_TRY(delete_permission_.bind(1, user).bind(2, vhost).run());
    }
    return {};
}

Result<void> BatchWriter::apply_purges(const Batch& b) {
    for (const auto& r : b.purged) {
        WARREN_TRY(doom_range_.bind(1, i64(r.queue_id))
                       .bind(2, i64(r.from_seq))
                       .bind(3, i64(r.up_to_seq))
                       .run());
    }
    return {};
}

Result<void> BatchWriter::put_message(const MessageRecord& m) {
    // A null pointer would bind SQL NULL (and fail NOT NULL): a missing body is an empty one.
    static constexpr std::string_view kEmpty("", 0);
    return put_message_.bind(1, i64(m.id))
        .bind(2, m.exchange)
        .bind(3, m.routing_key)
        .bind(4, m.properties)
        .bind_blob(5, m.body ? std::string_view(*m.body) : kEmpty)
        .run();
}

Result<void> BatchWriter::put_entry(const EntryRecord& e) {
    return put_entry_.bind(1, i64(e.queue_id))
        .bind(2, i64(e.seq))
        .bind(3, i64(e.message_id))
        .bind(4, e.expires_at)
        .bind(5, std::int64_t{e.delivery_count})
        .bind(6, std::int64_t{e.size})
        .bind(7, e.timestamp)
        .run();
}

Result<void> BatchWriter::update_delivery(const DeliveryCount& d) {
    return update_delivery_.bind(1, i64(d.key.queue_id))
        .bind(2, i64(d.key.seq))
        .bind(3, std::int64_t{d.delivery_count})
        .run();
}

Result<void> BatchWriter::remove_entry(const EntryKey& key) {
    delete_entry_.bind(1, i64(key.queue_id)).bind(2, i64(key.seq));
    auto row = delete_entry_.step();
    if (!row) {
        delete_entry_.reset();
        return row.error();
    }
    const bool found = *row;
    const std::int64_t message_id = found ? delete_entry_.column_int(0) : 0;
    delete_entry_.reset();
    if (found) {
        return drop_orphan(message_id);
    }
    return {};
}

Result<void> BatchWriter::drop_orphan(std::int64_t message_id) {
    return delete_orphan_.bind(1, message_id).run();
}

Result<std::size_t> BatchWriter::reap(std::size_t limit) {
    auto row = next_doomed_.step();
    if (!row) {
        next_doomed_.reset();
        return row.error();
    }
    if (!*row) {
        next_doomed_.reset();
        return std::size_t{0};
    }
    const std::int64_t id = next_doomed_.column_int(0);
    const std::int64_t queue_id = next_doomed_.column_int(1);
    const std::int64_t from = next_doomed_.column_int(2);
    const std::int64_t up_to = next_doomed_.column_int(3);
    next_doomed_.reset();

    std::vector<std::int64_t> message_ids;
    reap_entries_.bind(1, queue_id).bind(2, from).bind(3, up_to).bind(4, i64(limit - 1));
    while (true) {
        auto more = reap_entries_.step();
        if (!more) {
            reap_entries_.reset();
            return more.error();
        }
        if (!*more) {
            break;
        }
        message_ids.push_back(reap_entries_.column_int(0));
    }
    reap_entries_.reset();
    for (const auto message_id : message_ids) {
        WARREN_TRY(drop_orphan(message_id));
    }
    if (message_ids.size() < limit) {
        WARREN_TRY(finish_doomed_.bind(1, id).run());
    }
    // A finished range still counts as progress, so the caller asks again.
    return std::max<std::size_t>(message_ids.size(), 1);
}

} // namespace warren::storage::sqlite
