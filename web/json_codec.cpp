// The rendering side of json_codec.hpp (the request side is json_request.cpp).

#include "web/json_codec.hpp"

#include <charconv>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include "server/connection.hpp"
#include "server/queue.hpp"
#include "web/binding_props.hpp"

namespace warren::web {

namespace json = boost::json;

namespace {

json::object rate(double value) {
    return json::object{{"rate", value}};
}

} // namespace

json::object message_stats_json(const server::MessageCounters& counters,
                                const server::MessageRates& rates) {
    return json::object{
        {"publish", counters.publish},
        {"publish_details", rate(rates.publish)},
        {"deliver_get", counters.deliver_get},
        {"deliver_get_details", rate(rates.deliver_get)},
        {"ack", counters.ack},
        {"ack_details", rate(rates.ack)},
        {"redeliver", counters.redeliver},
        {"redeliver_details", rate(rates.redeliver)},
    };
}

json::object exchange_json(std::string_view vhost, const server::ExchangeState& exchange,
                           const server::ExchangeRates& rates) {
    const server::ExchangeSpec& spec = exchange.spec;
    const bool built_in = spec.name.empty() || spec.name.starts_with("amq.");
    return json::object{
        {"name", spec.name},
        {"vhost", vhost},
        {"type", routing::to_string(spec.type)},
        {"durable", spec.durable},
        {"auto_delete", spec.auto_delete},
        {"internal", spec.internal},
        {"arguments", spec.arguments},
        // warren does not record who declared an exchange; built-ins are the broker's own.
        {"user_who_performed_action", built_in ? "rmq-internal" : ""},
        {"policy", nullptr},
        {"message_stats",
         {
             {"publish_in", exchange.stats.publish_in},
             {"publish_in_details", rate(rates.publish_in)},
             {"publish_out", exchange.stats.publish_out},
             {"publish_out_details", rate(rates.publish_out)},
         }},
    };
}

json::object queue_json(const server::Queue& queue, const QueueRender& how) {
    const server::QueueSpec& spec = queue.spec();
    const server::Consumer* active = queue.active_consumer();
    json::value single_active_tag = nullptr;
    if (queue.arguments().single_active_consumer && active != nullptr) {
        single_active_tag = json::string(active->tag);
    }
    json::value exclusive_tag = nullptr;
    for (const auto& c : queue.consumers()) {
        if (c->options.exclusive) {
            exclusive_tag = json::string(c->tag);
        }
    }
    const std::uint64_t ready = queue.messages_ready();
    const std::uint64_t unacked = queue.messages_unacknowledged();
    json::object out{
        {"name", spec.name},
        {"vhost", queue.vhost().name()},
        {"durable", spec.durable},
        {"auto_delete", spec.auto_delete},
        {"exclusive", spec.exclusive},
        {"arguments", spec.arguments},
        {"type", "classic"},
        {"state", "running"},
        {"node", how.node},
        {"policy", nullptr},
        {"consumers", queue.consumers().size()},
        {"exclusive_consumer_tag", std::move(exclusive_tag)},
        {"single_active_consumer_tag", std::move(single_active_tag)},
        {"messages", ready + unacked},
        {"messages_ready", ready},
        {"messages_unacknowledged", unacked},
        // Unacked bytes are held by connections, not counted per queue: bytes are ready bytes.
        {"message_bytes", queue.ready_bytes()},
        {"message_bytes_ready", queue.ready_bytes()},
        {"message_stats",
         message_stats_json(server::counters_of(queue.stats()), how.stats.queue_rates(queue))},
    };
    if (how.detailed) {
        json::array details;
        for (const auto& c : queue.consumers()) {
            ConsumerView view{c->tag,
                              queue.vhost().name(),
                              spec.name,
                              c->connection ? std::string_view(c->connection->name()) : "",
                              c->connection ? std::string_view(c->connection->user()) : "",
                              c->options,
                              active == nullptr || active == c.get(),
                              queue.arguments().single_active_consumer};
            details.push_back(consumer_json(view, how.node));
        }
        out["consumer_details"] = std::move(details);
    }
    return out;
}

json::object binding_json(std::string_view vhost, const routing::Binding& binding) {
    const bool to_exchange = binding.destination.kind == routing::Destination::Kind::exchange;
    return json::object{
        {"source", binding.source},
        {"vhost", vhost},
        {"destination", binding.destination.name},
        {"destination_type", to_exchange ? "exchange" : "queue"},
        {"routing_key", binding.routing_key},
        {"arguments", binding.arguments},
        {"properties_key", binding_props(binding.routing_key, binding.arguments)},
    };
}

routing::Binding implicit_binding(const std::string& queue) {
    return routing::Binding{"", routing::Destination::queue(queue), queue, {}};
}

json::object vhost_json(const server::Vhost& vhost, const server::RateTracker& stats,
                        std::string_view node) {
    std::uint64_t ready = 0;
    std::uint64_t unacked = 0;
    for (const auto& [name, queue] : vhost.queues()) {
        ready += queue->messages_ready();
        unacked += queue->messages_unacknowledged();
    }
    json::object cluster_state;
    cluster_state[node] = "running";
    return json::object{
        {"name", vhost.name()},
        // Descriptions and tags are not kept yet (the broker stores names only).
        {"description", ""},
        {"tags", json::array{}},
        {"default_queue_type", "classic"},
        {"metadata", {{"description", ""}, {"tags", json::array{}}}},
        {"tracing", false},
        {"cluster_state", std::move(cluster_state)},
        {"messages", ready + unacked},
        {"messages_ready", ready},
        {"messages_unacknowledged", unacked},
        {"message_stats",
         message_stats_json(stats.vhost_totals(vhost), stats.vhost_rates(vhost.name()))},
    };
}

json::object consumer_json(const ConsumerView& consumer, std::string_view node) {
    json::object channel{
        {"connection_name", consumer.connection_name},
        // One logical channel per warren connection, numbered 1 as RabbitMQ numbers its first.
        {"name", std::string(consumer.connection_name) + " (1)"},
        {"number", 1},
        {"node", node},
        {"user", consumer.user},
    };
    if (auto peer = peer_of(consumer.connection_name)) {
        channel["peer_host"] = peer->host;
        channel["peer_port"] = peer->port;
    }
    std::string_view status = "up";
    if (consumer.single_active) {
        status = consumer.active ? "single_active" : "waiting";
    }
    return json::object{
        {"consumer_tag", consumer.tag},
        {"queue", {{"name", consumer.queue}, {"vhost", consumer.vhost}}},
        {"channel_details", std::move(channel)},
        {"ack_required", !consumer.options.auto_ack},
        {"prefetch_count", consumer.options.prefetch},
        {"exclusive", consumer.options.exclusive},
        {"active", consumer.active},
        {"activity_status", status},
        {"arguments", json::object{}},
    };
}

std::optional<Peer> peer_of(std::string_view connection_name) {
    const std::size_t arrow = connection_name.find(" -> ");
    if (arrow == std::string_view::npos) {
        return std::nullopt;
    }
    std::string_view peer = connection_name.substr(0, arrow);
    const std::size_t colon = peer.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return std::nullopt;
    }
    unsigned port = 0;
    std::string_view digits = peer.substr(colon + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc{} || end != digits.data() + digits.size() || port > 65535) {
        return std::nullopt;
    }
    std::string host(peer.substr(0, colon));
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2); // "[::1]:5000"
    }
    return Peer{std::move(host), static_cast<std::uint16_t>(port)};
}

} // namespace warren::web
