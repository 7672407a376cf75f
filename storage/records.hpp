#pragma once

// The rows the store keeps, in plain types: storage knows ids, strings and bytes, never routing
// or broker types (the arrows point web -> server -> storage). JSON-valued columns (arguments,
// properties) are kept as serialized text; the broker parses them. Records compare equal field by
// field (MessageRecord, whose body is shared, does not compare).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace warren::storage {

struct VhostRecord {
    std::string name;
    std::string description;
    std::string tags; // comma separated, as RabbitMQ accepts them

    friend bool operator==(const VhostRecord&, const VhostRecord&) = default;
};

struct ExchangeRecord {
    std::string vhost;
    std::string name;
    std::string type;
    bool auto_delete = false;
    bool internal = false;
    std::string arguments; // JSON object

    friend bool operator==(const ExchangeRecord&, const ExchangeRecord&) = default;
};

struct QueueRecord {
    std::uint64_t id = 0; // stable id the entries refer to
    std::string vhost;
    std::string name;
    bool auto_delete = false;
    std::string arguments; // JSON object
    // Filled by load: the highest sequence among the queue's stored entries and its purged
    // ranges not yet reclaimed (0 if none). New entries must go above it.
    std::uint64_t last_seq = 0;

    friend bool operator==(const QueueRecord&, const QueueRecord&) = default;
};

struct BindingRecord {
    std::string vhost;
    std::string source;
    std::string destination;
    bool to_exchange = false;
    std::string routing_key;
    std::string arguments; // JSON object

    friend bool operator==(const BindingRecord&, const BindingRecord&) = default;
};

struct UserRecord {
    std::string name;
    std::string password_hash; // base64(salt + digest), RabbitMQ's layout
    std::string hashing_algorithm;
    std::string tags; // comma separated

    friend bool operator==(const UserRecord&, const UserRecord&) = default;
};

struct PermissionRecord {
    std::string user;
    std::string vhost;
    std::string configure;
    std::string write;
    std::string read;

    friend bool operator==(const PermissionRecord&, const PermissionRecord&) = default;
};

// A message body and its routing data, stored once however many queues hold it.
struct MessageRecord {
    std::uint64_t id = 0;
    std::string exchange;
    std::string routing_key;
    std::string properties; // JSON object of the AMQP properties
    std::shared_ptr<const std::string> body;
};

// A message's place in one durable queue.
struct EntryRecord {
    std::uint64_t queue_id = 0;
    std::uint64_t seq = 0;
    std::uint64_t message_id = 0;
    std::int64_t expires_at = INT64_MAX; // epoch ms
    std::uint32_t delivery_count = 0;
    std::uint32_t size = 0; // body bytes, so backlog sizes add up without reading bodies
    // A stream's entry: when it was appended (epoch ms; its offset is seq - 1). 0 in a queue.
    std::int64_t timestamp = 0;

    friend bool operator==(const EntryRecord&, const EntryRecord&) = default;
};

// An entry with its message, as page-in reads them.
struct StoredEntry {
    EntryRecord entry;
    MessageRecord message;
};

// What recovery left on disk for one queue past the entries it loaded.
struct QueueTail {
    std::uint64_t queue_id = 0;
    std::uint64_t count = 0;
    std::uint64_t bytes = 0;
    std::uint64_t next_seq = 0; // the first sequence not loaded (page-in reads from here)

    friend bool operator==(const QueueTail&, const QueueTail&) = default;
};

struct EntryKey {
    std::uint64_t queue_id = 0;
    std::uint64_t seq = 0;

    friend bool operator==(const EntryKey&, const EntryKey&) = default;
};

// Entries of one queue with from_seq <= seq <= up_to_seq (a purge, or a whole deleted queue).
struct EntryRange {
    std::uint64_t queue_id = 0;
    std::uint64_t from_seq = 0;
    std::uint64_t up_to_seq = 0;

    friend bool operator==(const EntryRange&, const EntryRange&) = default;
};

struct DeliveryCount {
    EntryKey key;
    std::uint32_t delivery_count = 0;

    friend bool operator==(const DeliveryCount&, const DeliveryCount&) = default;
};

// A key in a deduplication window (an exchange's or a queue's; `scope` names the window, the
// server chooses how). seq orders a window's keys (they leave it oldest first), and is unique
// across all windows.
struct DedupRecord {
    std::string scope;
    std::uint64_t seq = 0;
    std::string key;
    std::int64_t expires_at = 0; // epoch ms
    bool routed = false;         // how the first publish with this key was answered

    friend bool operator==(const DedupRecord&, const DedupRecord&) = default;
};

// Forget every key of a window with seq < below_seq (they left it; UINT64_MAX: the window's
// exchange or queue is gone).
struct DedupCut {
    std::string scope;
    std::uint64_t below_seq = 0;

    friend bool operator==(const DedupCut&, const DedupCut&) = default;
};

// A run of one stream's entries, from first_seq to last_seq: the unit of retention (a stream
// drops whole segments, oldest first) and what boot reads instead of the entries, so a stream
// of millions starts at once. The server decides where segments start and grows the last one:
// each put replaces the record of the same (queue_id, first_seq).
struct StreamSegmentRecord {
    std::uint64_t queue_id = 0;
    std::uint64_t first_seq = 0;
    std::uint64_t last_seq = 0;
    std::int64_t first_timestamp = 0; // epoch ms of its first and last entries
    std::int64_t last_timestamp = 0;
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0; // body bytes

    friend bool operator==(const StreamSegmentRecord&, const StreamSegmentRecord&) = default;
};

// A named consumer's (or a consumer group's) stored offset in one stream: everything up to and
// including `offset` was acked by that name.
struct StreamOffsetRecord {
    std::uint64_t queue_id = 0;
    std::string consumer;
    std::uint64_t offset = 0;

    friend bool operator==(const StreamOffsetRecord&, const StreamOffsetRecord&) = default;
};

} // namespace warren::storage
