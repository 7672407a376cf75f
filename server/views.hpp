#pragma once

// Value views: what the broker hands an edge to show. Each is a copy of one object's state at the
// moment of the call, so an edge may keep, render or send it anywhere without reaching into the
// core (there is no live Vhost or Queue behind it). Lists of them come sorted, filtered and paged
// (server/list_query.hpp).
//
// Part of the facade (server/README.md).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "server/specs.hpp"

namespace warren::server {

// The raw message counters of one queue since it was declared.
struct QueueStats {
    std::uint64_t publish = 0;       // messages enqueued
    std::uint64_t deliver = 0;       // deliveries to consumers (manual and auto ack)
    std::uint64_t get = 0;           // messages handed out by get
    std::uint64_t ack = 0;           // acknowledged
    std::uint64_t redeliver = 0;     // deliveries of redelivered messages
    std::uint64_t dead_lettered = 0; // sent to the dead-letter exchange
    std::uint64_t dropped = 0;       // removed without dead-lettering (no DLX, or maxlen/ttl)
    std::uint64_t rejected = 0;      // publishes refused by x-overflow reject-publish
    std::uint64_t expired = 0;       // messages whose TTL ran out
};

// The counters the management API shows for a queue, a vhost or the node (message_stats).
struct MessageCounters {
    std::uint64_t publish = 0;     // queue: enqueued; vhost/node: published to exchanges
    std::uint64_t deliver_get = 0; // deliveries to consumers + messages handed out by get
    std::uint64_t ack = 0;
    std::uint64_t redeliver = 0;

    MessageCounters& operator+=(const MessageCounters& other);
};

// Per-second rates over the last sample window (about 5 s); 0 before a second sample.
struct MessageRates {
    double publish = 0;
    double deliver_get = 0;
    double ack = 0;
    double redeliver = 0;
};

struct ExchangeView {
    std::string vhost;
    std::string name;
    std::string type;
    bool durable = true;
    bool auto_delete = false;
    bool internal = false;
    bool built_in = false; // the default exchange and the amq.* ones every vhost has
    boost::json::object arguments;
    std::uint64_t publish_in = 0;  // messages published to it
    std::uint64_t publish_out = 0; // messages it routed to at least one queue
    std::uint64_t duplicates = 0;  // publishes x-message-deduplication found to be duplicates
    double publish_in_rate = 0;
    double publish_out_rate = 0;
};

struct ConsumerView {
    std::string tag;
    std::string vhost;
    std::string queue;
    std::string connection_name;
    // The channel it consumes on: an AMQP channel's own name and number; empty and 0 for a
    // connection that is its own channel (WebSocket: "<connection name> (1)", number 1).
    std::string channel_name;
    std::uint16_t channel_number = 0;
    std::string user;
    std::string peer_host; // of the connection; "" when unknown
    std::uint16_t peer_port = 0;
    ConsumeOptions options;
    bool active = true;         // false: standby under x-single-active-consumer
    bool single_active = false; // the queue has x-single-active-consumer
};

// A named consumer's (or group's) stored offset in a stream, and how far behind the end it is.
struct StreamConsumerView {
    std::string name;
    std::uint64_t offset = 0;
    std::uint64_t lag = 0; // messages after the stored offset
};

// What a stream queue shows besides a queue's fields (GET /api/streams/{vhost}/{name}).
struct StreamView {
    std::uint64_t first_offset = 0;
    std::uint64_t last_offset = 0; // first_offset - 1 (wrapping to none) when empty: see `messages`
    std::uint64_t messages = 0;
    std::uint64_t bytes = 0;
    std::size_t segments = 0;
    std::optional<std::int64_t> max_age; // ms
    std::optional<std::uint64_t> max_bytes;
    std::uint64_t segment_bytes = 0;
    std::vector<StreamConsumerView> consumers;
};

// One message read from a stream by offset (GET /api/streams/{vhost}/{name}/messages).
struct StreamMessage {
    std::uint64_t offset = 0;
    std::int64_t timestamp = 0; // when it was appended, epoch ms
    MessagePtr message;
};

struct StreamMessages {
    std::vector<StreamMessage> messages;
    std::uint64_t next_offset = 0; // where the next poll goes on
};

struct QueueView {
    std::string vhost;
    std::string name;
    bool durable = true;
    bool exclusive = false;
    bool auto_delete = false;
    boost::json::object arguments;
    std::uint64_t messages_ready = 0;
    std::uint64_t messages_unacknowledged = 0;
    std::uint64_t message_bytes_ready = 0;
    std::uint64_t messages_paged_out = 0; // ready messages only on disk (past the memory budget)
    // Message groups (x-group-by; 0 on a plain queue): groups with ready or unacked messages,
    // and those a consumer holds. Counted over messages in memory (not a paged-out backlog).
    std::uint64_t message_groups = 0;
    std::uint64_t message_groups_owned = 0;
    std::uint64_t duplicates = 0; // messages x-message-deduplication kept out of this queue
    std::size_t consumers = 0;
    std::optional<std::string> exclusive_consumer_tag;
    std::optional<std::string> single_active_consumer_tag;
    QueueStats stats;
    MessageCounters counters;
    MessageRates rates;
    // Only in a detailed view (one queue, or ViewDetail::full): its consumers.
    std::vector<ConsumerView> consumer_details;
    std::optional<StreamView> stream; // x-queue-type stream
};

struct BindingView {
    std::string vhost;
    BindingSpec binding;
};

struct ConnectionView {
    std::uint64_t id = 0;
    std::string name;
    std::string user;
    std::string vhost; // of its first consumer; "/" while it has none
    std::string protocol;
    std::string peer_host;
    std::uint16_t peer_port = 0;
    std::uint16_t channels = 1;
    std::size_t consumers = 0;
    boost::json::object client_properties;
};

// A channel of a multiplexed connection (AMQP), as GET /api/channels lists it.
struct ChannelView {
    std::string name; // "<connection name> (<number>)"
    std::string connection_name;
    std::uint16_t number = 0;
    std::string user;
    std::string vhost;
    std::string peer_host;
    std::uint16_t peer_port = 0;
    std::size_t consumers = 0;
    std::size_t messages_unacknowledged = 0;
    ChannelSettings settings;
};

struct VhostView {
    std::string name;
    std::uint64_t messages_ready = 0;
    std::uint64_t messages_unacknowledged = 0;
    MessageCounters counters; // since start, including objects deleted meanwhile
    MessageRates rates;
};

// Object totals for the overview and /metrics.
struct Totals {
    std::size_t vhosts = 0;
    std::size_t connections = 0;
    std::size_t channels = 0;
    std::size_t exchanges = 0;
    std::size_t queues = 0;
    std::size_t consumers = 0;
    std::uint64_t messages_ready = 0;
    std::uint64_t messages_unacknowledged = 0;
    std::uint64_t messages_paged_out = 0;
};

struct OverviewView {
    Totals totals;
    MessageCounters counters; // node totals since start (RabbitMQ's global counters)
    MessageRates rates;
    std::vector<std::string> exchange_types;
};

// The broker's resource alarms and the readings and limits behind them.
struct ResourcesView {
    std::optional<std::string> memory_alarm; // the alarm's sentence while it is in effect
    std::optional<std::string> disk_alarm;
    std::optional<std::uint64_t> resident_memory; // the last reading
    std::optional<std::uint64_t> disk_free;
    std::uint64_t memory_limit = 0; // 0: no memory alarm
    std::uint64_t disk_free_limit = 0;
    std::uint64_t memory_budget = 0; // ready messages kept in memory before paging
    std::uint64_t memory_in_use = 0;
};

// Everything durable, in the order an import declares it (definitions export and import). An
// export gives users with their stored hash (password_hash and hashing_algorithm set).
struct Definitions {
    std::vector<UserSpec> users;
    std::vector<std::string> vhosts;
    std::vector<Permission> permissions;
    std::vector<std::pair<std::string, ExchangeSpec>> exchanges; // (vhost, spec)
    std::vector<std::pair<std::string, QueueSpec>> queues;
    std::vector<BindingView> bindings;
};

} // namespace warren::server
