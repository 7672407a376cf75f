// Broker, the facade: lifecycle, durability, and the changes (declare, delete, bind, publish,
// get). Each call checks the caller's permission first, then hands the change to the Core.
// Lists and views are in broker_lists.cpp, users in broker_users.cpp, definitions in
// broker_definitions.cpp.

#include "server/broker.hpp"

#include "server/authorization.hpp"
#include "server/core.hpp"
#include "server/names.hpp"
#include "server/session.hpp"
#include "server/vhost.hpp"
#include "server/view_builders.hpp"

namespace warren::server {

namespace {

constexpr std::string_view kAlivenessQueue = "aliveness-test";

std::string mib(std::uint64_t bytes) {
    return std::to_string(bytes >> 20) + " MiB";
}

bool same_declaration(const ExchangeSpec& a, const ExchangeSpec& b) {
    return a.type == b.type && a.durable == b.durable && a.auto_delete == b.auto_delete &&
           a.internal == b.internal && a.arguments == b.arguments;
}

} // namespace

Broker::Broker(Clock& clock, storage::Store* store, Post post)
    : core_(std::make_unique<Core>(clock, store, std::move(post))) {}

Broker::~Broker() = default;

// ---- lifecycle ------------------------------------------------------------------------------

Result<Recovered> Broker::recover() {
    auto stats = core_->recover();
    if (!stats) {
        return stats.error();
    }
    return Recovered{stats->entries, core_->totals().queues};
}

void Broker::set_loopback_users(std::vector<std::string> users) {
    core_->loopback_users() = std::move(users);
}

void Broker::set_memory_budget(std::uint64_t bytes) {
    core_->set_memory_budget(bytes);
}

void Broker::set_resource_limits(ResourceLimits limits) {
    core_->resource_limits() = limits;
}

void Broker::report_resources(const ResourceReadings& readings) {
    // A reading left out keeps its last value: the disk is read more often than memory.
    ResourceReadings& last = core_->resource_readings();
    if (readings.resident_memory) {
        last.resident_memory = readings.resident_memory;
    }
    if (readings.disk_free) {
        last.disk_free = readings.disk_free;
    }
    const ResourceLimits& limits = core_->resource_limits();
    if (readings.resident_memory && limits.memory_limit > 0) {
        const bool over = *readings.resident_memory > limits.memory_limit;
        core_->set_alarm(Core::Alarm::memory, over,
                         over ? "memory alarm: the broker uses " + mib(*readings.resident_memory) +
                                    ", past its high watermark of " + mib(limits.memory_limit)
                              : std::string());
    }
    if (readings.disk_free) {
        const bool under = *readings.disk_free < limits.disk_free_limit;
        core_->set_alarm(Core::Alarm::disk, under,
                         under ? "disk alarm: " + mib(*readings.disk_free) +
                                     " free on the data disk, below the limit of " +
                                     mib(limits.disk_free_limit)
                               : std::string());
    }
}

Millis Broker::run_timers() {
    return core_->run_timers();
}

void Broker::sample_stats() {
    core_->stats().sample(*core_, core_->clock().now());
}

void Broker::flush_now() {
    core_->journal().flush_now();
}

// ---- who is asking --------------------------------------------------------------------------

Result<void> Broker::check_vhost_access(const Principal& who, std::string_view vhost) const {
    if (core_->find_vhost(vhost) == nullptr || sees_everything(who)) {
        return {};
    }
    return authorize_vhost(core_->users(), who, vhost);
}

Result<void> Broker::check_permission(const Principal& who, std::string_view vhost, Access access,
                                      std::string_view kind, std::string_view name) const {
    if (core_->find_vhost(vhost) == nullptr) {
        return {}; // the call's own not_found
    }
    return authorize(core_->users(), who, vhost, access, kind, name);
}

void Broker::when_committed(Completion done) {
    core_->flush(std::move(done));
}

// ---- vhosts ---------------------------------------------------------------------------------

Result<Declared> Broker::declare_vhost(const Principal& who, const std::string& name) {
    if (auto ok = check_administrator(who); !ok) {
        return ok.error();
    }
    auto declared = core_->declare_vhost(name);
    if (declared && *declared == Declared::created) {
        // As RabbitMQ: whoever creates a vhost gets every permission on it (a caller that is no
        // stored user gets none).
        (void)core_->users().set_permission(Permission{who.name, name, ".*", ".*", ".*"});
    }
    return declared;
}

Result<void> Broker::delete_vhost(const Principal& who, const std::string& name) {
    if (auto ok = check_administrator(who); !ok) {
        return ok.error();
    }
    return core_->delete_vhost(name);
}

// ---- exchanges ------------------------------------------------------------------------------

Result<Declared> Broker::declare_exchange(const Principal& who, std::string_view vhost,
                                          const ExchangeSpec& spec) {
    if (!routing::parse_exchange_type(spec.type)) {
        return make_error(Errc::bad_request, "unknown exchange type '" + spec.type + "'");
    }
    if (auto ok = check_permission(who, vhost, Access::configure, "exchange", spec.name); !ok) {
        return ok.error();
    }
    // Redeclaring a built-in exchange exactly as it is is allowed (RabbitMQ answers 204); any
    // other declare of an "amq." name is refused by the vhost.
    if (const Vhost* v = core_->find_vhost(vhost); v != nullptr && is_reserved_name(spec.name)) {
        const ExchangeState* existing = v->find_exchange(spec.name);
        if (existing != nullptr && same_declaration(existing->spec, spec)) {
            return Declared::existed;
        }
    }
    return core_->declare_exchange(vhost, spec);
}

Result<void> Broker::delete_exchange(const Principal& who, std::string_view vhost,
                                     std::string_view name, bool if_unused) {
    if (auto ok = check_permission(who, vhost, Access::configure, "exchange", name); !ok) {
        return ok.error();
    }
    return core_->delete_exchange(vhost, name, if_unused);
}

// ---- queues ---------------------------------------------------------------------------------

Result<Declared> Broker::declare_queue(const Principal& who, std::string_view vhost,
                                       const QueueSpec& spec) {
    if (spec.exclusive) {
        return make_error(Errc::bad_request,
                          "an exclusive queue belongs to a connection; declare it on one");
    }
    return declare_queue_owned(who, vhost, spec, 0);
}

Result<Declared> Broker::declare_queue_owned(const Principal& who, std::string_view vhost,
                                             const QueueSpec& spec, std::uint64_t owner,
                                             bool server_named) {
    if (auto ok = check_permission(who, vhost, Access::configure, "queue", spec.name); !ok) {
        return ok.error();
    }
    return core_->declare_queue(vhost, spec, owner, server_named);
}

Result<void> Broker::delete_queue(const Principal& who, std::string_view vhost,
                                  std::string_view name, bool if_unused, bool if_empty) {
    if (auto ok = check_permission(who, vhost, Access::configure, "queue", name); !ok) {
        return ok.error();
    }
    return core_->delete_queue(vhost, name, if_unused, if_empty);
}

Result<std::uint64_t> Broker::purge_queue(const Principal& who, std::string_view vhost,
                                          std::string_view name) {
    if (auto ok = check_permission(who, vhost, Access::read, "queue", name); !ok) {
        return ok.error();
    }
    return core_->purge_queue(vhost, name);
}

Result<std::vector<GotMessage>> Broker::get(const Principal& who, std::string_view vhost,
                                            std::string_view queue, std::size_t count,
                                            GetMode mode) {
    if (auto ok = check_permission(who, vhost, Access::read, "queue", queue); !ok) {
        return ok.error();
    }
    auto got = core_->get(vhost, queue, count, mode);
    if (!got) {
        return got.error();
    }
    std::vector<GotMessage> out;
    out.reserve(got->size());
    for (auto& g : *got) {
        out.push_back(GotMessage{std::move(g.entry.message), g.entry.delivery_count,
                                 g.message_count, g.entry.message_id != 0});
    }
    return out;
}

// ---- bindings -------------------------------------------------------------------------------

Result<void> Broker::check_binding(const Principal& who, std::string_view vhost,
                                   const BindingSpec& binding) const {
    // As RabbitMQ's queue.bind / exchange.bind: write on the destination, read on the source.
    if (auto ok = check_permission(who, vhost, Access::write,
                                   binding.to_exchange ? "exchange" : "queue", binding.destination);
        !ok) {
        return ok;
    }
    return check_permission(who, vhost, Access::read, "exchange", binding.source);
}

Result<bool> Broker::bind(const Principal& who, std::string_view vhost,
                          const BindingSpec& binding) {
    if (auto ok = check_binding(who, vhost, binding); !ok) {
        return ok.error();
    }
    return core_->bind(vhost, routing_binding(binding));
}

Result<bool> Broker::unbind(const Principal& who, std::string_view vhost,
                            const BindingSpec& binding) {
    if (auto ok = check_binding(who, vhost, binding); !ok) {
        return ok.error();
    }
    return core_->unbind(vhost, routing_binding(binding));
}

// ---- messages -------------------------------------------------------------------------------

Result<PublishOutcome> Broker::publish(const Principal& who, std::string_view vhost,
                                       std::string_view exchange, MessagePtr message,
                                       const PublishOptions& options) {
    return core_->publish(who, vhost, exchange, std::move(message), options);
}

Result<Aliveness> Broker::check_aliveness(const Principal& who, std::string_view vhost) {
    if (core_->find_vhost(vhost) == nullptr) {
        return make_error(Errc::not_found, "no vhost '" + std::string(vhost) + "'");
    }
    if (auto ok = check_permission(who, vhost, Access::write, "exchange", ""); !ok) {
        return ok.error();
    }
    if (auto ok = check_permission(who, vhost, Access::read, "queue", kAlivenessQueue); !ok) {
        return ok.error();
    }
    QueueSpec spec;
    spec.name = kAlivenessQueue;
    spec.durable = false;
    if (auto declared = core_->declare_queue(vhost, spec); !declared) {
        return Aliveness{false, declared.error().reason};
    }
    auto published = core_->publish(
        vhost, "", make_message("", std::string(kAlivenessQueue), {}, "test_message"));
    if (!published) {
        return Aliveness{false, published.error().reason};
    }
    if (!published->routed || published->rejected) {
        return Aliveness{false, "the aliveness-test message was not enqueued"};
    }
    auto got = core_->get(vhost, kAlivenessQueue, 1, GetMode::ack_requeue_false);
    if (!got) {
        return Aliveness{false, got.error().reason};
    }
    if (got->empty()) {
        return Aliveness{false, "aliveness-test queue is empty"};
    }
    return Aliveness{true, {}};
}

// ---- connections ----------------------------------------------------------------------------

std::unique_ptr<Session> Broker::open_session(Principal who, SessionInfo info) {
    return std::make_unique<Session>(*this, std::move(who), std::move(info));
}

std::size_t Broker::session_count() const {
    return core_->connection_count();
}

} // namespace warren::server
