#include "web/handlers/definitions_export.hpp"

#include <boost/json/array.hpp>

#include "server/names.hpp"
#include "web/handlers/common.hpp"
#include "web/json_codec.hpp"
#include "web/user_codec.hpp"

namespace warren::web {

namespace json = boost::json;

namespace {

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

} // namespace

json::object definitions_document(const server::Core& broker, const server::Vhost* only) {
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

} // namespace warren::web
