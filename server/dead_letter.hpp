#pragma once

// Dead-lettering as RabbitMQ does it: the message is republished to the queue's dead-letter
// exchange with an `x-death` history (most recent first, one entry per queue and reason, with a
// count), `x-first-death-*` set once and `x-last-death-*` every time. The per-message expiration
// is removed (kept as original-expiration) so the copy does not expire again at once.

#include <string>
#include <string_view>

#include "common/message.hpp"
#include "server/clock.hpp"

namespace warren::server {

struct DeadLetter {
    MessagePtr message; // exchange = the DLX, routing_key = the key it is routed with
};

DeadLetter make_dead_letter(const Message& original, std::string_view queue,
                            std::string_view reason, std::string_view dead_letter_exchange,
                            const std::string* dead_letter_routing_key, Millis now);

// True when dead-lettering `message` into `queue` would close a cycle with no rejection in it
// (RabbitMQ drops such messages instead of looping forever).
bool is_dead_letter_cycle(const Message& message, std::string_view queue);

} // namespace warren::server
