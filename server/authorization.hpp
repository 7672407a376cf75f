#pragma once

// Authorization: what a Principal may do, decided in one place for every edge, from the
// UserDirectory (RabbitMQ's rules):
// - a vhost is usable only with a permission entry for it;
// - configure on a queue or exchange to declare or delete it, write on an exchange to publish to
//   it, read on a queue to consume, get or purge it; a binding needs write on its destination and
//   read on its source;
// - users, permissions, vhosts and definitions are for the administrator tag (principal.hpp).
// Refusals are Errc::permission_denied with RabbitMQ's sentences: HTTP answers 401
// {"error":"not_authorised"}, WebSocket an "access_refused" error frame.
//
// Internal to server/: edges ask the Broker. Thread: the core executor (the directory is broker
// state).

#include <string_view>

#include "common/error.hpp"
#include "server/principal.hpp"
#include "server/users.hpp"

namespace warren::server {

// The user may use the vhost at all.
Result<void> authorize_vhost(const UserDirectory& users, const Principal& principal,
                             std::string_view vhost);

// kind is "queue" or "exchange" (for the sentence); an empty exchange name is the default
// exchange, checked as "amq.default".
Result<void> authorize(const UserDirectory& users, const Principal& principal,
                       std::string_view vhost, Access access, std::string_view kind,
                       std::string_view name);

} // namespace warren::server
