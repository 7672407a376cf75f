#pragma once

// The import half of /api/definitions, in two steps so that a bad document changes nothing:
// plan_import() checks the whole document (JSON types, names, vhosts that exist or are in the
// document, users of permissions, regexes, password hashes) and turns it into broker specs;
// apply_import() declares them in dependency order. An object that already exists is kept as it
// is, as RabbitMQ's import does. Sections warren has no counterpart for (policies, parameters,
// topic permissions) are ignored with a warning in the log.
//
// Thread: the core thread (it reads and changes the broker).

#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "server/core.hpp"
#include "web/api_router.hpp"

namespace warren::web {

struct ImportPlan {
    std::vector<server::User> users;
    std::vector<std::string> vhosts;
    std::vector<server::Permission> permissions;
    std::vector<std::pair<std::string, server::ExchangeSpec>> exchanges;
    std::vector<std::pair<std::string, server::QueueSpec>> queues;
    std::vector<std::pair<std::string, routing::Binding>> bindings;
};

// `path_vhost`: the vhost of a per-vhost import (items carry no "vhost" field then), else null.
Result<ImportPlan> plan_import(const server::Core& broker, const boost::json::object& doc,
                               const std::string* path_vhost);

// Declares what the plan holds; what still fails (a binding whose source is in neither the broker
// nor the document) is reported after the rest went in. `principal` gets all permissions on the
// vhosts the import creates, as RabbitMQ gives their creator.
HandlerResult apply_import(server::Core& broker, ImportPlan& plan, const Principal& principal);

} // namespace warren::web
