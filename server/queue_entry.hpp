#pragma once

// QueueEntry: one message's place in one queue. The message itself is shared by every queue it
// reached; the entry carries what is per-queue: the order, the expiry and the delivery count.

#include <cstdint>

#include "routing/message.hpp"
#include "server/clock.hpp"

namespace warren::server {

// What one in-memory entry costs besides its body (the entry, its deque slot, the shared
// Message with its strings and control blocks), for the memory budget. An estimate.
inline constexpr std::size_t kEntryOverhead = 192;

struct QueueEntry {
    routing::MessagePtr message;
    std::uint64_t seq = 0;            // enqueue order within the queue
    std::uint64_t message_id = 0;     // its row in the store; 0 = not persisted
    Millis expires_at = kNever;       // from x-message-ttl / expiration, fixed at enqueue
    std::uint32_t delivery_count = 0; // deliveries so far; the next one is redelivered if > 0
    std::size_t bytes() const { return message->body_size(); }
};

} // namespace warren::server
