#pragma once

// StreamArguments: what `x-queue-type: stream` declares (DESIGN.md section 7): retention by age
// (x-max-age, RabbitMQ's "7D" form) and by size (x-max-length-bytes), and the segment size
// retention works in (x-stream-max-segment-size-bytes). A stream is a log, so the arguments
// that only mean something for a queue that forgets what it delivered (TTL, expiry, overflow,
// dead-lettering, length in messages, delivery limits, single active consumer, groups) are
// refused, as RabbitMQ refuses them, rather than silently ignored.

#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "server/clock.hpp"

namespace warren::server {

struct StreamArguments {
    std::optional<Millis> max_age;             // x-max-age
    std::optional<std::uint64_t> max_bytes;    // x-max-length-bytes
    std::uint64_t segment_bytes = 500'000'000; // x-stream-max-segment-size-bytes (RabbitMQ's)
};

// True when the arguments ask for a stream (x-queue-type "stream").
bool is_stream_declaration(const boost::json::object& arguments);

// The arguments of a stream; where: e.g. "queue 'log' in vhost '/'".
Result<StreamArguments> parse_stream_arguments(const boost::json::object& arguments,
                                               std::string_view where);

// RabbitMQ's x-max-age: a positive integer and one unit of Y, M, D, h, m, s ("7D", "30s").
// A month is 30 days and a year 365, as RabbitMQ counts them.
std::optional<Millis> parse_max_age(std::string_view text);

} // namespace warren::server
