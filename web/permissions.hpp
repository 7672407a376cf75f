#pragma once

// Authorization: what an authenticated principal may do, decided in one place for HTTP handlers
// and WebSocket operations alike, from the broker's UserDirectory (RabbitMQ's rules):
// - a vhost is usable only with a permission entry for it;
// - configure on a queue or exchange to declare or delete it, write on an exchange to publish to
//   it, read on a queue to consume, get or purge it; a binding needs write on its destination and
//   read on its source;
// - users, permissions, vhosts and definitions are for the administrator tag; lists show a
//   management user only the vhosts it may use (administrator and monitoring see all).
// Refusals are Errc::permission_denied: HTTP 401 {"error":"not_authorised"} as RabbitMQ answers,
// an "access_refused" error frame over WebSocket.
//
// Thread: the core executor (the directory is broker state).

#include <string_view>

#include "common/error.hpp"
#include "server/users.hpp"
#include "web/auth.hpp"

namespace warren::web {

// The user may use the vhost at all.
Result<void> check_vhost_access(const server::UserDirectory& users, const Principal& principal,
                                std::string_view vhost);

// kind is "queue" or "exchange" (for the message); an empty exchange name is the default
// exchange, checked as "amq.default".
Result<void> check_permission(const server::UserDirectory& users, const Principal& principal,
                              std::string_view vhost, server::Access access, std::string_view kind,
                              std::string_view name);

Result<void> check_administrator(const Principal& principal);

// Administrators and monitoring users see every vhost in lists.
bool sees_all_vhosts(const Principal& principal);

// Consume from a queue, or subscribe to an exchange (read on it, as RabbitMQ's bind needs).
Result<void> can_read(const server::UserDirectory& users, const Principal& principal,
                      std::string_view vhost, std::string_view kind, std::string_view name);

// Publish to an exchange.
Result<void> can_write(const server::UserDirectory& users, const Principal& principal,
                       std::string_view vhost, std::string_view exchange);

} // namespace warren::web
