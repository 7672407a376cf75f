#pragma once

// Store: what the broker core persists, behind an interface so that the core never names SQLite
// (SqliteStore, MemoryStore for tests, a PostgreSQL backend later plug in the same way). Every
// Store passes tests/unit/storage/store_contract_test.cpp.
//
// Contract:
// - submit() never blocks the caller and never runs `done` inside the call. Batches are applied
//   in submission order, each atomically, and many may be committed together (group commit).
//   The completion runs on the caller's executor (through the Post function given at
//   construction), only after the commit is durable to the store's sync level, or with an error
//   if it failed; completions run in submission order. A batch whose commit failed has no
//   effect. `done` may be empty. A full disk is Errc::resource_alarm ("disk full: ..."), which
//   the edges answer 503 with Retry-After; any other failure is Errc::internal.
// - Within a batch, definitions go first, in the order of Batch's fields (each kind's puts before
//   its deletes), then messages, entries, delivery counts, removals, purges, dedup keys and
//   cuts, and stream segments and offsets. So a batch must
//   not delete an object and then put it again: the put would be undone. Submit in between.
// - Puts are upserts by key: a vhost's or user's name, (vhost, name) for an exchange,
//   (user, vhost) for a permission, all six fields for a binding (a second put changes nothing),
//   the id for a message, (queue_id, seq) for an entry, and for a queue its id, where the put
//   also replaces any queue of the same (vhost, name).
// - Deletes cascade as the schema says: a vhost takes its exchanges, queues (with their entries),
//   bindings and permissions, not users; an exchange takes the bindings from it and the exchange
//   bindings to it; a queue its queue bindings, entries, stream segments and stream offsets; a
//   user its permissions.
// - Streams: a stream's entries are never loaded at boot (load_entries skips every queue with
//   stream segments); the server reads them with read_entries. Retention drops a segment with
//   its key in deleted_segments and its entries as a range in purged, in one batch.
// - A message is stored once and stays while entries refer to it: removing or purging its last
//   entry drops it. Entries refer only to the message put in their own batch (or none); the
//   SQLite writer's coalescing relies on it.
// - Entries of purged ranges and deleted queues are gone at once for loads and reads; the space
//   may come back later (SQLite reaps in the background). Queue ids and sequences only grow: no
//   entry goes to a deleted queue's id, or into an already purged range, in a later batch.
// - load_definitions() and load_entries() are for boot (the broker calls them once, before any
//   submit); they run on the calling thread and see everything committed.
// - close() commits everything submitted so far, posts those completions before it returns, and
//   stops. Afterwards submit() and read_entries() fail fast: their completions are posted with
//   Errc::resource_alarm.

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
    std::vector<std::uint64_t> deleted_queues; // their entries go too (reclaimed in background)
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
    // Deduplication windows, applied last: the keys first, then the cuts (which may forget keys
    // put in this same batch, when they left the window at once).
    std::vector<DedupRecord> dedup_keys;
    std::vector<DedupCut> dedup_cuts;
    // Streams, after everything else: segment puts (upserts by (queue_id, first_seq)), then
    // deletes (by the same key; the other fields are ignored), then stored offsets (upserts by
    // (queue_id, consumer)).
    std::vector<StreamSegmentRecord> put_segments;
    std::vector<StreamSegmentRecord> deleted_segments;
    std::vector<StreamOffsetRecord> put_stream_offsets;

    bool empty() const;
    std::size_t operations() const;
    std::size_t bytes() const; // rough size, for the writer queue's bound
};

// What load_definitions() gives back: vhosts sorted by name, queues by id (each with its
// last_seq), dedup keys by (scope, seq), stream segments by (queue_id, first_seq), stream offsets
// by (queue_id, consumer), the other kinds in no particular order.
struct Definitions {
    std::vector<VhostRecord> vhosts;
    std::vector<ExchangeRecord> exchanges;
    std::vector<QueueRecord> queues;
    std::vector<BindingRecord> bindings;
    std::vector<UserRecord> users;
    std::vector<PermissionRecord> permissions;
    std::vector<DedupRecord> dedup;
    std::vector<StreamSegmentRecord> stream_segments;
    std::vector<StreamOffsetRecord> stream_offsets;
};

// What load_entries() visits: the stored entries of each defined queue that has no stream
// segments, queue by queue in id order and in sequence order, with their message (the same message
// id may appear for several queues). An entry whose message is not stored is skipped (but counted
// in its queue's tail).
using EntryVisitor = std::function<void(const EntryRecord&, const MessageRecord&)>;

struct RecoveryStats {
    std::uint64_t entries = 0; // visited
    // Visited entries whose message differs from the previous entry's in the same queue (a
    // message held by several queues counts once in each).
    std::uint64_t messages = 0;
    std::uint64_t max_message_id = 0; // highest stored message id, referenced or not; 0 if none
    std::uint64_t max_queue_id = 0;   // highest queue id defined or still being reclaimed
    std::vector<QueueTail> tails;     // queues with more entries than the load limit
};

using PageCompletion = std::function<void(Result<std::vector<StoredEntry>>)>;

class Store {
public:
    virtual ~Store() = default;

    virtual Result<Definitions> load_definitions() = 0;
    // Visits at most `per_queue_limit` entries of each queue (the head); the rest of each queue
    // (everything after the last entry visited) is summarised in RecoveryStats::tails, to be
    // paged in later. With the default limit nothing is left over and there are no tails.
    virtual Result<RecoveryStats> load_entries(const EntryVisitor& visit,
                                               std::size_t per_queue_limit = SIZE_MAX) = 0;

    // Page-in: reads up to `limit` committed entries of a queue with seq >= from_seq, in order
    // (skipping entries whose message is not stored); `done` runs on the caller's executor,
    // never inside the call.
    virtual void read_entries(std::uint64_t queue_id, std::uint64_t from_seq, std::size_t limit,
                              PageCompletion done) = 0;

    virtual void submit(Batch batch, Completion done) = 0;
    virtual void close() = 0;
};

} // namespace warren::storage
