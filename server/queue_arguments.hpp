#pragma once

// QueueArguments: the x- arguments of a queue, parsed and validated once at declare time so the
// hot path reads typed fields instead of JSON. Unknown x- arguments are refused (a typo such as
// "x-max-lenght" would otherwise silently do nothing); other keys are kept as they are.

#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "common/message_key.hpp"
#include "server/clock.hpp"
#include "server/dedup.hpp"
#include "server/stream_arguments.hpp"

namespace warren::server {

enum class Overflow { drop_head, reject_publish };

struct QueueArguments {
    std::optional<Millis> message_ttl;                  // x-message-ttl
    std::optional<Millis> expires;                      // x-expires
    std::optional<std::uint64_t> max_length;            // x-max-length
    std::optional<std::uint64_t> max_length_bytes;      // x-max-length-bytes
    Overflow overflow = Overflow::drop_head;            // x-overflow
    std::optional<std::string> dead_letter_exchange;    // x-dead-letter-exchange
    std::optional<std::string> dead_letter_routing_key; // x-dead-letter-routing-key
    std::optional<std::uint32_t> delivery_limit;        // x-delivery-limit (-1 = none)
    bool single_active_consumer = false;                // x-single-active-consumer
    std::optional<MessageKey> group_by;                 // x-group-by
    std::uint32_t group_max_in_flight = 1;              // x-group-max-in-flight
    std::optional<DedupSettings> dedup;                 // x-message-deduplication and friends
    std::optional<StreamArguments> stream;              // x-queue-type stream: a log (none above)
};

// where: e.g. "queue 'orders' in vhost '/'", used in reasons as RabbitMQ words them.
Result<QueueArguments> parse_queue_arguments(const boost::json::object& arguments,
                                             std::string_view where);

// Helpers for argument parsers (queue and dedup arguments): a JSON integer (int64 or uint64, or a
// double with an integral value, as JavaScript sends), and RabbitMQ's wording of a bad one.
std::optional<std::int64_t> json_integer(const boost::json::value& v);
Error invalid_argument(std::string_view key, std::string_view where, std::string_view why);

// A per-message `expiration` property: a decimal string of milliseconds.
Result<Millis> parse_expiration(std::string_view expiration);

} // namespace warren::server
