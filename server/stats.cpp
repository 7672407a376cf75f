#include "server/stats.hpp"

#include "server/core.hpp"
#include "server/queue.hpp"

namespace warren::server {

namespace {

// How much a counter grew. A smaller value means the object was recreated under the same key
// (exchanges are keyed by name): everything it has counted is new.
std::uint64_t increase(std::uint64_t now, std::uint64_t before) {
    return now >= before ? now - before : now;
}

MessageCounters increase(const MessageCounters& now, const MessageCounters& before) {
    return MessageCounters{
        increase(now.publish, before.publish), increase(now.deliver_get, before.deliver_get),
        increase(now.ack, before.ack), increase(now.redeliver, before.redeliver)};
}

double per_second(std::uint64_t delta, double seconds) {
    return seconds > 0 ? static_cast<double>(delta) / seconds : 0.0;
}

MessageRates rates_of(const MessageCounters& delta, double seconds) {
    return MessageRates{per_second(delta.publish, seconds), per_second(delta.deliver_get, seconds),
                        per_second(delta.ack, seconds), per_second(delta.redeliver, seconds)};
}

std::string exchange_key(std::string_view vhost, std::string_view exchange) {
    std::string key;
    key.reserve(vhost.size() + 1 + exchange.size());
    key.append(vhost).push_back('\0');
    key.append(exchange);
    return key;
}

} // namespace

MessageCounters& MessageCounters::operator+=(const MessageCounters& other) {
    publish += other.publish;
    deliver_get += other.deliver_get;
    ack += other.ack;
    redeliver += other.redeliver;
    return *this;
}

MessageCounters counters_of(const QueueStats& stats) {
    return MessageCounters{stats.publish, stats.deliver + stats.get, stats.ack, stats.redeliver};
}

void RateTracker::sample(const Core& core, Millis now) {
    const double seconds = static_cast<double>(now - last_sample_) / 1000.0;
    std::unordered_map<std::uint64_t, QueueSample> queues;
    std::unordered_map<std::string, ExchangeSample> exchanges;
    std::unordered_map<std::string, Aggregate> vhosts;
    queues.reserve(queues_.size());
    exchanges.reserve(exchanges_.size());
    MessageCounters node_delta;

    for (const Vhost* vhost : core.vhosts()) {
        MessageCounters vhost_delta;
        for (const auto& [name, queue] : vhost->queues()) {
            const MessageCounters counters = counters_of(queue->stats());
            MessageCounters before;
            if (auto it = queues_.find(queue->id()); it != queues_.end()) {
                before = it->second.counters;
            }
            MessageCounters delta = increase(counters, before);
            queues.emplace(queue->id(), QueueSample{counters, rates_of(delta, seconds)});
            delta.publish = 0; // a vhost's publishes are counted where they enter: its exchanges
            vhost_delta += delta;
        }
        for (const auto& [name, exchange] : vhost->exchanges()) {
            std::string key = exchange_key(vhost->name(), name);
            ExchangeStats before;
            if (auto it = exchanges_.find(key); it != exchanges_.end()) {
                before = it->second.counters;
            }
            const std::uint64_t in = increase(exchange.stats.publish_in, before.publish_in);
            const std::uint64_t out = increase(exchange.stats.publish_out, before.publish_out);
            exchanges.emplace(
                std::move(key),
                ExchangeSample{exchange.stats,
                               ExchangeRates{per_second(in, seconds), per_second(out, seconds)}});
            vhost_delta.publish += in;
        }
        Aggregate aggregate;
        if (auto it = vhosts_.find(vhost->name()); it != vhosts_.end()) {
            aggregate = it->second;
        }
        aggregate.accumulated += vhost_delta;
        aggregate.rates = rates_of(vhost_delta, seconds);
        vhosts.emplace(vhost->name(), aggregate);
        node_delta += vhost_delta;
    }
    node_.accumulated += node_delta;
    node_.rates = rates_of(node_delta, seconds);
    // Swapping in fresh maps forgets deleted objects without a separate sweep.
    queues_ = std::move(queues);
    exchanges_ = std::move(exchanges);
    vhosts_ = std::move(vhosts);
    last_sample_ = now;
}

MessageRates RateTracker::queue_rates(const Queue& queue) const {
    auto it = queues_.find(queue.id());
    return it == queues_.end() ? MessageRates{} : it->second.rates;
}

ExchangeRates RateTracker::exchange_rates(std::string_view vhost, std::string_view exchange) const {
    auto it = exchanges_.find(exchange_key(vhost, exchange));
    return it == exchanges_.end() ? ExchangeRates{} : it->second.rates;
}

MessageRates RateTracker::vhost_rates(std::string_view vhost) const {
    auto it = vhosts_.find(std::string(vhost));
    return it == vhosts_.end() ? MessageRates{} : it->second.rates;
}

MessageCounters RateTracker::unsampled(const Vhost& vhost) const {
    MessageCounters delta;
    for (const auto& [name, queue] : vhost.queues()) {
        MessageCounters before;
        if (auto it = queues_.find(queue->id()); it != queues_.end()) {
            before = it->second.counters;
        }
        MessageCounters grown = increase(counters_of(queue->stats()), before);
        grown.publish = 0;
        delta += grown;
    }
    for (const auto& [name, exchange] : vhost.exchanges()) {
        std::uint64_t before = 0;
        if (auto it = exchanges_.find(exchange_key(vhost.name(), name)); it != exchanges_.end()) {
            before = it->second.counters.publish_in;
        }
        delta.publish += increase(exchange.stats.publish_in, before);
    }
    return delta;
}

MessageCounters RateTracker::vhost_totals(const Vhost& vhost) const {
    MessageCounters totals;
    if (auto it = vhosts_.find(vhost.name()); it != vhosts_.end()) {
        totals = it->second.accumulated;
    }
    totals += unsampled(vhost);
    return totals;
}

MessageCounters RateTracker::node_totals(const Core& core) const {
    MessageCounters totals = node_.accumulated;
    for (const Vhost* vhost : core.vhosts()) {
        totals += unsampled(*vhost);
    }
    return totals;
}

} // namespace warren::server
