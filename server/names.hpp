#pragma once

// Checks on the names users give vhosts, exchanges and queues: at most 255 bytes of valid UTF-8
// (AMQP short strings), and the "amq." prefix reserved for the broker's own objects.

#include <string_view>

#include "common/error.hpp"
#include "common/utf8.hpp"

namespace warren::server {

inline constexpr std::size_t kMaxNameBytes = 255;

// kind is "vhost", "exchange" or "queue" (used in the reason).
Result<void> check_name(std::string_view kind, std::string_view name);

// Names starting with "amq." may not be declared or deleted by users.
bool is_reserved_name(std::string_view name);

} // namespace warren::server
