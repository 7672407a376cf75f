#include "web/handlers/definitions_import.hpp"

#include <boost/beast/http/status.hpp>
#include <boost/json/array.hpp>
#include <spdlog/spdlog.h>

#include "server/names.hpp"
#include "web/handlers/common.hpp"
#include "web/json_codec.hpp"
#include "web/user_codec.hpp"

namespace warren::web {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

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

} // namespace

Result<ImportPlan> plan_import(const server::Core& broker, const json::object& doc,
                               const std::string* path_vhost) {
    ImportPlan plan;
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
HandlerResult apply_import(server::Core& broker, ImportPlan& plan, const Principal& principal) {
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

} // namespace warren::web
