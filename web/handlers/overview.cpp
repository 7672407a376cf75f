// GET /api/overview in RabbitMQ's shape (management API 3.13): what a dashboard or rabbitmqadmin's
// `show overview` reads first.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include <unistd.h>

#ifndef WARREN_VERSION
#error "WARREN_VERSION must be defined by the build (PROJECT_VERSION)"
#endif

namespace warren::web {

namespace json = boost::json;

namespace {

// warren follows the RabbitMQ management API as of 3.13.7, the last 3.x release; clients such as
// rabbitmqadmin pick request shapes from these version fields, so they name the API warren
// speaks, not warren's own version (that is product_version).
constexpr std::string_view kRabbitmqApiVersion = "3.13.7";

json::array exchange_types(const std::vector<std::string>& names) {
    json::array types;
    for (const std::string& name : names) {
        types.push_back(json::object{
            {"name", name},
            // The plugin type's description as RabbitMQ's plugin words it.
            {"description", name == "x-consistent-hash"
                                ? std::string("Consistent Hashing Exchange")
                                : "AMQP " + name + " exchange, as per the AMQP specification"},
            {"enabled", true},
        });
    }
    return types;
}

json::object overview(const server::Broker& broker, const NodeInfo& node) {
    const server::OverviewView view = broker.overview();
    const server::Totals& totals = view.totals;
    json::array listeners;
    for (const auto& listener : node.listeners) {
        listeners.push_back(json::object{
            {"node", node.node},
            {"protocol", listener.protocol},
            {"ip_address", listener.ip_address},
            {"port", listener.port},
        });
    }
    return json::object{
        {"management_version", kRabbitmqApiVersion},
        // message_stats carry totals and a rate over the last sample window (server/stats).
        {"rates_mode", "basic"},
        {"product_name", "warren"},
        {"product_version", WARREN_VERSION},
        {"rabbitmq_version", kRabbitmqApiVersion},
        {"cluster_name", node.cluster_name},
        {"node", node.node},
        {"disable_stats", false},
        {"enable_queue_totals", false},
        {"exchange_types", exchange_types(view.exchange_types)},
        {"object_totals",
         {
             {"connections", totals.connections},
             {"channels", totals.channels},
             {"exchanges", totals.exchanges},
             {"queues", totals.queues},
             {"consumers", totals.consumers},
         }},
        {"queue_totals",
         {
             {"messages", totals.messages_ready + totals.messages_unacknowledged},
             {"messages_ready", totals.messages_ready},
             {"messages_unacknowledged", totals.messages_unacknowledged},
         }},
        {"message_stats", message_stats_json(view.counters, view.rates)},
        {"listeners", std::move(listeners)},
    };
}

} // namespace

std::string default_node_name() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
        return "warren@localhost";
    }
    std::string name = host;
    return "warren@" + name.substr(0, name.find('.'));
}

void register_overview_routes(ApiRouter& router, const server::Broker& broker,
                              const NodeInfo& node) {
    router.add(boost::beast::http::verb::get, "/api/overview",
               [&broker, &node](RequestContext&) -> HandlerResult {
                   return json_response(overview(broker, node));
               });
}

} // namespace warren::web
