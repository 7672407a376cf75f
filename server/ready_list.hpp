#pragma once

// ReadyList: the ready entries of one queue, in queue order, and the rule that says which of
// them a consumer may take next.
//
// A plain queue is a FIFO: any consumer takes the head. A queue with message groups
// (x-group-by) keeps one FIFO per group key and hands a group to one consumer at a time: the
// consumer that holds any of its unacked messages owns it, and only it receives the group's
// next messages, at most `max_in_flight` unacked at once. A group nobody holds is free for the
// next consumer with credit. Entries without the key are ungrouped and flow as in a plain
// queue. A consumer takes the oldest entry it may take, so one group's backlog (owned by a busy
// consumer) never blocks another group, and free groups spread over consumers in queue order.
//
// Cost per message in a grouped queue: a hash lookup of its key and O(log groups) index
// updates; nothing scans the backlog.

#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include "common/message_key.hpp"
#include "server/queue_entry.hpp"

namespace warren::server {

class ReadyList {
public:
    // No key: a plain FIFO. A key: message groups by it.
    ReadyList(std::optional<MessageKey> group_by, std::uint32_t max_in_flight);
    ReadyList(const ReadyList&) = delete;
    ReadyList& operator=(const ReadyList&) = delete;

    bool grouped() const { return group_by_.has_value(); }
    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }

    // The queue's head: the oldest ready entry (what TTL and max-length look at).
    const QueueEntry& front() const;
    QueueEntry pop_front();
    // A new entry (enqueue, page-in, recovery): the newest of its group.
    void push_back(QueueEntry entry);
    // A requeued entry: back to the head. In a grouped queue, the head of its group (by
    // sequence), so nothing of its group overtakes it.
    void push_front(QueueEntry entry);
    // The entry just enqueued as `seq` (whose message is `message`) if it is still ready.
    std::optional<QueueEntry> pop_newest_if(std::uint64_t seq, const Message& message);
    void clear();

    // The oldest entry `consumer_id` may take now, or nothing. holds: the consumer keeps it
    // unacked (manual ack), so its group becomes the consumer's until settled() is called for
    // it. A get or an auto-ack delivery holds nothing.
    std::optional<QueueEntry> take_for(std::uint64_t consumer_id, bool holds);
    // An entry taken with holds=true left its consumer (acked, rejected, requeued, dead-lettered):
    // its group has one fewer in flight and is free again when none is left.
    void settled(const QueueEntry& entry);

    // Groups with ready or unacked messages, and those owned by a consumer.
    std::size_t groups() const { return groups_.size(); }
    std::size_t groups_owned() const { return owned_count_; }
    // Entries that some consumer could take now: the heads of free groups, and ungrouped ones.
    // (Paging reads more from disk when this runs low even if the window is full of held groups.)
    std::size_t takeable() const;

    template <typename F> void for_each(F&& visit) const {
        for (const auto& entry : fifo_) {
            visit(entry);
        }
        for (const auto& entry : ungrouped_.ready) {
            visit(entry);
        }
        for (const auto& [key, group] : groups_) {
            for (const auto& entry : group.ready) {
                visit(entry);
            }
        }
    }

private:
    enum class Slot { none, free, owned };
    struct Group {
        const std::string* key = nullptr; // its key in groups_; null for the ungrouped
        std::deque<QueueEntry> ready;     // in sequence order
        std::uint32_t in_flight = 0;
        std::uint64_t owner = 0; // consumer holding its in-flight entries; 0 when none
        // Where the head is indexed now (reindex compares against it).
        Slot slot = Slot::none;
        std::uint64_t indexed_seq = 0;
        std::uint64_t indexed_owner = 0;
        bool in_heads = false;
    };
    using Head = std::pair<std::uint64_t, Group*>; // (head seq, group)

    Group& group_for(const Message& message);  // created when new
    Group* find_group(const Message& message); // null when it has none
    void reindex(Group& group);
    void forget_if_idle(Group& group);
    QueueEntry pop_head_of(Group& group);
    static void insert_in_order(std::deque<QueueEntry>& ready, QueueEntry entry);

    std::deque<QueueEntry> fifo_; // plain queue
    std::size_t size_ = 0;

    std::optional<MessageKey> group_by_;
    std::uint32_t max_in_flight_ = 1;
    std::unordered_map<std::string, Group> groups_;
    Group ungrouped_;                                         // never owned, no in-flight limit
    std::set<Head> heads_;                                    // every group with ready entries
    std::set<Head> free_;                                     // ... that any consumer may take
    std::unordered_map<std::uint64_t, std::set<Head>> owned_; // ... that only their owner may
    std::size_t owned_count_ = 0;
};

} // namespace warren::server
