#pragma once

// Queue: the ready list, the consumers and the rules of one queue (TTL, length limits, delivery
// limit, dead-lettering, single active consumer, message groups). Unacked deliveries are held by
// the Connection they went to; the queue only counts them, so a deleted queue leaves nothing
// dangling.
//
// Lifetime: owned by its Vhost through a shared_ptr; Connections hold weak_ptrs. Thread: the
// broker's core executor only.

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "server/consumer.hpp"
#include "server/queue_arguments.hpp"
#include "server/queue_entry.hpp"
#include "server/ready_list.hpp"
#include "server/specs.hpp"
#include "server/stream_log.hpp"
#include "server/views.hpp"
#include "storage/records.hpp"

namespace warren::server {

class Vhost;
class Connection;

enum class DeadLetterReason { rejected, expired, maxlen, delivery_limit };
std::string_view to_string(DeadLetterReason reason);

// One entry a get handed out (Broker::get turns it into a GotMessage).
struct GotEntry {
    QueueEntry entry;                // delivery_count already counts this get
    std::uint64_t message_count = 0; // messages left ready after this one
};

class Queue : public std::enable_shared_from_this<Queue> {
public:
    Queue(Vhost& vhost, std::uint64_t id, QueueSpec spec, QueueArguments arguments,
          std::uint64_t owner, Millis now);

    std::uint64_t id() const { return id_; } // the store's key for this queue's entries
    const QueueSpec& spec() const { return spec_; }
    // Entries are persisted when the message is persistent and the queue durable.
    bool persists() const { return spec_.durable && journal_enabled(); }
    const std::string& name() const { return spec_.name; }
    const QueueArguments& arguments() const { return arguments_; }
    std::uint64_t owner() const { return owner_; } // connection of an exclusive queue, else 0
    const Vhost& vhost() const { return vhost_; }

    // Publish path: false when x-overflow reject-publish refused the message. message_id != 0:
    // the message is stored under that id and this queue's entry is journaled.
    bool enqueue(MessagePtr message, std::uint64_t message_id, Millis now);

    // x-queue-type stream: the log (null for a queue). A stream keeps what it delivers; its
    // readers each have their own position (StreamLog).
    StreamLog* stream() { return stream_.get(); }
    const StreamLog* stream() const { return stream_.get(); }
    // The sequence the next enqueued entry gets (a stream's next offset + 1).
    std::uint64_t next_seq() const { return next_seq_; }

    // Recovery: appends a stored entry as it was (no rules, no dispatch).
    void restore(QueueEntry entry);
    // Recovery: entries left on disk past the loaded head, paged in as consumers need them.
    void restore_tail(std::uint64_t count, std::uint64_t bytes, std::uint64_t next_seq);
    // Sequences below this were written before the last start (transient ones are dropped).
    void mark_recovered() { recovered_below_seq_ = next_seq_; }
    void restore_next_seq(std::uint64_t last_seq) { next_seq_ = std::max(next_seq_, last_seq + 1); }

    // Consumers. add_consumer fails with access_refused / resource_locked when an exclusive
    // consumer is in the way.
    Result<Consumer*> add_consumer(Connection& connection, DeliverySink& sink,
                                   ConsumeOptions options);
    void remove_consumer(std::uint64_t consumer_id);
    const std::vector<std::unique_ptr<Consumer>>& consumers() const { return consumers_; }
    // The consumer that receives messages under x-single-active-consumer (else null).
    const Consumer* active_consumer() const;

    // Delivers ready messages to consumers with credit, round-robin.
    void dispatch();

    // Settlement, called by the Connection holding the delivery.
    void on_acked(std::uint64_t consumer_id, const std::vector<QueueEntry>& entries);
    // Puts entries back at the head (in their original order), or dead-letters those past the
    // delivery limit. consumer_id 0: not held by a consumer (get).
    void on_returned(std::uint64_t consumer_id, std::vector<QueueEntry> entries);
    // requeue=false on nack / reject: dead-letter (if the queue has a DLX) or drop.
    void on_rejected(std::uint64_t consumer_id, std::vector<QueueEntry> entries);

    // AMQP's basic.get with manual ack: the head entry, held unacked (the caller's connection
    // tracks it under a delivery tag and settles it through on_acked / on_returned /
    // on_rejected with consumer id 0). nullopt when nothing is ready.
    std::optional<GotEntry> get_held(Millis now);
    std::vector<GotEntry> get(std::size_t count, GetMode mode, Millis now);
    std::uint64_t purge();

    // Expires messages at the head whose TTL ran out; returns the next time anything is due
    // (head expiry or x-expires), or kNever.
    Millis run_timers(Millis now);
    bool unused_since_expiry(Millis now) const;
    void touch(Millis now) { last_used_ = now; } // a redeclare or a get counts as use

    // A stream's messages are all "ready": every one can be read (again).
    std::uint64_t messages_ready() const {
        return stream_ ? stream_->messages() : ready_.size() + paged_.count;
    }
    std::uint64_t messages_unacknowledged() const { return unacked_; }
    std::uint64_t ready_bytes() const {
        return stream_ ? stream_->bytes() : ready_bytes_ + paged_.bytes;
    }
    // Ready messages only on disk (the backlog past the memory budget).
    std::uint64_t messages_paged_out() const { return paged_.count; }
    std::uint64_t messages_in_memory() const { return ready_.size(); }
    // Message groups (x-group-by): groups with messages, and those a consumer holds.
    std::uint64_t message_groups() const { return ready_.groups(); }
    std::uint64_t message_groups_owned() const { return ready_.groups_owned(); }
    const QueueStats& stats() const { return stats_; }
    // x-message-deduplication: this queue's window of keys (null when off).
    Deduplication* deduplication() { return dedup_.get(); }
    const Deduplication* deduplication() const { return dedup_.get(); }

    // Set when the queue leaves its vhost; late acks and requeues are then ignored.
    bool deleted() const { return deleted_; }
    void mark_deleted();

private:
    // Paging (queue_paging.cpp): past the broker's memory budget a durable queue keeps new
    // entries only in the store and reads them back in order as the in-memory window drains.
    bool should_page_out() const;
    void page_out(const MessagePtr& message, std::uint64_t message_id, Millis expires_at);
    void maybe_page_in();
    void on_paged_in(std::uint64_t generation, Result<std::vector<storage::StoredEntry>> page);
    void forget_paged();

    bool journal_enabled() const;
    void journal_removed(const QueueEntry& entry);
    void journal_purge();
    bool dispatch_one();
    bool dispatch_one(const std::int32_t* level);
    void note_priorities();
    // A stream's side of dispatch and settlement (queue_stream.cpp): the log keeps everything,
    // acks are credit and move a named consumer's stored offset.
    bool dispatch_stream_one();
    void on_stream_acked(std::uint64_t consumer_id, const std::vector<QueueEntry>& entries);
    void on_stream_returned(std::uint64_t consumer_id, std::size_t count);
    Consumer* find_consumer(std::uint64_t consumer_id) const;
    void deliver(Consumer& consumer, QueueEntry entry);
    void release(Consumer* consumer, std::uint64_t count);
    void drop_expired_head(Millis now);
    void enforce_length_limit();
    bool over_limit(std::uint64_t extra_messages, std::uint64_t extra_bytes) const;
    void remove_head(DeadLetterReason reason);
    void dead_letter(QueueEntry entry, DeadLetterReason reason);
    void push_ready(QueueEntry entry);
    void push_front_ready(QueueEntry entry);
    QueueEntry pop_ready();
    std::optional<QueueEntry> take_ready(std::uint64_t consumer_id, bool holds);
    std::optional<QueueEntry> pop_newest_ready(std::uint64_t seq, const Message& message);
    void clear_ready();
    void settle(std::uint64_t consumer_id, const QueueEntry& entry);

    Vhost& vhost_;
    std::uint64_t id_;
    QueueSpec spec_;
    QueueArguments arguments_;
    std::uint64_t owner_;
    ReadyList ready_;
    std::unique_ptr<Deduplication> dedup_;
    std::unique_ptr<StreamLog> stream_;
    std::uint64_t ready_bytes_ = 0;
    struct Paged {
        std::uint64_t count = 0;
        std::uint64_t bytes = 0;
        std::uint64_t next_seq = 0; // where the next page-in reads from
    };
    Paged paged_;
    bool page_in_pending_ = false;
    std::uint64_t page_generation_ = 0; // bumped by purge / delete: stale pages are dropped
    std::uint64_t recovered_below_seq_ = 0;
    std::uint64_t unacked_ = 0;
    std::set<std::uint64_t> unacked_persisted_; // seqs a purge must leave in the store
    std::uint64_t next_seq_ = 1;
    std::vector<std::unique_ptr<Consumer>> consumers_;
    std::size_t round_robin_ = 0;
    std::vector<std::int32_t> priority_levels_; // consumers' x-priority levels, highest first
    std::uint64_t next_consumer_id_ = 1;
    bool had_consumer_ = false;
    Millis last_used_;
    QueueStats stats_;
    bool dispatching_ = false;
    bool dispatch_again_ = false;
    bool deleted_ = false;
};

} // namespace warren::server
