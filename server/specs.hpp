#pragma once

// The value types callers hand the broker to declare things, and the summaries it hands back.

#include <cstdint>
#include <string>

#include <boost/json/object.hpp>

#include "routing/exchange.hpp"

namespace warren::server {

struct ExchangeSpec {
    std::string name;
    routing::ExchangeType type = routing::ExchangeType::direct;
    bool durable = true;
    bool auto_delete = false;
    bool internal = false;
    boost::json::object arguments; // alternate-exchange
};

struct QueueSpec {
    std::string name;
    bool durable = true;
    bool exclusive = false;
    bool auto_delete = false;
    boost::json::object arguments; // x-message-ttl, x-max-length, ... (validated on declare)
};

// What a declare did: made something new, or found an equivalent one (RabbitMQ: 201 vs 204).
enum class Declared { created, existed };

struct PublishOutcome {
    bool routed = false;   // reached at least one queue
    bool rejected = false; // a queue refused it (x-overflow reject-publish): RabbitMQ nacks
    bool stored = false;   // it was journaled: confirm only after Core::flush commits it
};

// Totals for GET /api/overview.
struct Totals {
    std::size_t vhosts = 0;
    std::size_t connections = 0;
    std::size_t exchanges = 0;
    std::size_t queues = 0;
    std::size_t consumers = 0;
    std::uint64_t messages_ready = 0;
    std::uint64_t messages_unacknowledged = 0;
};

} // namespace warren::server
