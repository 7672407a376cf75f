// The rendering side of json_codec.hpp (the request side is json_request.cpp): the broker's
// views in the management API's shapes.

#include "web/json_codec.hpp"

#include <boost/json/array.hpp>

#include "web/binding_props.hpp"

namespace warren::web {

namespace json = boost::json;

namespace {

json::object rate(double value) {
    return json::object{{"rate", value}};
}

json::value optional_string(const std::optional<std::string>& s) {
    return s ? json::value(json::string(*s)) : json::value(nullptr);
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

json::object exchange_json(const server::ExchangeView& e) {
    return json::object{
        {"name", e.name},
        {"vhost", e.vhost},
        {"type", e.type},
        {"durable", e.durable},
        {"auto_delete", e.auto_delete},
        {"internal", e.internal},
        {"arguments", e.arguments},
        // warren does not record who declared an exchange; built-ins are the broker's own.
        {"user_who_performed_action", e.built_in ? "rmq-internal" : ""},
        {"policy", nullptr},
        {"message_stats",
         {
             {"publish_in", e.publish_in},
             {"publish_in_details", rate(e.publish_in_rate)},
             {"publish_out", e.publish_out},
             {"publish_out_details", rate(e.publish_out_rate)},
             {"duplicates", e.duplicates},
         }},
    };
}

json::object stream_json(const server::StreamView& s) {
    json::array consumers;
    for (const auto& c : s.consumers) {
        consumers.push_back({{"name", c.name}, {"offset", c.offset}, {"lag", c.lag}});
    }
    json::object out{
        {"first_offset", s.first_offset},
        // null while the stream is empty (there is no last message)
        {"last_offset", s.messages == 0 ? json::value(nullptr) : json::value(s.last_offset)},
        {"messages", s.messages},
        {"segments", s.segments},
        {"bytes", s.bytes},
        {"max_age_ms", s.max_age ? json::value(*s.max_age) : json::value(nullptr)},
        {"max_length_bytes", s.max_bytes ? json::value(*s.max_bytes) : json::value(nullptr)},
        {"segment_bytes", s.segment_bytes},
        {"consumers", std::move(consumers)},
    };
    return out;
}

json::object queue_json(const server::QueueView& q, std::string_view node, bool detailed) {
    json::object out{
        {"name", q.name},
        {"vhost", q.vhost},
        {"durable", q.durable},
        {"auto_delete", q.auto_delete},
        {"exclusive", q.exclusive},
        {"arguments", q.arguments},
        {"type", q.stream ? "stream" : "classic"},
        {"state", "running"},
        {"node", node},
        {"policy", nullptr},
        {"consumers", q.consumers},
        {"exclusive_consumer_tag", optional_string(q.exclusive_consumer_tag)},
        {"single_active_consumer_tag", optional_string(q.single_active_consumer_tag)},
        {"messages", q.messages_ready + q.messages_unacknowledged},
        {"messages_ready", q.messages_ready},
        {"messages_unacknowledged", q.messages_unacknowledged},
        // Unacked bytes are held by connections, not counted per queue: bytes are ready bytes.
        {"message_bytes", q.message_bytes_ready},
        {"message_bytes_ready", q.message_bytes_ready},
        {"message_groups", q.message_groups},
        {"message_groups_owned", q.message_groups_owned},
        {"message_stats", message_stats_json(q.counters, q.rates)},
    };
    out["message_stats"].as_object()["duplicates"] = q.duplicates;
    if (q.stream) {
        out["stream"] = stream_json(*q.stream);
    }
    if (detailed) {
        json::array details;
        for (const auto& c : q.consumer_details) {
            details.push_back(consumer_json(c, node));
        }
        out["consumer_details"] = std::move(details);
    }
    return out;
}

json::object binding_json(const server::BindingView& view) {
    const server::BindingSpec& b = view.binding;
    return json::object{
        {"source", b.source},
        {"vhost", view.vhost},
        {"destination", b.destination},
        {"destination_type", b.to_exchange ? "exchange" : "queue"},
        {"routing_key", b.routing_key},
        {"arguments", b.arguments},
        {"properties_key", binding_props(b.routing_key, b.arguments)},
    };
}

json::object vhost_json(const server::VhostView& vhost, std::string_view node) {
    json::object cluster_state;
    cluster_state[node] = "running";
    return json::object{
        {"name", vhost.name},
        // Descriptions and tags are not kept yet (the broker stores names only).
        {"description", ""},
        {"tags", json::array{}},
        {"default_queue_type", "classic"},
        {"metadata", {{"description", ""}, {"tags", json::array{}}}},
        {"tracing", false},
        {"cluster_state", std::move(cluster_state)},
        {"messages", vhost.messages_ready + vhost.messages_unacknowledged},
        {"messages_ready", vhost.messages_ready},
        {"messages_unacknowledged", vhost.messages_unacknowledged},
        {"message_stats", message_stats_json(vhost.counters, vhost.rates)},
    };
}

json::object consumer_json(const server::ConsumerView& consumer, std::string_view node) {
    // An AMQP consumer's channel; a WebSocket is one logical channel, numbered 1 as RabbitMQ
    // numbers its first.
    const bool own_channel = consumer.channel_number != 0;
    json::object channel{
        {"connection_name", consumer.connection_name},
        {"name", own_channel ? consumer.channel_name : consumer.connection_name + " (1)"},
        {"number", own_channel ? consumer.channel_number : 1},
        {"node", node},
        {"user", consumer.user},
    };
    if (!consumer.peer_host.empty()) {
        channel["peer_host"] = consumer.peer_host;
        channel["peer_port"] = consumer.peer_port;
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
        {"arguments", consumer.options.priority != 0
                          ? json::object{{"x-priority", consumer.options.priority}}
                          : json::object{}},
    };
}

} // namespace warren::web
