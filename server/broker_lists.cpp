// Broker, the facade: views and lists. Every list goes through make_page (server/list_page.hpp):
// the name filter on live objects, views only for what a sort or the page needs.

#include <algorithm>
#include <map>

#include "server/authorization.hpp"
#include "server/broker.hpp"
#include "server/connection.hpp"
#include "server/core.hpp"
#include "server/list_page.hpp"
#include "server/queue.hpp"
#include "server/vhost.hpp"
#include "server/view_builders.hpp"
#include "server/view_fields.hpp"

namespace warren::server {

namespace {

Error no_vhost(std::string_view name) {
    return make_error(Errc::not_found, "no vhost '" + std::string(name) + "'");
}

// The vhosts a list shows the caller: all of them to administrators and monitoring users, else
// those it has permissions on (RabbitMQ's rule).
std::vector<const Vhost*> visible_vhosts(const Core& core, const Principal& who) {
    std::vector<const Vhost*> vhosts = core.vhosts();
    if (!sees_everything(who)) {
        std::erase_if(
            vhosts, [&](const Vhost* v) { return !core.users().can_access(who.name, v->name()); });
    }
    return vhosts;
}

// One vhost named by the caller (not_found, or the vhost gate's refusal), or every visible one.
Result<std::vector<const Vhost*>> vhosts_for(const Broker& broker, const Core& core,
                                             const Principal& who,
                                             std::optional<std::string_view> name) {
    if (!name) {
        return visible_vhosts(core, who);
    }
    const Vhost* vhost = core.find_vhost(*name);
    if (vhost == nullptr) {
        return no_vhost(*name);
    }
    if (auto ok = broker.check_vhost_access(who, *name); !ok) {
        return ok.error();
    }
    return std::vector<const Vhost*>{vhost};
}

template <class View> auto fields() {
    return [](const View& view, std::string_view field) { return field_of(view, field); };
}

// The bindings of one vhost that match the filter, implicit ones included. Errors: not_found
// when a named source or destination does not exist.
Result<std::vector<BindingView>> bindings_of(const Vhost& vhost, const BindingFilter& filter) {
    const routing::Router& router = vhost.router();
    std::vector<BindingView> out;
    auto add = [&](BindingSpec spec) {
        if (filter.destination &&
            (spec.destination != *filter.destination || spec.to_exchange != filter.to_exchange)) {
            return;
        }
        out.push_back(BindingView{vhost.name(), std::move(spec)});
    };
    if (filter.source && vhost.find_exchange(*filter.source) == nullptr) {
        return make_error(Errc::not_found,
                          "no " + describe("exchange", *filter.source, vhost.name()));
    }
    if (filter.destination) {
        const bool exists = filter.to_exchange ? vhost.find_exchange(*filter.destination) != nullptr
                                               : vhost.find_queue(*filter.destination) != nullptr;
        if (!exists) {
            return make_error(Errc::not_found,
                              "no " + describe(filter.to_exchange ? "exchange" : "queue",
                                               *filter.destination, vhost.name()));
        }
    }
    if (filter.source) {
        if (filter.source->empty()) {
            for (const auto& [name, queue] : vhost.queues()) {
                add(implicit_binding(name));
            }
        }
        for (const auto& b : router.bindings_from(*filter.source)) {
            add(binding_spec(b));
        }
    } else if (filter.destination) {
        if (!filter.to_exchange) {
            add(implicit_binding(*filter.destination));
        }
        const auto destination = filter.to_exchange
                                     ? routing::Destination::exchange(*filter.destination)
                                     : routing::Destination::queue(*filter.destination);
        for (const auto& b : router.bindings_to(destination)) {
            add(binding_spec(b));
        }
    } else {
        for (const auto& [name, queue] : vhost.queues()) {
            add(implicit_binding(name));
        }
        for (const auto& [name, exchange] : vhost.exchanges()) {
            for (const auto& b : router.bindings_from(name)) {
                add(binding_spec(b));
            }
        }
    }
    return out;
}

} // namespace

// ---- vhosts ---------------------------------------------------------------------------------

Result<VhostView> Broker::vhost(const Principal& who, std::string_view name) const {
    auto vhosts = vhosts_for(*this, *core_, who, name);
    if (!vhosts) {
        return vhosts.error();
    }
    return vhost_view(*vhosts->front(), core_->stats());
}

Result<Page<VhostView>> Broker::list_vhosts(const Principal& who, const ListQuery& query) const {
    const RateTracker& stats = core_->stats();
    ListSpec<const Vhost*, VhostView> spec{
        [](const Vhost* v) { return std::string_view(v->name()); },
        [&](const Vhost* v) { return vhost_view(*v, stats); }, fields<VhostView>()};
    return make_page(query, visible_vhosts(*core_, who), spec);
}

// ---- exchanges ------------------------------------------------------------------------------

Result<ExchangeView> Broker::exchange(const Principal& who, std::string_view vhost,
                                      std::string_view name) const {
    auto vhosts = vhosts_for(*this, *core_, who, vhost);
    if (!vhosts) {
        return vhosts.error();
    }
    const Vhost& v = *vhosts->front();
    const ExchangeState* exchange = v.find_exchange(name);
    if (exchange == nullptr) {
        return make_error(Errc::not_found, "no " + describe("exchange", name, vhost));
    }
    return exchange_view(v, *exchange, core_->stats());
}

Result<Page<ExchangeView>> Broker::list_exchanges(const Principal& who,
                                                  std::optional<std::string_view> vhost,
                                                  const ListQuery& query) const {
    auto vhosts = vhosts_for(*this, *core_, who, vhost);
    if (!vhosts) {
        return vhosts.error();
    }
    using Ref = std::pair<const Vhost*, const ExchangeState*>;
    std::vector<Ref> refs;
    for (const Vhost* v : *vhosts) {
        for (const auto& [name, exchange] : v->exchanges()) {
            refs.emplace_back(v, &exchange);
        }
    }
    const RateTracker& stats = core_->stats();
    ListSpec<Ref, ExchangeView> spec{
        [](const Ref& r) { return std::string_view(r.second->spec.name); },
        [&](const Ref& r) { return exchange_view(*r.first, *r.second, stats); },
        fields<ExchangeView>()};
    return make_page(query, refs, spec);
}

// ---- queues ---------------------------------------------------------------------------------

Result<QueueView> Broker::queue(const Principal& who, std::string_view vhost,
                                std::string_view name) const {
    auto vhosts = vhosts_for(*this, *core_, who, vhost);
    if (!vhosts) {
        return vhosts.error();
    }
    auto queue = vhosts->front()->find_queue(name);
    if (!queue) {
        return make_error(Errc::not_found, "no " + describe("queue", name, vhost));
    }
    return queue_view(*queue, core_->stats(), ViewDetail::full);
}

Result<Page<QueueView>> Broker::list_queues(const Principal& who,
                                            std::optional<std::string_view> vhost,
                                            const ListQuery& query) const {
    auto vhosts = vhosts_for(*this, *core_, who, vhost);
    if (!vhosts) {
        return vhosts.error();
    }
    std::vector<const Queue*> queues;
    for (const Vhost* v : *vhosts) {
        for (const auto& [name, queue] : v->queues()) {
            queues.push_back(queue.get());
        }
    }
    const RateTracker& stats = core_->stats();
    ListSpec<const Queue*, QueueView> spec{
        [](const Queue* q) { return std::string_view(q->name()); },
        [&](const Queue* q) { return queue_view(*q, stats, ViewDetail::summary); },
        fields<QueueView>()};
    return make_page(query, queues, spec);
}

// ---- bindings -------------------------------------------------------------------------------

Result<Page<BindingView>> Broker::list_bindings(const Principal& who, const BindingFilter& filter,
                                                const ListQuery& query) const {
    auto vhosts = vhosts_for(*this, *core_, who, filter.vhost);
    if (!vhosts) {
        return vhosts.error();
    }
    std::vector<BindingView> bindings;
    for (const Vhost* v : *vhosts) {
        auto found = bindings_of(*v, filter);
        if (!found) {
            return found.error();
        }
        bindings.insert(bindings.end(), std::make_move_iterator(found->begin()),
                        std::make_move_iterator(found->end()));
    }
    sort_bindings(bindings);
    // Bindings have no name: the name filter does not apply to them.
    ListSpec<BindingView, BindingView> spec{
        {}, [](const BindingView& b) { return b; }, fields<BindingView>()};
    return make_page(query, bindings, spec);
}

// ---- connections ----------------------------------------------------------------------------

namespace {

// As RabbitMQ: administrators and monitoring users see every connection, others their own.
std::vector<const Connection*> visible_connections(const Core& core, const Principal& who) {
    std::vector<const Connection*> connections = core.connections();
    if (!sees_everything(who)) {
        std::erase_if(connections, [&](const Connection* c) { return c->user() != who.name; });
    }
    return connections;
}

} // namespace

Result<Page<ConnectionView>> Broker::list_connections(const Principal& who,
                                                      const ListQuery& query) const {
    // A channel counts under its connection (its consumers too), and is not listed itself.
    std::map<std::uint64_t, std::pair<std::uint16_t, std::size_t>>
        channels; // parent -> n, consumers
    std::vector<const Connection*> connections;
    for (const Connection* c : visible_connections(*core_, who)) {
        if (c->info().parent != 0) {
            auto& [count, consumers] = channels[c->info().parent];
            ++count;
            consumers += c->consumer_count();
        } else {
            connections.push_back(c);
        }
    }
    ListSpec<const Connection*, ConnectionView> spec{
        [](const Connection* c) { return std::string_view(c->name()); },
        [&](const Connection* c) {
            ConnectionView view = connection_view(*c);
            if (auto it = channels.find(c->id()); it != channels.end()) {
                view.channels = it->second.first;
                view.consumers += it->second.second;
            }
            return view;
        },
        fields<ConnectionView>()};
    return make_page(query, std::move(connections), spec);
}

Result<Page<ChannelView>> Broker::list_channels(const Principal& who,
                                                const ListQuery& query) const {
    std::map<std::uint64_t, const Connection*> parents;
    std::vector<const Connection*> channels;
    for (const Connection* c : core_->connections()) {
        if (c->info().parent == 0) {
            parents.emplace(c->id(), c);
        }
    }
    for (const Connection* c : visible_connections(*core_, who)) {
        if (c->info().parent != 0) {
            channels.push_back(c);
        }
    }
    ListSpec<const Connection*, ChannelView> spec{
        [](const Connection* c) { return std::string_view(c->name()); },
        [&](const Connection* c) {
            auto it = parents.find(c->info().parent);
            return channel_view(*c, it == parents.end() ? nullptr : it->second);
        },
        fields<ChannelView>()};
    return make_page(query, std::move(channels), spec);
}

Result<Page<ConsumerView>> Broker::list_consumers(const Principal& who,
                                                  std::optional<std::string_view> vhost,
                                                  const ListQuery& query) const {
    if (vhost) {
        if (core_->find_vhost(*vhost) == nullptr) {
            return no_vhost(*vhost);
        }
        if (auto ok = check_vhost_access(who, *vhost); !ok) {
            return ok.error();
        }
    }
    std::vector<ConsumerView> consumers;
    for (const Connection* connection : visible_connections(*core_, who)) {
        for (auto& consumer : connection->consumers()) {
            if (!vhost || consumer.vhost == *vhost) {
                consumers.push_back(std::move(consumer));
            }
        }
    }
    ListSpec<ConsumerView, ConsumerView> spec{
        {}, [](const ConsumerView& c) { return c; }, fields<ConsumerView>()};
    return make_page(query, consumers, spec);
}

// ---- monitoring -----------------------------------------------------------------------------

OverviewView Broker::overview() const {
    OverviewView view;
    view.totals = core_->totals();
    view.counters = core_->stats().node_totals(*core_);
    view.rates = core_->stats().node_rates();
    for (auto type : {routing::ExchangeType::direct, routing::ExchangeType::fanout,
                      routing::ExchangeType::headers, routing::ExchangeType::topic,
                      routing::ExchangeType::consistent_hash}) {
        view.exchange_types.emplace_back(routing::to_string(type));
    }
    return view;
}

ResourcesView Broker::resources() const {
    ResourcesView view;
    for (auto alarm : {Core::Alarm::memory, Core::Alarm::disk}) {
        if (core_->alarm_in_effect(alarm)) {
            (alarm == Core::Alarm::memory ? view.memory_alarm : view.disk_alarm) =
                core_->alarm_reason(alarm);
        }
    }
    view.resident_memory = core_->resource_readings().resident_memory;
    view.disk_free = core_->resource_readings().disk_free;
    view.memory_limit = core_->resource_limits().memory_limit;
    view.disk_free_limit = core_->resource_limits().disk_free_limit;
    view.memory_budget = core_->memory_budget();
    const std::int64_t in_use = core_->memory_in_use();
    view.memory_in_use = in_use > 0 ? static_cast<std::uint64_t>(in_use) : 0;
    return view;
}

MetricsView Broker::metrics() const {
    MetricsView view;
    const RateTracker& stats = core_->stats();
    for (const Vhost* v : core_->vhosts()) {
        for (const auto& [name, queue] : v->queues()) {
            view.queues.push_back(queue_view(*queue, stats, ViewDetail::summary));
        }
        for (const auto& [name, exchange] : v->exchanges()) {
            view.exchanges.push_back(exchange_view(*v, exchange, stats));
        }
    }
    view.totals = core_->totals();
    view.counters = stats.node_totals(*core_);
    view.resources = resources();
    return view;
}

} // namespace warren::server
