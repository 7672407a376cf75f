#pragma once

// Store: what the broker core persists, behind an interface so that the core never names SQLite
// (a PostgreSQL backend, or the in-memory one tests use, plug in the same way).
//
// Contract:
// - submit() never blocks the caller. Batches are applied in submission order, each atomically,
//   and many are committed together (group commit). The completion runs on the caller's executor
//   (through the Post function given at construction), only after the commit is durable to the
//   store's sync level, or with an error if it failed. A batch whose commit failed has no effect.
// - recover() is called once at boot, before any submit, on the calling thread.
// - close() commits everything submitted so far, then stops; no completion runs after it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "storage/records.hpp"

namespace warren::storage {

// Runs a function on the owner's executor (the broker's core thread).
using Post = std::function<void(std::function<void()>)>;
using Completion = std::function<void(Result<void>)>;

struct Batch {
    // Definitions (durable objects only). Puts are upserts.
    std::vector<VhostRecord> put_vhosts;
    std::vector<std::string> deleted_vhosts; // takes everything in the vhost with it
    std::vector<ExchangeRecord> put_exchanges;
    std::vector<std::pair<std::string, std::string>> deleted_exchanges; // (vhost, name)
    std::vector<QueueRecord> put_queues;
    std::vector<std::uint64_t> deleted_queues; // their entries go in the background
    std::vector<BindingRecord> put_bindings;
    std::vector<BindingRecord> deleted_bindings;
    std::vector<UserRecord> put_users;
    std::vector<std::string> deleted_users;
    std::vector<PermissionRecord> put_permissions;
    std::vector<std::pair<std::string, std::string>> deleted_permissions; // (user, vhost)

    // Messages, applied in this order. A message id is new when its record is put, in the same
    // batch as its first entries (the writer's coalescing relies on it: no older entry can
    // refer to a message put in the same commit group).
    std::vector<MessageRecord> messages;   // stored once, referenced by entries
    std::vector<EntryRecord> entries;      // new queue entries
    std::vector<DeliveryCount> deliveries; // delivery counts to remember
    std::vector<EntryKey> removed;         // acked, dropped or dead-lettered entries
    std::vector<EntryRange> purged;        // removed in the background

    bool empty() const;
    std::size_t operations() const;
    std::size_t bytes() const; // rough size, for the writer queue's bound
};

struct Definitions {
    std::vector<VhostRecord> vhosts;
    std::vector<ExchangeRecord> exchanges;
    std::vector<QueueRecord> queues;
    std::vector<BindingRecord> bindings;
    std::vector<UserRecord> users;
    std::vector<PermissionRecord> permissions;
};

// What recover() hands back besides the definitions: every stored entry, queue by queue in
// sequence order, with its message (the same MessageRecord id may appear for several queues).
using EntryVisitor = std::function<void(const EntryRecord&, const MessageRecord&)>;

struct RecoveryStats {
    std::uint64_t entries = 0; // loaded into memory
    std::uint64_t messages = 0;
    std::uint64_t max_message_id = 0;
    std::uint64_t max_queue_id = 0;
    std::vector<QueueTail> tails; // queues with more entries than the load limit
};

using PageCompletion = std::function<void(Result<std::vector<StoredEntry>>)>;

class Store {
public:
    virtual ~Store() = default;

    virtual Result<Definitions> load_definitions() = 0;
    // Visits at most `per_queue_limit` entries of each queue (the head); the rest of each queue
    // is summarised in RecoveryStats::tails, to be paged in later.
    virtual Result<RecoveryStats> load_entries(const EntryVisitor& visit,
                                               std::size_t per_queue_limit = SIZE_MAX) = 0;

    // Page-in: reads up to `limit` committed entries of a queue with seq >= from_seq, in order,
    // off the caller's thread; `done` runs on the caller's executor.
    virtual void read_entries(std::uint64_t queue_id, std::uint64_t from_seq, std::size_t limit,
                              PageCompletion done) = 0;

    virtual void submit(Batch batch, Completion done) = 0;
    virtual void close() = 0;
};

} // namespace warren::storage
