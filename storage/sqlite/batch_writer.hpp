#pragma once

// BatchWriter: the prepared statements of the write connection and how a Batch becomes rows.
// Used only by the writer thread, inside the transaction it opened.

#include <vector>

#include "common/error.hpp"
#include "storage/sqlite/db.hpp"
#include "storage/store.hpp"

namespace warren::storage::sqlite {

class BatchWriter {
public:
    static Result<BatchWriter> prepare(Db& db);

    Result<void> apply(const Batch& batch);

    // Removes up to `limit` entries of the oldest doomed range (deleted or purged queues) and
    // the messages nothing refers to any more. Returns how many entries went; 0 = nothing left.
    Result<std::size_t> reap(std::size_t limit);

private:
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
    Statement next_doomed_, reap_entries_, finish_doomed_;
};

} // namespace warren::storage::sqlite
