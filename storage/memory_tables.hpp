#pragma once

// MemoryTables: what a SqliteStore's file holds once its background deletions have finished,
// kept in plain containers. apply() gives a Batch the meaning storage/sqlite/batch_writer.cpp
// and schema.cpp give it (upserts, cascades, orphaned messages dropped, ...); the loaders answer
// what SqliteStore's queries would, in the same order. MemoryStore wraps it in the Store
// interface (completions, close); this class is synchronous and knows nothing of threads.
//
// Where SQLite leaves a range to its background reaper (a purge, a deleted queue or vhost), the
// entries go at the end of the batch: the state SQLite reaches once the reaper is done with it.
//
// Thread: whoever owns it (MemoryStore's owner); no locking.

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "storage/records.hpp"
#include "storage/store.hpp"

namespace warren::storage {

class MemoryTables {
public:
    // Applies one batch in BatchWriter::apply's order: definitions (in Batch's field order),
    // messages, entries, delivery counts, removals, then purges and deleted queues' entries,
    // then dedup keys and cuts, then stream segments and offsets.
    void apply(Batch batch);

    Definitions definitions() const;
    RecoveryStats load_entries(const EntryVisitor& visit, std::size_t per_queue_limit) const;
    std::vector<StoredEntry> read_entries(std::uint64_t queue_id, std::uint64_t from_seq,
                                          std::size_t limit) const;

    // How many messages are stored (referenced or not), as SQLite's messages table counts them.
    std::size_t message_count() const { return messages_.size(); }

private:
    struct BindingLess {
        bool operator()(const BindingRecord& a, const BindingRecord& b) const;
    };
    using Key = std::pair<std::string, std::string>;
    using QueueEntries = std::map<std::uint64_t, EntryRecord>; // by seq

    void apply_definitions(Batch& b, std::vector<std::uint64_t>& doomed_queues);
    void delete_vhost(const std::string& name, std::vector<std::uint64_t>& doomed_queues);
    void put_queue(QueueRecord q);
    void erase_queue(std::map<std::uint64_t, QueueRecord>::iterator it);
    void delete_queue(std::uint64_t id, std::vector<std::uint64_t>& doomed_queues);
    void put_entry(const EntryRecord& e);
    // Erases [first, last) of one queue's entries, dropping messages nothing refers to any more.
    void erase_entries(QueueEntries& entries, QueueEntries::iterator first,
                       QueueEntries::iterator last);
    void forget_queue_entries(std::uint64_t queue_id);
    void unreference(std::uint64_t message_id, bool drop_orphan);
    void forget_stream(std::uint64_t queue_id);

    std::map<std::string, VhostRecord> vhosts_;
    std::map<Key, ExchangeRecord> exchanges_;
    std::map<std::uint64_t, QueueRecord> queues_; // by id
    std::map<Key, std::uint64_t> queue_ids_;      // (vhost, name) -> id, for the UNIQUE rule
    std::set<BindingRecord, BindingLess> bindings_;
    std::map<std::string, UserRecord> users_;
    std::map<Key, PermissionRecord> permissions_; // by (user, vhost)
    std::map<std::uint64_t, MessageRecord> messages_;
    // Entries that refer to each message id (whether or not the message is stored), so that a
    // removal drops a message exactly when SQLite's "NOT EXISTS (... entries ...)" would.
    std::unordered_map<std::uint64_t, std::uint64_t> references_;
    // By queue id, whether or not the queue is defined: like SQLite's entries table, rows of a
    // queue replaced under its name by another id stay (unloaded) until something removes them.
    std::map<std::uint64_t, QueueEntries> entries_;
    // Dedup windows: scope -> seq -> key.
    std::map<std::string, std::map<std::uint64_t, DedupRecord>> dedup_;
    // Streams: segments by (queue_id, first_seq), offsets by (queue_id, consumer).
    std::map<std::pair<std::uint64_t, std::uint64_t>, StreamSegmentRecord> segments_;
    std::map<std::pair<std::uint64_t, std::string>, StreamOffsetRecord> stream_offsets_;
};

} // namespace warren::storage
