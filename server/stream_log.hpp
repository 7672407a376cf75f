#pragma once

// StreamLog: what makes a queue a stream (DESIGN.md section 7): an append-only log that reading
// never removes from. Every message gets an offset (its queue sequence - 1, never reused) and an
// append timestamp. The log is stored as the queue's entries, grouped in segments (the unit of
// retention: whole segments go, oldest first, never the last one and never one a reader is
// still in). Memory holds only the newest entries (a bounded cache, for readers at the tail,
// counted in the memory budget and shrunk to a sliver past it);
// a reader behind it reads pages from the store, so a stream of millions is never loaded.
//
// Readers: one per consumer, each with its own position. A named consumer ("consumer" on the
// subscribe) has a stored offset: the highest offset up to which every message was acked by that
// name (a gap holds it back), journaled as it moves; a new reader with that name and no explicit
// start resumes after it. One reader per name is active, the others wait as standbys and take
// over where it stopped, once what it left unacked is settled (acked, or returned when its
// connection closes).
//
// Lifetime: owned by its Queue. Thread: the core executor only.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "server/queue_entry.hpp"
#include "server/specs.hpp"
#include "server/stream_arguments.hpp"
#include "server/stream_offsets.hpp"
#include "server/views.hpp"
#include "storage/records.hpp"

namespace warren::server {

class Queue;

// Messages read by offset (the HTTP poll endpoint).
struct StreamPage {
    std::vector<QueueEntry> entries; // each with its seq (offset + 1) and timestamp
    std::uint64_t next_offset = 0;   // where the next poll goes on
};

class StreamLog {
public:
    // Newest entries kept in memory for readers at the tail, when the log is stored.
    static constexpr std::uint64_t kCacheBytes = 4u << 20;
    static constexpr std::size_t kCacheEntries = 16384;
    // Entries a reader behind the cache reads from the store at once.
    static constexpr std::size_t kReadBatch = 2048;

    // Past the memory budget, the cache keeps at most this much.
    static constexpr std::uint64_t kPressedCacheBytes = 256u << 10;
    static constexpr std::size_t kPressedCacheEntries = 1024;

    StreamLog(Queue& queue, StreamArguments arguments);
    ~StreamLog();
    StreamLog(const StreamLog&) = delete;
    StreamLog& operator=(const StreamLog&) = delete;

    const StreamArguments& arguments() const { return arguments_; }

    // Appends an entry (its seq the queue's next, its timestamp set); journals it and its
    // segment when the entry is stored (message_id != 0).
    void append(QueueEntry entry);

    // Recovery: the stored segments (in order) and named offsets; `next_seq` is the queue's.
    void restore(std::vector<storage::StreamSegmentRecord> segments, std::uint64_t next_seq);
    void restore_offset(std::string name, std::uint64_t offset);

    // Readers. add_reader fails with bad_request for a start that makes no sense.
    Result<void> add_reader(std::uint64_t consumer_id, const ConsumeOptions& options);
    void remove_reader(std::uint64_t consumer_id);
    // The next entry for an active reader, or nothing now (a read from the store may have been
    // started: the queue dispatches again when it lands). The entry has message_id 0: what a
    // stream delivers is never removed or counted in the store.
    std::optional<QueueEntry> next_for(std::uint64_t consumer_id);
    // A delivery went out that the consumer must ack (auto-ack deliveries are acked at once).
    void held(std::uint64_t consumer_id);
    // A delivery of `seq` to this consumer was acked (or auto-ack delivered). Acks after the
    // consumer went away (an unsubscribe; AMQP lets a client ack after basic.cancel) still move
    // its name's offset.
    void acked(std::uint64_t consumer_id, std::uint64_t seq);
    // Held deliveries given back unacked (a nack, a closed connection): no effect on the log.
    void returned(std::uint64_t consumer_id, std::uint64_t count);

    // Drops whole segments past x-max-age / x-max-length-bytes; returns when next due.
    Millis enforce_retention(Millis now);

    // HTTP poll: up to `count` committed entries from `start`; `done` runs on the core (inside
    // the call only when nothing is stored).
    void read(const StreamStart& start, std::size_t count,
              std::function<void(Result<StreamPage>)> done);

    std::uint64_t first_offset() const { return first_seq_ - 1; }
    // The offset the next append gets.
    std::uint64_t next_offset() const;
    std::uint64_t messages() const { return messages_; }
    std::uint64_t bytes() const { return bytes_; }
    std::size_t segments() const { return segments_.size(); }
    // Stored offsets of named consumers, with their lag (messages after the stored offset).
    std::vector<StreamConsumerView> consumer_offsets() const;
    std::optional<StreamConsumerView> consumer_offset(std::string_view name) const;
    // Stores a name's offset from outside a subscription (an HTTP commit); journaled.
    void set_offset(const std::string& name, std::uint64_t offset);

private:
    struct Reader {
        std::uint64_t consumer_id = 0;
        std::string name;        // a named consumer; empty: none
        bool active = true;      // false: a standby behind another reader of the name
        bool positioned = false; // a standby gets its position when it becomes active
        std::optional<StreamStart> start;
        bool start_if_new = false;     // the start applies only while the name stores nothing
        std::uint64_t next_seq = 0;    // the next entry to deliver
        Millis skip_before = 0;        // a timestamp start skips older entries as it reads
        std::deque<QueueEntry> buffer; // read from the store, from next_seq on
        bool reading = false;
        std::uint64_t generation = 0; // bumped when the position jumps: late pages are stale
        std::uint64_t held = 0;       // deliveries out and not yet acked or returned

        // Where the next page read starts: after what the buffer holds.
        std::uint64_t read_from() const {
            return buffer.empty() ? next_seq : buffer.back().seq + 1;
        }
    };
    // A named consumer gone while it held deliveries: their acks still count for the name.
    struct Departed {
        std::string name;
        std::uint64_t held = 0;
    };
    Reader* find(std::uint64_t consumer_id);
    bool may_activate(const std::string& name) const;
    void activate_standby(const std::string& name);
    void settle_held(std::uint64_t consumer_id, std::uint64_t count);
    void position(Reader& reader);
    std::uint64_t seq_for(const StreamStart& start) const;
    void read_for(Reader& reader);
    void on_read(std::uint64_t consumer_id, std::uint64_t generation,
                 Result<std::vector<storage::StoredEntry>> page);
    void read_committed(std::uint64_t from, std::size_t count, Millis skip_before,
                        std::function<void(Result<StreamPage>)> done);
    void journal_segment(const storage::StreamSegmentRecord& segment);
    void journal_offset(const std::string& name, std::uint64_t offset);
    void trim_cache();
    void count_cache(std::int64_t delta);
    bool in_use(const storage::StreamSegmentRecord& segment) const;
    void drop_oldest_segment();
    bool stored() const;

    Queue& queue_;
    StreamArguments arguments_;
    std::deque<storage::StreamSegmentRecord> segments_;
    std::uint64_t first_seq_ = 1; // the oldest retained entry (== next seq when empty)
    std::uint64_t messages_ = 0;
    std::uint64_t bytes_ = 0;
    std::deque<QueueEntry> cache_; // the newest entries, contiguous, ending at the last
    std::uint64_t cache_bytes_ = 0;
    std::vector<Reader> readers_;
    std::map<std::uint64_t, Departed> departed_; // by consumer id
    StreamOffsets offsets_;
};

// QueueEntry -> a view's offset.
inline std::uint64_t offset_of(const QueueEntry& entry) {
    return entry.seq - 1;
}

} // namespace warren::server
