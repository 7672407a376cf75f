#pragma once

// Messages in and out of JSON, shared by HTTP publish / get and the WebSocket protocol:
// - a publish item {"properties":{...},"routing_key":"k","payload":"...","payload_encoding":
//   "string"|"base64"} becomes a Message (strictly checked, RabbitMQ's rules);
// - a message going out gets "payload" + "payload_encoding" ("string" when the bytes are valid
//   UTF-8 and the caller allows it, else "base64") and its properties as RabbitMQ names them.

#include <cstdint>
#include <string_view>

#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "common/message.hpp"

namespace warren::web {

struct PublishLimits {
    std::uint64_t max_message_size = 16u << 20;
    bool require_all_fields = true; // RabbitMQ's HTTP publish needs all four keys
};

// user: the authenticated user; a `user_id` property naming someone else is refused (as RabbitMQ
// does, so consumers can trust it).
Result<MessagePtr> parse_publish(const boost::json::object& item, std::string_view exchange,
                                 std::string_view user, const PublishLimits& limits);

enum class PayloadEncoding { auto_detect, base64 };

// Adds "payload", "payload_encoding" and "payload_bytes" for `body`, cut to `truncate` bytes
// first when set.
void render_payload(boost::json::object& out, std::string_view body, PayloadEncoding encoding,
                    std::optional<std::size_t> truncate = std::nullopt);

} // namespace warren::web
