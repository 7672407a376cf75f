#include "web/handlers/definitions_export.hpp"

#include <boost/json/array.hpp>

#include "web/user_codec.hpp"

namespace warren::web {

namespace json = boost::json;

json::object definitions_document(const server::Definitions& d, bool per_vhost) {
    // Items start with their name (or source) and then, in a whole export, their vhost: the
    // order RabbitMQ writes them in.
    auto item = [&](std::string_view key, std::string_view value, std::string_view vhost) {
        json::object o{{key, value}};
        if (!per_vhost) {
            o.emplace("vhost", vhost);
        }
        return o;
    };
    json::array exchanges, queues, bindings;
    for (const auto& [vhost, spec] : d.exchanges) {
        json::object o = item("name", spec.name, vhost);
        o.emplace("type", spec.type);
        o.emplace("durable", spec.durable);
        o.emplace("auto_delete", spec.auto_delete);
        o.emplace("internal", spec.internal);
        o.emplace("arguments", spec.arguments);
        exchanges.push_back(std::move(o));
    }
    for (const auto& [vhost, spec] : d.queues) {
        json::object o = item("name", spec.name, vhost);
        o.emplace("durable", spec.durable);
        o.emplace("auto_delete", spec.auto_delete);
        o.emplace("arguments", spec.arguments);
        queues.push_back(std::move(o));
    }
    for (const auto& view : d.bindings) {
        const server::BindingSpec& b = view.binding;
        json::object o = item("source", b.source, view.vhost);
        o.emplace("destination", b.destination);
        o.emplace("destination_type", b.to_exchange ? "exchange" : "queue");
        o.emplace("routing_key", b.routing_key);
        o.emplace("arguments", b.arguments);
        bindings.push_back(std::move(o));
    }
    json::object doc{{"product_name", "warren"}, {"product_version", WARREN_VERSION}};
    if (!per_vhost) {
        json::array users, vhosts, permissions;
        for (const auto& user : d.users) {
            users.push_back(user_json(user));
        }
        for (const auto& name : d.vhosts) {
            vhosts.push_back(json::object{{"name", name}});
        }
        for (const auto& p : d.permissions) {
            permissions.push_back(permission_json(p));
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

} // namespace warren::web
