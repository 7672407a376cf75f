#pragma once

// GroupRows: the message rows a commit group leaves behind once what cancels out is dropped, so
// the writer runs one statement per surviving row instead of one per change. Applying these rows
// in one transaction leaves the same messages and entries tables as applying the group's batches
// one after the other:
// - an entry inserted and removed within the group is never written, nor are its delivery
//   counts; its message is not written either when no surviving entry of the group refers to it;
// - a delivery count for an entry inserted in the group is folded into the insert; for an entry
//   already on disk only the last count is written, and none if the group removes the entry.
// It relies on the broker's rule that a message id is new when its MessageRecord is put, in the
// same batch as its first entries: entries outside the group never refer to a message put in it.
// A key pattern outside that (an entry inserted twice, or after the group removed or counted it)
// makes build() return false; the writer then applies the batches one by one.
//
// Definitions and purges are not here: they touch other tables (doomed ranges are applied in
// order by the writer and reaped later), so their order against message rows does not matter.
//
// Thread: the writer's; reused from group to group to keep its allocations.

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "storage/store.hpp"

namespace warren::storage::sqlite {

class GroupRows {
public:
    // Rebuilds the rows from `batches` (in submission order); false if the group must be
    // applied batch by batch.
    bool build(const std::vector<const Batch*>& batches);

    std::vector<const MessageRecord*> messages; // to put
    std::vector<EntryRecord> entries;           // to insert, delivery counts folded in
    std::vector<DeliveryCount> deliveries;      // to update (entries already on disk)
    std::vector<EntryKey> removed;              // to delete (entries already on disk)
    // Messages of cancelled entries that the group did not put: delete them if orphaned, as the
    // removal would have.
    std::vector<std::uint64_t> orphan_checks;

    // What coalescing saved in the last build, for the writer's stats.
    std::uint64_t cancelled_entries = 0;
    std::uint64_t skipped_messages = 0;
    std::uint64_t folded_deliveries = 0;

private:
    static constexpr std::uint32_t kNone = UINT32_MAX;

    struct KeyHash {
        std::size_t operator()(const EntryKey& k) const noexcept {
            return static_cast<std::size_t>(k.queue_id * 0x9E3779B97F4A7C15ull ^ k.seq);
        }
    };
    struct KeyEq {
        bool operator()(const EntryKey& a, const EntryKey& b) const noexcept {
            return a.queue_id == b.queue_id && a.seq == b.seq;
        }
    };
    struct KeyState {
        std::uint32_t entry = kNone;    // index in entries_ when inserted by the group
        std::uint32_t delivery = kNone; // index in deliveries_ when counted, not inserted
        bool removed = false;
    };
    struct MessageState {
        std::uint32_t index = 0;   // in messages_
        std::uint32_t entries = 0; // the group's entries that refer to it
        std::uint32_t live = 0;    // ... and are not cancelled
    };
    void clear();

    std::unordered_map<EntryKey, KeyState, KeyHash, KeyEq> keys_;
    std::unordered_map<std::uint64_t, MessageState> message_states_;
    std::vector<const MessageRecord*> messages_;
    std::vector<EntryRecord> entries_;
    std::vector<char> entry_live_;
    std::vector<DeliveryCount> deliveries_;
    std::vector<char> delivery_live_;
};

} // namespace warren::storage::sqlite
