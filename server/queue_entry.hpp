#pragma once

// QueueEntry: one message's place in one queue. The message itself is shared by every queue it
// reached; the entry carries what is per-queue: the order, the expiry and the delivery count.

#include <cstdint>

#include "common/message.hpp"
#include "server/clock.hpp"

namespace warren::server {

struct QueueEntry {
    MessagePtr message;
    std::uint64_t seq = 0;            // enqueue order within the queue
    std::uint64_t message_id = 0;     // its row in the store; 0 = not persisted
    Millis expires_at = kNever;       // from x-message-ttl / expiration, fixed at enqueue
    std::uint32_t delivery_count = 0; // deliveries so far; the next one is redelivered if > 0
    Millis timestamp = 0;             // a stream's entry: when it was appended (epoch ms)
    std::size_t bytes() const { return message->body_size(); }
};

// What one in-memory entry costs besides its body, for the memory budget: the entry and its
// deque slot, the Message (its properties are most of it), and the control blocks, string
// header and allocator slack around them. Measured ~900 B in all for a 256 B body.
inline constexpr std::size_t kEntryOverhead = sizeof(Message) + sizeof(QueueEntry) + 160;

} // namespace warren::server
