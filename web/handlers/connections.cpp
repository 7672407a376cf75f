// Client connections and their consumers, in RabbitMQ's list shapes, as far as warren knows them:
// a warren connection (a WebSocket client) has a name, a user and consumers, and carries one
// logical channel. It is not bound to one vhost (a client may subscribe in several), so `vhost`
// shows the vhost of its first consumer, "/" while it has none.

#include <boost/beast/http/verb.hpp>

#include "server/connection.hpp"
#include "server/queue.hpp"
#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/list_query.hpp"
#include "web/permissions.hpp"

namespace warren::web {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

json::object connection_json(const server::Connection& connection, std::string_view node) {
    const auto consumers = connection.consumers();
    json::object out{
        {"name", connection.name()},
        {"user", connection.user()},
        {"user_who_performed_action", connection.user()},
        {"vhost", consumers.empty() ? std::string("/") : consumers.front().vhost},
        {"state", "running"},
        {"channels", 1},
        {"node", node},
        {"type", "network"},
        {"client_properties", json::object{}},
    };
    if (auto peer = peer_of(connection.name())) {
        out["peer_host"] = peer->host;
        out["peer_port"] = peer->port;
    }
    return out;
}

// As RabbitMQ: administrators and monitoring users see every connection, others their own.
std::vector<const server::Connection*> visible_connections(const server::Core& broker,
                                                           const RequestContext& context) {
    std::vector<const server::Connection*> connections = broker.connections();
    if (context.principal && !sees_all_vhosts(*context.principal)) {
        std::erase_if(connections, [&](const server::Connection* c) {
            return c->user() != context.principal->name;
        });
    }
    return connections;
}

HandlerResult list_connections(const server::Core& broker, const NodeInfo& node,
                               const RequestContext& context) {
    const std::vector<const server::Connection*> connections = visible_connections(broker, context);
    ListSource source;
    source.size = connections.size();
    source.name = [&](std::size_t i) { return std::string_view(connections[i]->name()); };
    source.render = [&](std::size_t i) { return connection_json(*connections[i], node.node); };
    return list_response(context, source);
}

struct ConsumerRow {
    const server::Connection* connection;
    server::ConsumerInfo info;
};

HandlerResult list_consumers(const server::Core& broker, const NodeInfo& node,
                             const RequestContext& context, const std::string* vhost) {
    std::vector<ConsumerRow> rows;
    for (const server::Connection* connection : visible_connections(broker, context)) {
        for (auto& info : connection->consumers()) {
            if (vhost == nullptr || info.vhost == *vhost) {
                rows.push_back(ConsumerRow{connection, std::move(info)});
            }
        }
    }
    ListSource source;
    source.size = rows.size();
    source.render = [&](std::size_t i) {
        const ConsumerRow& row = rows[i];
        bool single_active = false;
        if (const server::Vhost* v = broker.find_vhost(row.info.vhost)) {
            if (auto queue = v->find_queue(row.info.queue)) {
                single_active = queue->arguments().single_active_consumer;
            }
        }
        ConsumerView view{row.info.tag,           row.info.vhost,         row.info.queue,
                          row.connection->name(), row.connection->user(), row.info.options,
                          row.info.active,        single_active};
        return consumer_json(view, node.node);
    };
    return list_response(context, source);
}

} // namespace

void register_connection_routes(ApiRouter& router, const server::Core& broker,
                                const NodeInfo& node) {
    router.add(http::verb::get, "/api/connections", [&broker, &node](RequestContext& context) {
        return list_connections(broker, node, context);
    });
    router.add(http::verb::get, "/api/consumers", [&broker, &node](RequestContext& context) {
        return list_consumers(broker, node, context, nullptr);
    });
    router.add(http::verb::get, "/api/consumers/{vhost}",
               [&broker, &node](RequestContext& context) {
                   const std::string& vhost = context.param("vhost");
                   if (broker.find_vhost(vhost) == nullptr) {
                       return HandlerResult(object_not_found());
                   }
                   return list_consumers(broker, node, context, &vhost);
               });
}

} // namespace warren::web
