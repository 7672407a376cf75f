#pragma once

// Views from live objects: the one place that reads a Queue, an exchange, a Vhost or a
// Connection into the value types of server/views.hpp. Internal to server/; the Broker hands the
// results out.
//
// Thread: the core executor (it reads broker state).

#include <string_view>

#include "routing/router.hpp"
#include "server/stats.hpp"
#include "server/views.hpp"

namespace warren::server {

class Connection;
class Core;
class Queue;
class Vhost;
struct Consumer;
struct ExchangeState;

enum class ViewDetail { summary, full }; // full: a queue's consumers too

QueueView queue_view(const Queue& queue, const RateTracker& stats, ViewDetail detail);
ExchangeView exchange_view(const Vhost& vhost, const ExchangeState& exchange,
                           const RateTracker& stats);
VhostView vhost_view(const Vhost& vhost, const RateTracker& stats);
ConnectionView connection_view(const Connection& connection);
// A channel (SessionInfo::parent) with its connection's details.
ChannelView channel_view(const Connection& channel, const Connection* parent);
ConsumerView consumer_view(const Queue& queue, const Consumer& consumer);

BindingSpec binding_spec(const routing::Binding& binding);
routing::Binding routing_binding(const BindingSpec& binding);
// The binding every queue has from the default exchange, keyed by its own name.
BindingSpec implicit_binding(std::string_view queue);
// Sorts in RabbitMQ's order: vhost, source, routing key, destination kind, destination, arguments.
void sort_bindings(std::vector<BindingView>& bindings);

} // namespace warren::server
