#pragma once

// The export half of /api/definitions: the broker's durable objects as RabbitMQ's definitions
// document. It leaves out what cannot be declared again: the built-in "amq." exchanges,
// exclusive queues and the default exchange's implicit bindings.
//
// Thread: the core thread (it reads the broker).

#include <boost/json/object.hpp>

#include "server/core.hpp"

namespace warren::web {

// Everything (users, vhosts, permissions, exchanges, queues, bindings), or with `only` set one
// vhost's exchanges, queues and bindings without their "vhost" fields.
boost::json::object definitions_document(const server::Core& broker, const server::Vhost* only);

} // namespace warren::web
