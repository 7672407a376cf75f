#pragma once

// The export half of /api/definitions: the broker's export (server::Definitions) as RabbitMQ's
// definitions document. The broker leaves out what cannot be declared again (the built-in "amq."
// exchanges, exclusive queues, the default exchange's implicit bindings). Pure.

#include <boost/json/object.hpp>

#include "server/views.hpp"

namespace warren::web {

// Everything (users, vhosts, permissions, exchanges, queues, bindings), or with `per_vhost` one
// vhost's exchanges, queues and bindings without their "vhost" fields.
boost::json::object definitions_document(const server::Definitions& definitions, bool per_vhost);

} // namespace warren::web
