// Definitions in RabbitMQ's format, for administrators:
//   GET  /api/definitions          users, vhosts, permissions, exchanges, queues, bindings
//   POST /api/definitions          imports such a document (RabbitMQ's exports included)
//   GET|POST /api/definitions/{vhost}   one vhost's exchanges, queues and bindings, without the
//                                       "vhost" fields
// Export leaves out what cannot be declared again: the built-in "amq." exchanges, exclusive
// queues and the default exchange's implicit bindings.
// Import checks the whole document first (JSON types, names, vhosts that exist or are in the
// document, users of permissions, regexes, password hashes) and changes nothing when any of it is
// wrong. Then it declares in dependency order; an object that already exists is kept as it is,
// as RabbitMQ's import does. Sections warren has no counterpart for (policies, parameters, topic
// permissions) are ignored with a warning in the log. The answer waits for the commit.

#include <boost/beast/http/verb.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include "server/names.hpp"
#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/user_codec.hpp"

namespace warren::web {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr RouteOptions kAdministrators{.authenticated = true, .administrator = true};

// ---- export ---------------------------------------------------------------------------------

void export_vhost(const server::Vhost& vhost, bool with_vhost_field, json::array& exchanges,
                  json::array& queues, json::array& bindings) {
    auto with_vhost = [&](json::object o) {
        if (with_vhost_field) {
            o.emplace("vhost", vhost.name());
        }
        return o;
    };
    for (const auto& [name, exchange] : vhost.exchanges()) {
        const server::ExchangeSpec& spec = exchange.spec;
        if (name.empty() || server::is_reserved_name(name)) {
            continue;
        }
        json::object o{{"name", name}};
        o = with_vhost(std::move(o));
        o.emplace("type", routing::to_string(spec.type));
        o.emplace("durable", spec.durable);
        o.emplace("auto_delete", spec.auto_delete);
        o.emplace("internal", spec.internal);
        o.emplace("arguments", spec.arguments);
        exchanges.push_back(std::move(o));
    }
    for (const auto& [name, queue] : vhost.queues()) {
        const server::QueueSpec& spec = queue->spec();
        if (queue->owner() != 0) {
            continue; // exclusive: belongs to a live connection
        }
        json::object o{{"name", name}};
        o = with_vhost(std::move(o));
        o.emplace("durable", spec.durable);
        o.emplace("auto_delete", spec.auto_delete);
        o.emplace("arguments", spec.arguments);
        queues.push_back(std::move(o));
    }
    for (const VhostBinding& b : bindings_of(vhost)) {
        if (b.binding.source.empty()) {
            continue; // the implicit default-exchange binding of every queue
        }
        if (b.binding.destination.kind == routing::Destination::Kind::queue) {
            const auto& q = vhost.queues();
            auto it = q.find(b.binding.destination.name);
            if (it != q.end() && it->second->owner() != 0) {
                continue;
            }
        }
        json::object o{{"source", b.binding.source}};
        o = with_vhost(std::move(o));
        o.emplace("destination", b.binding.destination.name);
        o.emplace("destination_type",
                  b.binding.destination.kind == routing::Destination::Kind::queue ? "queue"
                                                                                  : "exchange");
        o.emplace("routing_key", b.binding.routing_key);
        o.emplace("arguments", b.binding.arguments);
        bindings.push_back(std::move(o));
    }
}

json::object definitions_document(const server::Broker& broker, const server::Vhost* only) {
    json::array exchanges, queues, bindings;
    json::object doc{{"product_name", "warren"}, {"product_version", WARREN_VERSION}};
    if (only != nullptr) {
        export_vhost(*only, false, exchanges, queues, bindings);
    } else {
        json::array users, vhosts, permissions;
        for (const server::User* user : broker.users().users()) {
            users.push_back(user_json(*user));
        }
        for (const server::Vhost* vhost : broker.vhosts()) {
            vhosts.push_back(json::object{{"name", vhost->name()}});
            export_vhost(*vhost, true, exchanges, queues, bindings);
        }
        for (const server::Permission* p : broker.users().permissions()) {
            permissions.push_back(permission_json(*p));
        }
        doc.emplace("users", std::move(users));
        doc.emplace("vhosts", std::move(vhosts));
        doc.emplace("permissions", std::move(permissions));
        doc.emplace("topic_permissions", json::array{});
        doc.emplace("global_parameters", json::array{});
    }
    doc.emplace("parameters", json::array{});
    doc.emplace("policies", json::array{});
    doc.emplace("queues", std::move(queues));
    doc.emplace("exchanges", std::move(exchanges));
    doc.emplace("bindings", std::move(bindings));
    return doc;
}

// ---- import ---------------------------------------------------------------------------------

struct Plan {
    std::vector<server::User> users;
    std::vector<std::string> vhosts;
    std::vector<server::Permission> permissions;
    std::vector<std::pair<std::string, server::ExchangeSpec>> exchanges;
    std::vector<std::pair<std::string, server::QueueSpec>> queues;
    std::vector<std::pair<std::string, routing::Binding>> bindings;
};

Error item_error(std::string_view section, std::size_t index, const Error& error) {
    return Error{Errc::bad_request,
                 std::string(section) + "[" + std::to_string(index) + "]: " + error.reason};
}

// The items of an optional array section.
Result<const json::array*> section(const json::object& doc, std::string_view key) {
    static const json::array kEmpty;
    const json::value* v = doc.if_contains(key);
    if (v == nullptr || v->is_null()) {
        return &kEmpty;
    }
    if (!v->is_array()) {
        return make_error(Errc::bad_request, "'" + std::string(key) + "' must be an array");
    }
    for (const auto& item : v->get_array()) {
        if (!item.is_object()) {
            return make_error(Errc::bad_request,
                              "every item of '" + std::string(key) + "' must be an object");
        }
    }
    return &v->get_array();
}

Result<std::string> string_field(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr || !v->is_string()) {
        return make_error(Errc::bad_request, "'" + std::string(key) + "' must be a string");
    }
    return std::string(v->get_string());
}

// The vhost of an item: the path's in a per-vhost import, else the item's "vhost" field.
Result<std::string> vhost_of(const json::object& item, const std::string* path_vhost) {
    if (path_vhost != nullptr) {
        return *path_vhost;
    }
    return string_field(item, "vhost");
}

Result<Plan> plan_import(const server::Broker& broker, const json::object& doc,
                         const std::string* path_vhost) {
    Plan plan;
    std::vector<std::string> known_vhosts;
    for (const server::Vhost* v : broker.vhosts()) {
        known_vhosts.push_back(v->name());
    }
    auto vhost_known = [&](const std::string& name) {
        return std::find(known_vhosts.begin(), known_vhosts.end(), name) != known_vhosts.end();
    };
    if (path_vhost == nullptr) {
        auto users = section(doc, "users");
        if (!users) {
            return users.error();
        }
        for (std::size_t i = 0; i < (*users)->size(); ++i) {
            const json::object& o = (**users)[i].get_object();
            auto name = string_field(o, "name");
            if (!name) {
                return item_error("users", i, name.error());
            }
            auto user = user_from_json(std::move(*name), o);
            if (!user) {
                return item_error("users", i, user.error());
            }
            plan.users.push_back(std::move(*user));
        }
        auto vhosts = section(doc, "vhosts");
        if (!vhosts) {
            return vhosts.error();
        }
        for (std::size_t i = 0; i < (*vhosts)->size(); ++i) {
            auto name = string_field((**vhosts)[i].get_object(), "name");
            if (!name) {
                return item_error("vhosts", i, name.error());
            }
            if (auto ok = server::check_name("vhost", *name); !ok || name->empty()) {
                return item_error("vhosts", i,
                                  ok ? Error{Errc::bad_request, "a vhost name cannot be empty"}
                                     : ok.error());
            }
            known_vhosts.push_back(*name);
            plan.vhosts.push_back(std::move(*name));
        }
        auto permissions = section(doc, "permissions");
        if (!permissions) {
            return permissions.error();
        }
        for (std::size_t i = 0; i < (*permissions)->size(); ++i) {
            const json::object& o = (**permissions)[i].get_object();
            auto user = string_field(o, "user");
            auto vhost = string_field(o, "vhost");
            if (!user || !vhost) {
                return item_error("permissions", i, !user ? user.error() : vhost.error());
            }
            bool user_known = broker.users().find_user(*user) != nullptr ||
                              std::any_of(plan.users.begin(), plan.users.end(),
                                          [&](const server::User& u) { return u.name == *user; });
            if (!user_known || !vhost_known(*vhost)) {
                return item_error(
                    "permissions", i,
                    Error{Errc::bad_request,
                          "vhost_or_user_not_found: user '" + *user + "', vhost '" + *vhost + "'"});
            }
            auto permission = permission_from_json(*user, *vhost, o);
            if (!permission) {
                return item_error("permissions", i, permission.error());
            }
            plan.permissions.push_back(std::move(*permission));
        }
    }
    auto in_known_vhost = [&](const json::object& o, std::string_view what,
                              std::size_t i) -> Result<std::string> {
        auto vhost = vhost_of(o, path_vhost);
        if (!vhost) {
            return item_error(what, i, vhost.error());
        }
        if (!vhost_known(*vhost)) {
            return item_error(what, i, Error{Errc::bad_request, "no vhost '" + *vhost + "'"});
        }
        return vhost;
    };
    auto exchanges = section(doc, "exchanges");
    if (!exchanges) {
        return exchanges.error();
    }
    for (std::size_t i = 0; i < (*exchanges)->size(); ++i) {
        const json::object& o = (**exchanges)[i].get_object();
        auto vhost = in_known_vhost(o, "exchanges", i);
        if (!vhost) {
            return vhost.error();
        }
        auto name = string_field(o, "name");
        if (!name) {
            return item_error("exchanges", i, name.error());
        }
        auto spec = exchange_spec_from_json(std::move(*name), o);
        if (!spec) {
            return item_error("exchanges", i, spec.error());
        }
        if (auto ok = server::check_name("exchange", spec->name); !ok) {
            return item_error("exchanges", i, ok.error());
        }
        plan.exchanges.emplace_back(std::move(*vhost), std::move(*spec));
    }
    auto queues = section(doc, "queues");
    if (!queues) {
        return queues.error();
    }
    for (std::size_t i = 0; i < (*queues)->size(); ++i) {
        const json::object& o = (**queues)[i].get_object();
        auto vhost = in_known_vhost(o, "queues", i);
        if (!vhost) {
            return vhost.error();
        }
        auto name = string_field(o, "name");
        if (!name) {
            return item_error("queues", i, name.error());
        }
        auto spec = queue_spec_from_json(std::move(*name), o);
        if (!spec) {
            return item_error("queues", i, spec.error());
        }
        if (auto ok = server::check_name("queue", spec->name); !ok || spec->name.empty()) {
            return item_error("queues", i,
                              ok ? Error{Errc::bad_request, "a queue name cannot be empty"}
                                 : ok.error());
        }
        plan.queues.emplace_back(std::move(*vhost), std::move(*spec));
    }
    auto bindings = section(doc, "bindings");
    if (!bindings) {
        return bindings.error();
    }
    for (std::size_t i = 0; i < (*bindings)->size(); ++i) {
        const json::object& o = (**bindings)[i].get_object();
        auto vhost = in_known_vhost(o, "bindings", i);
        if (!vhost) {
            return vhost.error();
        }
        auto source = string_field(o, "source");
        auto destination = string_field(o, "destination");
        auto type = string_field(o, "destination_type");
        if (!source || !destination || !type) {
            return item_error("bindings", i,
                              !source ? source.error()
                                      : (!destination ? destination.error() : type.error()));
        }
        if (*type != "queue" && *type != "exchange") {
            return item_error(
                "bindings", i,
                Error{Errc::bad_request, "'destination_type' must be \"queue\" or \"exchange\""});
        }
        auto body = binding_body_from_json(o);
        if (!body) {
            return item_error("bindings", i, body.error());
        }
        const auto kind = *type == "queue" ? routing::Destination::Kind::queue
                                           : routing::Destination::Kind::exchange;
        plan.bindings.emplace_back(
            std::move(*vhost),
            routing::Binding{std::move(*source),
                             routing::Destination{kind, std::move(*destination)},
                             std::move(body->routing_key), std::move(body->arguments)});
    }
    for (std::string_view ignored : {"policies", "parameters", "topic_permissions"}) {
        const json::value* v = doc.if_contains(ignored);
        if (v != nullptr && v->is_array() && !v->get_array().empty()) {
            spdlog::warn("definitions import: '{}' is not supported by warren; {} item(s) ignored",
                         ignored, v->get_array().size());
        }
    }
    return plan;
}

// Declares what the plan holds. Objects that exist are kept as they are; what still fails (a
// binding whose source is in neither the broker nor the document) is reported after the rest
// went in.
HandlerResult apply(server::Broker& broker, Plan& plan, const Principal& principal) {
    std::vector<std::string> failures;
    auto failed = [&](std::string what, const Error& error) {
        failures.push_back(std::move(what) + ": " + error.reason);
    };
    for (auto& user : plan.users) {
        broker.users().put_user(std::move(user));
    }
    for (const auto& name : plan.vhosts) {
        auto declared = broker.declare_vhost(name);
        if (!declared) {
            failed("vhost '" + name + "'", declared.error());
        } else if (*declared == server::Declared::created &&
                   broker.users().find_permission(principal.name, name) == nullptr) {
            (void)broker.users().set_permission(
                server::Permission{principal.name, name, ".*", ".*", ".*"});
        }
    }
    for (const auto& permission : plan.permissions) {
        if (auto set = broker.users().set_permission(permission); !set) {
            failed("permission of '" + permission.user + "' on '" + permission.vhost + "'",
                   set.error());
        }
    }
    auto exists = [](const Error& e) { return e.code == Errc::precondition_failed; };
    for (const auto& [vhost, spec] : plan.exchanges) {
        if (server::is_reserved_name(spec.name)) {
            continue; // the built-in exchanges exist in every vhost
        }
        if (auto declared = broker.declare_exchange(vhost, spec);
            !declared && !exists(declared.error())) {
            failed("exchange '" + spec.name + "' in vhost '" + vhost + "'", declared.error());
        }
    }
    for (const auto& [vhost, spec] : plan.queues) {
        if (auto declared = broker.declare_queue(vhost, spec);
            !declared && !exists(declared.error())) {
            failed("queue '" + spec.name + "' in vhost '" + vhost + "'", declared.error());
        }
    }
    for (const auto& [vhost, binding] : plan.bindings) {
        if (auto bound = broker.bind(vhost, binding); !bound) {
            failed("binding '" + binding.source + "' -> '" + binding.destination.name +
                       "' in vhost '" + vhost + "'",
                   bound.error());
        }
    }
    if (!failures.empty()) {
        std::string reason = "imported all but " + std::to_string(failures.size()) + " item(s): ";
        for (std::size_t i = 0; i < failures.size(); ++i) {
            reason += (i == 0 ? "" : "; ") + failures[i];
        }
        return make_error(Errc::bad_request, std::move(reason));
    }
    return empty_response(http::status::no_content);
}

HandlerResult import_definitions(server::Broker& broker, const RequestContext& context,
                                 bool per_vhost) {
    auto parsed = parse_client_json(context.request.body(), "the definitions document");
    if (!parsed) {
        return parsed.error();
    }
    const json::value& doc = *parsed;
    if (!doc.is_object()) {
        return make_error(Errc::bad_request, "the definitions must be a JSON object");
    }
    const std::string* path_vhost = nullptr;
    if (per_vhost) {
        path_vhost = &context.param("vhost");
        if (broker.find_vhost(*path_vhost) == nullptr) {
            return object_not_found();
        }
    }
    auto plan = plan_import(broker, doc.get_object(), path_vhost);
    if (!plan) {
        return plan.error();
    }
    return apply(broker, *plan, *context.principal);
}

} // namespace

void register_definition_routes(ApiRouter& router, server::Broker& broker) {
    router.add(
        http::verb::get, "/api/definitions",
        [&broker](RequestContext&) -> HandlerResult {
            return json_response(definitions_document(broker, nullptr));
        },
        kAdministrators);
    router.add(
        http::verb::get, "/api/definitions/{vhost}",
        [&broker](RequestContext& context) -> HandlerResult {
            const server::Vhost* vhost = broker.find_vhost(context.param("vhost"));
            if (vhost == nullptr) {
                return object_not_found();
            }
            return json_response(definitions_document(broker, vhost));
        },
        kAdministrators);
    router.add_async(
        http::verb::post, "/api/definitions",
        [&broker](RequestContext& context) {
            return after_commit(broker, import_definitions(broker, context, false));
        },
        kAdministrators);
    router.add_async(
        http::verb::post, "/api/definitions/{vhost}",
        [&broker](RequestContext& context) {
            return after_commit(broker, import_definitions(broker, context, true));
        },
        kAdministrators);
}

} // namespace warren::web
