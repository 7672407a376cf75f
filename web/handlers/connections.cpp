// Client connections, their channels and consumers, in RabbitMQ's list shapes, as far as warren
// knows them: a WebSocket client has a name, a user and consumers, and carries one logical
// channel; it is not bound to one vhost (it may subscribe in several), so `vhost` shows the vhost
// of its first consumer, "/" while it has none. An AMQP connection has its vhost and its
// channels (GET /api/channels), whose consumers count for it. Who sees which connection is the
// broker's decision (administrators and monitoring users all, others their own).

#include <boost/beast/http/verb.hpp>

#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/list_query.hpp"

namespace warren::web {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

json::object connection_json(const server::ConnectionView& connection, std::string_view node) {
    json::object out{
        {"name", connection.name},
        {"user", connection.user},
        {"user_who_performed_action", connection.user},
        {"vhost", connection.vhost},
        {"state", "running"},
        {"channels", connection.channels},
        {"node", node},
        {"type", "network"},
        {"protocol", connection.protocol},
        {"client_properties", connection.client_properties},
    };
    if (!connection.peer_host.empty()) {
        out["peer_host"] = connection.peer_host;
        out["peer_port"] = connection.peer_port;
    }
    return out;
}

json::object channel_json(const server::ChannelView& channel, std::string_view node) {
    json::object details{{"name", channel.connection_name}};
    if (!channel.peer_host.empty()) {
        details["peer_host"] = channel.peer_host;
        details["peer_port"] = channel.peer_port;
    }
    return json::object{
        {"name", channel.name},
        {"number", channel.number},
        {"user", channel.user},
        {"user_who_performed_action", channel.user},
        {"vhost", channel.vhost},
        {"node", node},
        {"state", "running"},
        {"consumer_count", channel.consumers},
        {"messages_unacknowledged", channel.messages_unacknowledged},
        {"prefetch_count", channel.settings.prefetch},
        {"global_prefetch_count", channel.settings.global_prefetch},
        {"confirm", channel.settings.confirm},
        {"transactional", channel.settings.transactional},
        {"connection_details", std::move(details)},
    };
}

HandlerResult list_consumers(const server::Broker& broker, const NodeInfo& node,
                             const RequestContext& context, std::optional<std::string_view> vhost) {
    return list_response(
        context,
        [&](const server::ListQuery& query) {
            return broker.list_consumers(caller(context), vhost, query);
        },
        [&](const server::ConsumerView& c) { return consumer_json(c, node.node); });
}

} // namespace

void register_connection_routes(ApiRouter& router, const server::Broker& broker,
                                const NodeInfo& node) {
    router.add(http::verb::get, "/api/connections", [&broker, &node](RequestContext& context) {
        return list_response(
            context,
            [&](const server::ListQuery& query) {
                return broker.list_connections(caller(context), query);
            },
            [&](const server::ConnectionView& c) { return connection_json(c, node.node); });
    });
    router.add(http::verb::get, "/api/channels", [&broker, &node](RequestContext& context) {
        return list_response(
            context,
            [&](const server::ListQuery& query) {
                return broker.list_channels(caller(context), query);
            },
            [&](const server::ChannelView& c) { return channel_json(c, node.node); });
    });
    router.add(http::verb::get, "/api/consumers", [&broker, &node](RequestContext& context) {
        return list_consumers(broker, node, context, std::nullopt);
    });
    router.add(http::verb::get, "/api/consumers/{vhost}",
               [&broker, &node](RequestContext& context) {
                   return list_consumers(broker, node, context, context.param("vhost"));
               });
}

} // namespace warren::web
