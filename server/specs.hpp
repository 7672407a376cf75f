#pragma once

// What callers hand the broker: the specs of what to declare, bind, consume or fetch, and the
// outcomes it answers with. Plain values in the broker's own terms (type names as strings, a
// binding's destination kind as a flag), so an edge never needs routing/ or storage/ types.
//
// Part of the facade (server/README.md).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "common/message.hpp"

namespace warren::server {

struct ExchangeSpec {
    std::string name;
    std::string type = "direct"; // direct, fanout, topic, headers (unknown: bad_request)
    bool durable = true;
    bool auto_delete = false;
    bool internal = false;
    boost::json::object arguments; // alternate-exchange
};

struct QueueSpec {
    std::string name;
    bool durable = true;
    bool exclusive = false; // needs a Session: it belongs to one connection
    bool auto_delete = false;
    boost::json::object arguments; // x-message-ttl, x-max-length, ... (validated on declare)
};

// source -> destination (a queue, or an exchange when to_exchange), with a binding key and
// arguments (headers exchange: x-match). The default exchange is "".
struct BindingSpec {
    std::string source;
    std::string destination;
    bool to_exchange = false;
    std::string routing_key;
    boost::json::object arguments;
    friend bool operator==(const BindingSpec&, const BindingSpec&) = default;
};

// What a declare did: made something new, or found an equivalent one (RabbitMQ: 201 vs 204).
enum class Declared { created, existed };

struct PublishOutcome {
    bool routed = false;   // reached at least one queue
    bool rejected = false; // a queue refused it (x-overflow reject-publish): RabbitMQ nacks
    bool stored = false;   // it was journaled: confirm only once Broker::when_committed says so
    // A duplicate (x-message-deduplication): confirmed, not enqueued; `routed` is what the first
    // publish with its key was answered.
    bool duplicate = false;
};

struct PublishOptions {
    // HTTP's Idempotency-Key: the message's deduplication key when not empty (it wins over the
    // x-deduplication-header and message_id).
    std::string_view idempotency_key;
};

// Where a stream reader starts: the first retained message, the last one, only new ones, an
// offset, or the first message appended at or after a time (epoch ms).
struct StreamStart {
    enum class Kind { first, last, next, offset, timestamp };
    Kind kind = Kind::next;
    std::uint64_t value = 0; // the offset, or the timestamp
};

// A stream start as the edges take it in JSON (a WebSocket subscribe's `offset`, AMQP's
// x-stream-offset): "first" | "last" | "next" | an offset | {"timestamp": epoch ms}. Integers up
// to 2^63 - 1; doubles, negatives and anything else: nullopt.
std::optional<StreamStart> parse_stream_start(const boost::json::value& v);

struct ConsumeOptions {
    std::string tag;            // empty: the broker makes one ("ctag-<n>")
    std::uint32_t prefetch = 0; // unacked deliveries allowed at once; 0 = unlimited
    bool auto_ack = false;      // delivered = settled; throttled only by the sink
    bool exclusive = false;     // no other consumer may use the queue meanwhile
    // AMQP's x-priority (RabbitMQ's consumer priorities): a queue delivers to its consumers of
    // the highest priority that have credit, round-robin among them; lower ones get messages
    // only while all higher ones are blocked.
    std::int32_t priority = 0;
    // Streams only: where to start (none: after the named consumer's stored offset, else next),
    // and the named consumer whose offset is stored.
    std::optional<StreamStart> stream_start;
    std::string stream_consumer;
    // The start applies only when the named consumer has no stored offset yet (a consumer
    // group's members: Kafka's auto.offset.reset); otherwise an explicit start wins.
    bool stream_start_if_new = false;
};

// How a get settles what it read (RabbitMQ's ackmode).
enum class GetMode {
    ack_requeue_true,
    ack_requeue_false,
    reject_requeue_true,
    reject_requeue_false
};

// What a Session's get (AMQP basic.get) handed out.
struct GotDelivery {
    MessagePtr message;
    std::uint64_t delivery_tag = 0; // 0 when auto-acked; else settle it like a delivery
    bool redelivered = false;
    std::uint64_t message_count = 0; // messages left ready after this one
};

// One message a get handed out.
struct GotMessage {
    MessagePtr message;
    std::uint32_t delivery_count = 1; // this get included; redelivered when > 1
    std::uint64_t message_count = 0;  // messages left ready after this one
    bool stored = false;              // settling it changed the store: answer after the commit
};

// PUT /api/users/{name} and definitions imports: a password (hashed by the broker) or a stored
// hash with its algorithm; neither means no password login.
struct UserSpec {
    std::string name;
    std::vector<std::string> tags;
    std::optional<std::string> password;
    std::optional<std::string> password_hash;
    std::optional<std::string> hashing_algorithm; // default rabbit_password_hashing_sha256
};

// A user as stored: name, salted hash in RabbitMQ's layout, tags.
struct User {
    std::string name;
    std::string password_hash; // base64(salt + digest); "" = no password login
    std::string hashing_algorithm;
    std::vector<std::string> tags;

    bool has_tag(std::string_view tag) const;
    friend bool operator==(const User&, const User&) = default;
};

// One user's permissions on one vhost: three regexes over object names.
struct Permission {
    std::string user;
    std::string vhost;
    std::string configure;
    std::string write;
    std::string read;
    friend bool operator==(const Permission&, const Permission&) = default;
};

// How an edge describes a client connection when it opens a Session, for the connection lists.
struct SessionInfo {
    std::string name;     // "127.0.0.1:5000 -> 127.0.0.1:15672", as RabbitMQ names connections
    std::string protocol; // "WebSocket", "AMQP 0-9-1"
    std::string peer_host;
    std::uint16_t peer_port = 0;
    std::uint16_t channels = 1;
    // A channel of a multiplexed connection (AMQP): the connection's own Session id. The channel
    // has its own consumers and delivery tags; exclusive queues belong to the parent (any of its
    // channels may use them, and they go when the parent closes); lists count the channel under
    // its parent, not as a connection. 0: a connection in its own right.
    std::uint64_t parent = 0;
    std::uint16_t channel = 0; // a channel's number on its connection
    std::string vhost{};       // the vhost it opened (AMQP's connection.open), if it names one
    // What the client said about itself (AMQP's start-ok client-properties: product, version,
    // connection_name, capabilities), shown as RabbitMQ shows it in /api/connections.
    boost::json::object client_properties{};
};

// A channel's modes as an edge set them (AMQP basic.qos, confirm.select, tx.select), for the
// lists; global_prefetch is also enforced: the channel's consumers together hold at most that
// many unacked deliveries (basic.qos global=true). 0 = no limit.
struct ChannelSettings {
    std::uint16_t prefetch = 0;        // per consumer, for consumers started after it
    std::uint16_t global_prefetch = 0; // shared by the channel's consumers
    bool confirm = false;
    bool transactional = false;
};

// "administrator,management" or " a , b " -> {"administrator", "management"}; empty parts drop.
std::vector<std::string> split_tags(std::string_view text);
std::string join_tags(const std::vector<std::string>& tags);

} // namespace warren::server
