#pragma once

// The rows the store keeps, in plain types: storage knows ids, strings and bytes, never routing
// or broker types (the arrows point web -> server -> storage). JSON-valued columns (arguments,
// properties) are kept as serialized text; the broker parses them.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace warren::storage {

struct VhostRecord {
    std::string name;
    std::string description;
    std::string tags; // comma separated, as RabbitMQ accepts them
};

struct ExchangeRecord {
    std::string vhost;
    std::string name;
    std::string type;
    bool auto_delete = false;
    bool internal = false;
    std::string arguments; // JSON object
};

struct QueueRecord {
    std::uint64_t id = 0; // stable id the entries refer to
    std::string vhost;
    std::string name;
    bool auto_delete = false;
    std::string arguments;      // JSON object
    std::uint64_t last_seq = 0; // filled by load: highest entry sequence ever used
};

struct BindingRecord {
    std::string vhost;
    std::string source;
    std::string destination;
    bool to_exchange = false;
    std::string routing_key;
    std::string arguments; // JSON object
};

struct UserRecord {
    std::string name;
    std::string password_hash; // base64(salt + digest), RabbitMQ's layout
    std::string hashing_algorithm;
    std::string tags; // comma separated
};

struct PermissionRecord {
    std::string user;
    std::string vhost;
    std::string configure;
    std::string write;
    std::string read;
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
};

struct EntryKey {
    std::uint64_t queue_id = 0;
    std::uint64_t seq = 0;
};

// Entries of one queue with from_seq <= seq <= up_to_seq (a purge, or a whole deleted queue).
struct EntryRange {
    std::uint64_t queue_id = 0;
    std::uint64_t from_seq = 0;
    std::uint64_t up_to_seq = 0;
};

struct DeliveryCount {
    EntryKey key;
    std::uint32_t delivery_count = 0;
};

} // namespace warren::storage
