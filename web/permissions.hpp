#pragma once

// Permission checks for messaging over WebSocket (and, later, HTTP publish/get): every decision
// goes through these two functions so that the users-and-permissions issue fills them in at one
// place (RabbitMQ's configure/write/read regexes per vhost). Until then every authenticated
// principal may read and write everything.
//
// Thread: any; pure functions of their arguments.

#include <string_view>

#include "common/error.hpp"
#include "web/auth.hpp"

namespace warren::web {

// Consume from a queue, or bind a queue to an exchange (read on the exchange, as RabbitMQ).
// Error: access_refused.
Result<void> can_read(const Principal& principal, std::string_view vhost, std::string_view name);

// Publish to an exchange. Error: access_refused.
Result<void> can_write(const Principal& principal, std::string_view vhost,
                       std::string_view exchange);

} // namespace warren::web
