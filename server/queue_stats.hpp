#pragma once

// Message counters of a queue, the raw numbers behind the API's message_stats and /metrics.

#include <cstdint>

namespace warren::server {

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

} // namespace warren::server
