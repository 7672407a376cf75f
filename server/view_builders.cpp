#include "server/view_builders.hpp"

#include <algorithm>
#include <tuple>

#include <boost/json/serialize.hpp>

#include "server/connection.hpp"
#include "server/core.hpp"
#include "server/queue.hpp"
#include "server/vhost.hpp"

namespace warren::server {

ConsumerView consumer_view(const Queue& queue, const Consumer& consumer) {
    const Consumer* active = queue.active_consumer();
    ConsumerView view;
    view.tag = consumer.tag;
    view.vhost = queue.vhost().name();
    view.queue = queue.name();
    if (consumer.connection != nullptr) {
        const SessionInfo& info = consumer.connection->info();
        view.connection_name = info.name;
        view.user = consumer.connection->user();
        view.peer_host = info.peer_host;
        view.peer_port = info.peer_port;
        if (info.parent != 0) {
            // A channel (AMQP): its consumers belong to the connection, on this channel.
            view.channel_name = info.name;
            view.channel_number = info.channel;
            if (const Connection* parent = queue.vhost().core().find_connection(info.parent)) {
                view.connection_name = parent->info().name;
                view.peer_host = parent->info().peer_host;
                view.peer_port = parent->info().peer_port;
            }
        }
    }
    view.options = consumer.options;
    view.active = active == nullptr || active == &consumer;
    view.single_active = queue.arguments().single_active_consumer;
    return view;
}

QueueView queue_view(const Queue& queue, const RateTracker& stats, ViewDetail detail) {
    const QueueSpec& spec = queue.spec();
    QueueView view;
    view.vhost = queue.vhost().name();
    view.name = spec.name;
    view.durable = spec.durable;
    view.exclusive = spec.exclusive;
    view.auto_delete = spec.auto_delete;
    view.arguments = spec.arguments;
    view.messages_ready = queue.messages_ready();
    view.messages_unacknowledged = queue.messages_unacknowledged();
    view.message_bytes_ready = queue.ready_bytes();
    view.messages_paged_out = queue.messages_paged_out();
    view.message_groups = queue.message_groups();
    view.message_groups_owned = queue.message_groups_owned();
    view.duplicates = queue.deduplication() ? queue.deduplication()->duplicates() : 0;
    view.consumers = queue.consumers().size();
    const Consumer* active = queue.active_consumer();
    if (queue.arguments().single_active_consumer && active != nullptr) {
        view.single_active_consumer_tag = active->tag;
    }
    for (const auto& c : queue.consumers()) {
        if (c->options.exclusive) {
            view.exclusive_consumer_tag = c->tag;
        }
        if (detail == ViewDetail::full) {
            view.consumer_details.push_back(consumer_view(queue, *c));
        }
    }
    view.stats = queue.stats();
    view.counters = counters_of(queue.stats());
    view.rates = stats.queue_rates(queue);
    if (const StreamLog* log = queue.stream()) {
        StreamView s;
        s.first_offset = log->first_offset();
        s.last_offset = log->next_offset() == 0 ? 0 : log->next_offset() - 1;
        s.messages = log->messages();
        s.bytes = log->bytes();
        s.segments = log->segments();
        s.max_age = log->arguments().max_age;
        s.max_bytes = log->arguments().max_bytes;
        s.segment_bytes = log->arguments().segment_bytes;
        s.consumers = log->consumer_offsets();
        view.stream = std::move(s);
    }
    return view;
}

ExchangeView exchange_view(const Vhost& vhost, const ExchangeState& exchange,
                           const RateTracker& stats) {
    const ExchangeSpec& spec = exchange.spec;
    const ExchangeRates rates = stats.exchange_rates(vhost.name(), spec.name);
    ExchangeView view;
    view.vhost = vhost.name();
    view.name = spec.name;
    view.type = spec.type;
    view.durable = spec.durable;
    view.auto_delete = spec.auto_delete;
    view.internal = spec.internal;
    view.built_in = spec.name.empty() || spec.name.starts_with("amq.");
    view.arguments = spec.arguments;
    view.publish_in = exchange.stats.publish_in;
    view.publish_out = exchange.stats.publish_out;
    view.duplicates = exchange.dedup ? exchange.dedup->duplicates() : 0;
    view.publish_in_rate = rates.publish_in;
    view.publish_out_rate = rates.publish_out;
    return view;
}

VhostView vhost_view(const Vhost& vhost, const RateTracker& stats) {
    VhostView view;
    view.name = vhost.name();
    for (const auto& [name, queue] : vhost.queues()) {
        view.messages_ready += queue->messages_ready();
        view.messages_unacknowledged += queue->messages_unacknowledged();
    }
    view.counters = stats.vhost_totals(vhost);
    view.rates = stats.vhost_rates(vhost.name());
    return view;
}

ConnectionView connection_view(const Connection& connection) {
    const SessionInfo& info = connection.info();
    const auto consumers = connection.consumers();
    ConnectionView view;
    view.id = connection.id();
    view.name = info.name;
    view.user = connection.user();
    view.vhost = !info.vhost.empty() ? info.vhost
                 : consumers.empty() ? std::string("/")
                                     : consumers.front().vhost;
    view.protocol = info.protocol;
    view.peer_host = info.peer_host;
    view.peer_port = info.peer_port;
    view.channels = info.channels;
    view.consumers = consumers.size();
    view.client_properties = info.client_properties;
    return view;
}

ChannelView channel_view(const Connection& channel, const Connection* parent) {
    const SessionInfo& info = channel.info();
    ChannelView view;
    view.name = info.name;
    view.number = info.channel;
    view.user = channel.user();
    view.consumers = channel.consumer_count();
    view.messages_unacknowledged = channel.unacked_count();
    view.settings = channel.settings();
    if (parent != nullptr) {
        const SessionInfo& p = parent->info();
        view.connection_name = p.name;
        view.vhost = p.vhost.empty() ? std::string("/") : p.vhost;
        view.peer_host = p.peer_host;
        view.peer_port = p.peer_port;
    }
    return view;
}

BindingSpec binding_spec(const routing::Binding& binding) {
    return BindingSpec{binding.source, binding.destination.name,
                       binding.destination.kind == routing::Destination::Kind::exchange,
                       binding.routing_key, binding.arguments};
}

routing::Binding routing_binding(const BindingSpec& binding) {
    return routing::Binding{binding.source,
                            binding.to_exchange
                                ? routing::Destination::exchange(binding.destination)
                                : routing::Destination::queue(binding.destination),
                            binding.routing_key, binding.arguments};
}

BindingSpec implicit_binding(std::string_view queue) {
    return BindingSpec{"", std::string(queue), false, std::string(queue), {}};
}

// RabbitMQ keeps bindings ordered as (source, key, destination, arguments); an exchange
// destination sorts before a queue one there ('exchange' < 'queue').
void sort_bindings(std::vector<BindingView>& bindings) {
    auto key = [](const BindingView& b) {
        return std::make_tuple(std::string_view(b.vhost), std::string_view(b.binding.source),
                               std::string_view(b.binding.routing_key),
                               b.binding.to_exchange ? 0 : 1,
                               std::string_view(b.binding.destination));
    };
    std::stable_sort(bindings.begin(), bindings.end(),
                     [&](const BindingView& a, const BindingView& b) {
                         auto ka = key(a);
                         auto kb = key(b);
                         if (ka != kb) {
                             return ka < kb;
                         }
                         return boost::json::serialize(a.binding.arguments) <
                                boost::json::serialize(b.binding.arguments);
                     });
}

} // namespace warren::server
