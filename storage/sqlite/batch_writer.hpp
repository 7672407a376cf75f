#pragma once

// BatchWriter: the prepared statements of the write connection (transaction control included, so
// no statement is compiled per commit) and how a Batch, or a commit group's coalesced rows,
// become rows. Used only by the writer thread, inside the transaction it opened.

#include <vector>

#include "common/error.hpp"
#include "storage/sqlite/db.hpp"
#include "storage/sqlite/group_rows.hpp"
#include "storage/store.hpp"

namespace warren::storage::sqlite {

class BatchWriter {
public:
    static Result<BatchWriter> prepare(Db& db);

    // One batch, exactly as submitted.
    Result<void> apply(const Batch& batch);
    // A whole group: each batch's definitions and purges in order, then the group's message
    // rows as `rows` (built from the same batches) coalesced them.
    Result<void> apply_group(const std::vector<const Batch*>& batches, const GroupRows& rows);

    Result<void> begin() { return begin_.run(); }
    Result<void> commit() { return commit_.run(); }
    void rollback() { (void)rollback_.run(); }
    Result<void> savepoint() { return savepoint_.run(); }
    void release() { (void)release_.run(); }
    void rollback_to_savepoint() { (void)rollback_to_.run(); }

    // Removes up to `limit` entries of the oldest doomed range (deleted or purged queues) and
    // the messages nothing refers to any more. Returns how many entries went; 0 = nothing left.
    Result<std::size_t> reap(std::size_t limit);

private:
    Result<void> apply_definitions(const Batch& b);
    Result<void> apply_purges(const Batch& b);
    Result<void> apply_dedup(const Batch& b);
    Result<void> apply_streams(const Batch& b);
    Result<void> put_message(const MessageRecord& m);
    Result<void> put_entry(const EntryRecord& e);
    Result<void> update_delivery(const DeliveryCount& d);
    Result<void> remove_entry(const EntryKey& key);
    Result<void> drop_orphan(std::int64_t message_id);

    Statement put_vhost_, delete_vhost_, delete_vhost_exchanges_, delete_vhost_bindings_,
        delete_vhost_permissions_, doom_vhost_queues_, delete_vhost_queues_;
    Statement put_exchange_, delete_exchange_, delete_exchange_bindings_;
    Statement put_queue_, delete_queue_bindings_, delete_queue_, doom_range_;
    Statement put_binding_, delete_binding_;
    Statement put_user_, delete_user_, delete_user_permissions_, put_permission_,
        delete_permission_;
    Statement put_message_, put_entry_, update_delivery_, delete_entry_, delete_orphan_;
    Statement put_dedup_chunk_, put_dedup_cut_, drop_dedup_chunks_, drop_dedup_cut_;
    Statement put_segment_, delete_segment_, put_stream_offset_, delete_queue_segments_,
        delete_queue_offsets_, delete_vhost_segments_, delete_vhost_offsets_;
    Statement next_doomed_, reap_entries_, finish_doomed_;
    Statement begin_, commit_, rollback_, savepoint_, release_, rollback_to_;
};

} // namespace warren::storage::sqlite
