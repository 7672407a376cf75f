#include "server/view_fields.hpp"

#include "server/list_page.hpp"

namespace warren::server {

namespace json = boost::json;

namespace {

// "arguments.x-max-length" -> the argument; "arguments" -> the whole table.
Field within(std::string_view prefix, const json::object& object, std::string_view field) {
    if (field == prefix) {
        return json::value(object);
    }
    if (field.size() > prefix.size() && field.starts_with(prefix) && field[prefix.size()] == '.') {
        return json_field(object, field.substr(prefix.size() + 1));
    }
    return std::nullopt;
}

// message_stats.<counter> and message_stats.<counter>_details.rate of the four counters.
Field message_stats(const MessageCounters& counters, const MessageRates& rates,
                    std::string_view field) {
    constexpr std::string_view kPrefix = "message_stats.";
    if (!field.starts_with(kPrefix)) {
        return std::nullopt;
    }
    field.remove_prefix(kPrefix.size());
    const std::pair<std::string_view, std::pair<std::uint64_t, double>> known[] = {
        {"publish", {counters.publish, rates.publish}},
        {"deliver_get", {counters.deliver_get, rates.deliver_get}},
        {"ack", {counters.ack, rates.ack}},
        {"redeliver", {counters.redeliver, rates.redeliver}},
    };
    for (const auto& [name, values] : known) {
        if (field == name) {
            return json::value(values.first);
        }
        if (field.starts_with(name) && field.substr(name.size()) == "_details.rate") {
            return json::value(values.second);
        }
    }
    return std::nullopt;
}

Field optional_string(const std::optional<std::string>& s) {
    return s ? json::value(*s) : json::value(nullptr);
}

} // namespace

Field field_of(const QueueView& q, std::string_view field) {
    if (field == "name") {
        return json::value(q.name);
    }
    if (field == "vhost") {
        return json::value(q.vhost);
    }
    if (field == "durable") {
        return json::value(q.durable);
    }
    if (field == "auto_delete") {
        return json::value(q.auto_delete);
    }
    if (field == "exclusive") {
        return json::value(q.exclusive);
    }
    if (field == "messages") {
        return json::value(q.messages_ready + q.messages_unacknowledged);
    }
    if (field == "messages_ready") {
        return json::value(q.messages_ready);
    }
    if (field == "messages_unacknowledged") {
        return json::value(q.messages_unacknowledged);
    }
    if (field == "message_bytes" || field == "message_bytes_ready") {
        return json::value(q.message_bytes_ready);
    }
    if (field == "consumers") {
        return json::value(q.consumers);
    }
    if (field == "exclusive_consumer_tag") {
        return optional_string(q.exclusive_consumer_tag);
    }
    if (field == "single_active_consumer_tag") {
        return optional_string(q.single_active_consumer_tag);
    }
    if (auto v = within("arguments", q.arguments, field)) {
        return v;
    }
    return message_stats(q.counters, q.rates, field);
}

Field field_of(const ExchangeView& e, std::string_view field) {
    if (field == "name") {
        return json::value(e.name);
    }
    if (field == "vhost") {
        return json::value(e.vhost);
    }
    if (field == "type") {
        return json::value(e.type);
    }
    if (field == "durable") {
        return json::value(e.durable);
    }
    if (field == "auto_delete") {
        return json::value(e.auto_delete);
    }
    if (field == "internal") {
        return json::value(e.internal);
    }
    if (field == "user_who_performed_action") {
        return json::value(e.built_in ? "rmq-internal" : "");
    }
    if (field == "message_stats.publish_in") {
        return json::value(e.publish_in);
    }
    if (field == "message_stats.publish_out") {
        return json::value(e.publish_out);
    }
    if (field == "message_stats.publish_in_details.rate") {
        return json::value(e.publish_in_rate);
    }
    if (field == "message_stats.publish_out_details.rate") {
        return json::value(e.publish_out_rate);
    }
    return within("arguments", e.arguments, field);
}

Field field_of(const VhostView& v, std::string_view field) {
    if (field == "name") {
        return json::value(v.name);
    }
    if (field == "messages") {
        return json::value(v.messages_ready + v.messages_unacknowledged);
    }
    if (field == "messages_ready") {
        return json::value(v.messages_ready);
    }
    if (field == "messages_unacknowledged") {
        return json::value(v.messages_unacknowledged);
    }
    return message_stats(v.counters, v.rates, field);
}

Field field_of(const BindingView& b, std::string_view field) {
    if (field == "vhost") {
        return json::value(b.vhost);
    }
    if (field == "source") {
        return json::value(b.binding.source);
    }
    if (field == "destination") {
        return json::value(b.binding.destination);
    }
    if (field == "destination_type") {
        return json::value(b.binding.to_exchange ? "exchange" : "queue");
    }
    if (field == "routing_key") {
        return json::value(b.binding.routing_key);
    }
    return within("arguments", b.binding.arguments, field);
}

Field field_of(const ChannelView& c, std::string_view field) {
    if (field == "name") {
        return json::value(c.name);
    }
    if (field == "number") {
        return json::value(c.number);
    }
    if (field == "user") {
        return json::value(c.user);
    }
    if (field == "vhost") {
        return json::value(c.vhost);
    }
    if (field == "consumer_count") {
        return json::value(c.consumers);
    }
    if (field == "messages_unacknowledged") {
        return json::value(c.messages_unacknowledged);
    }
    if (field == "connection_details.name") {
        return json::value(c.connection_name);
    }
    if (field == "prefetch_count") {
        return json::value(c.settings.prefetch);
    }
    if (field == "global_prefetch_count") {
        return json::value(c.settings.global_prefetch);
    }
    return std::nullopt;
}

Field field_of(const ConnectionView& c, std::string_view field) {
    if (field == "name") {
        return json::value(c.name);
    }
    if (field == "user" || field == "user_who_performed_action") {
        return json::value(c.user);
    }
    if (field == "vhost") {
        return json::value(c.vhost);
    }
    if (field == "protocol") {
        return json::value(c.protocol);
    }
    if (field == "peer_host") {
        return c.peer_host.empty() ? Field() : json::value(c.peer_host);
    }
    if (field == "peer_port") {
        return c.peer_host.empty() ? Field() : json::value(c.peer_port);
    }
    if (field == "channels") {
        return json::value(c.channels);
    }
    return std::nullopt;
}

Field field_of(const ConsumerView& c, std::string_view field) {
    if (field == "consumer_tag") {
        return json::value(c.tag);
    }
    if (field == "queue.name") {
        return json::value(c.queue);
    }
    if (field == "queue.vhost") {
        return json::value(c.vhost);
    }
    if (field == "channel_details.connection_name") {
        return json::value(c.connection_name);
    }
    if (field == "channel_details.user") {
        return json::value(c.user);
    }
    if (field == "ack_required") {
        return json::value(!c.options.auto_ack);
    }
    if (field == "prefetch_count") {
        return json::value(c.options.prefetch);
    }
    if (field == "exclusive") {
        return json::value(c.options.exclusive);
    }
    if (field == "active") {
        return json::value(c.active);
    }
    return std::nullopt;
}

Field field_of(const User& u, std::string_view field) {
    if (field == "name") {
        return json::value(u.name);
    }
    if (field == "hashing_algorithm") {
        return json::value(u.hashing_algorithm);
    }
    if (field == "password_hash") {
        return json::value(u.password_hash);
    }
    return std::nullopt;
}

Field field_of(const Permission& p, std::string_view field) {
    if (field == "user") {
        return json::value(p.user);
    }
    if (field == "vhost") {
        return json::value(p.vhost);
    }
    if (field == "configure") {
        return json::value(p.configure);
    }
    if (field == "write") {
        return json::value(p.write);
    }
    if (field == "read") {
        return json::value(p.read);
    }
    return std::nullopt;
}

} // namespace warren::server
