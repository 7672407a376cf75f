#pragma once

// The import half of /api/definitions, the document side: RabbitMQ's definitions JSON read into
// a server::Definitions, checking JSON types and required fields item by item ("queues[3]: 'name'
// must be a string"). The broker then checks the rest (names, vhosts, users, regexes, hashes)
// before it changes anything, and declares in dependency order. Sections warren has no
// counterpart for (policies, parameters, topic permissions) are ignored with a warning in the
// log. Pure apart from that log line.

#include <string>

#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "server/views.hpp"

namespace warren::web {

// `path_vhost`: the vhost of a per-vhost import (items carry no "vhost" field, and users, vhosts
// and permissions are not read), else null.
Result<server::Definitions> definitions_from_json(const boost::json::object& doc,
                                                  const std::string* path_vhost);

} // namespace warren::web
