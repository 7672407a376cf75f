#include "server/core.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "server/authorization.hpp"
#include "server/connection.hpp"
#include "server/names.hpp"
#include "server/vhost.hpp"

namespace warren::server {

Core::Core(Clock& clock, storage::Store* store, storage::Post post)
    : clock_(clock), journal_(store, std::move(post)), stats_(clock.now()) {
    vhosts_.emplace("/", std::make_unique<Vhost>(*this, "/"));
    // A commit that found the disk full raises the disk alarm now, not at the next reading of
    // the disk: publishes are refused before more of them fail. The reading clears it.
    journal_.on_failure([this](const Error& error) {
        if (error.code == Errc::resource_alarm) {
            set_alarm(Alarm::disk, true,
                      "disk alarm: the data disk is full (" + error.reason + ")");
        }
    });
}

Core::~Core() {
    // Shutting down is not deleting: tearing the vhosts down must not journal their removal.
    journal_.pause(true);
    vhosts_.clear();
}

Result<Declared> Core::declare_vhost(const std::string& name) {
    if (auto ok = check_name("vhost", name); !ok) {
        return ok.error();
    }
    if (name.empty()) {
        return make_error(Errc::bad_request, "vhost name must not be empty");
    }
    if (vhosts_.contains(name)) {
        return Declared::existed;
    }
    vhosts_.emplace(name, std::make_unique<Vhost>(*this, name));
    if (journal_.enabled()) {
        journal_
            .batch_for_put([&](const storage::Batch& b) {
                return std::find(b.deleted_vhosts.begin(), b.deleted_vhosts.end(), name) !=
                       b.deleted_vhosts.end();
            })
            .put_vhosts.push_back({name, "", ""});
    }
    return Declared::created;
}

Result<void> Core::delete_vhost(const std::string& name) {
    auto it = vhosts_.find(name);
    if (it == vhosts_.end()) {
        return make_error(Errc::not_found, "no vhost '" + name + "'");
    }
    auto vhost = std::move(it->second);
    vhosts_.erase(it);
    vhost->clear();
    users_.forget_vhost(name);
    if (journal_.enabled()) {
        journal_.batch().deleted_vhosts.push_back(name); // its permission rows go with it
    }
    return {};
}

Vhost* Core::find_vhost(std::string_view name) {
    auto it = vhosts_.find(name);
    return it == vhosts_.end() ? nullptr : it->second.get();
}

const Vhost* Core::find_vhost(std::string_view name) const {
    auto it = vhosts_.find(name);
    return it == vhosts_.end() ? nullptr : it->second.get();
}

Result<Vhost*> Core::vhost(std::string_view name) {
    if (auto* v = find_vhost(name)) {
        return v;
    }
    return make_error(Errc::not_found, "no vhost '" + std::string(name) + "'");
}

std::vector<const Vhost*> Core::vhosts() const {
    std::vector<const Vhost*> out;
    for (const auto& [name, vhost] : vhosts_) {
        out.push_back(vhost.get());
    }
    return out;
}

Result<Declared> Core::declare_exchange(std::string_view vhost_name, const ExchangeSpec& spec) {
    auto v = vhost(vhost_name);
    if (!v) {
        return v.error();
    }
    return (*v)->declare_exchange(spec);
}

Result<void> Core::delete_exchange(std::string_view vhost_name, std::string_view name,
                                   bool if_unused) {
    auto v = vhost(vhost_name);
    if (!v) {
        return v.error();
    }
    return (*v)->delete_exchange(name, if_unused);
}

Result<Declared> Core::declare_queue(std::string_view vhost_name, const QueueSpec& spec,
                                     std::uint64_t owner, bool server_named) {
    auto v = vhost(vhost_name);
    if (!v) {
        return v.error();
    }
    auto declared = (*v)->declare_queue(spec, owner, server_named);
    if (declared && *declared == Declared::created && spec.exclusive) {
        if (auto it = connections_.find(owner); it != connections_.end()) {
            it->second->own_queue(std::string(vhost_name), spec.name);
        }
    }
    return declared;
}

Result<void> Core::delete_queue(std::string_view vhost_name, std::string_view name, bool if_unused,
                                bool if_empty) {
    auto v = vhost(vhost_name);
    if (!v) {
        return v.error();
    }
    return (*v)->delete_queue(name, if_unused, if_empty);
}

Result<std::uint64_t> Core::purge_queue(std::string_view vhost_name, std::string_view name) {
    auto v = vhost(vhost_name);
    if (!v) {
        return v.error();
    }
    auto queue = (*v)->find_queue(name);
    if (!queue) {
        return make_error(Errc::not_found, "no " + describe("queue", name, vhost_name));
    }
    if (queue->stream() != nullptr) {
        // A log is trimmed by its retention, never emptied by hand (RabbitMQ refuses too).
        return make_error(Errc::method_not_allowed,
                          "cannot purge " + describe("queue", name, vhost_name) +
                              ": a stream keeps its messages until its retention drops them");
    }
    return queue->purge();
}

Result<bool> Core::bind(std::string_view vhost_name, const routing::Binding& binding) {
    auto v = vhost(vhost_name);
    if (!v) {
        return v.error();
    }
    return (*v)->bind(binding);
}

Result<bool> Core::unbind(std::string_view vhost_name, const routing::Binding& binding) {
    auto v = vhost(vhost_name);
    if (!v) {
        return v.error();
    }
    return (*v)->unbind(binding);
}

Result<PublishOutcome> Core::publish(std::string_view vhost_name, std::string_view exchange,
                                     MessagePtr message, const PublishOptions& options) {
    if (!memory_alarm_.empty() || !disk_alarm_.empty()) {
        return make_error(Errc::resource_alarm,
                          (memory_alarm_.empty() ? disk_alarm_ : memory_alarm_) +
                              "; publishing is paused until it clears, consumers go on");
    }
    auto v = vhost(vhost_name);
    if (!v) {
        return v.error();
    }
    return (*v)->publish(exchange, std::move(message), options);
}

Result<PublishOutcome> Core::publish(const Principal& who, std::string_view vhost_name,
                                     std::string_view exchange, MessagePtr message,
                                     const PublishOptions& options) {
    if (find_vhost(vhost_name) != nullptr) { // an unknown vhost is the publish's own not_found
        if (auto ok = authorize(users_, who, vhost_name, Access::write, "exchange", exchange);
            !ok) {
            return ok.error();
        }
    }
    return publish(vhost_name, exchange, std::move(message), options);
}

Result<std::vector<GotEntry>> Core::get(std::string_view vhost_name, std::string_view queue,
                                        std::size_t count, GetMode mode) {
    auto v = vhost(vhost_name);
    if (!v) {
        return v.error();
    }
    auto q = (*v)->find_queue(queue);
    if (!q) {
        return make_error(Errc::not_found, "no " + describe("queue", queue, vhost_name));
    }
    if (q->owner() != 0) {
        return make_error(Errc::resource_locked, "cannot obtain exclusive access to locked " +
                                                     describe("queue", queue, vhost_name));
    }
    if (q->stream() != nullptr) {
        return make_error(Errc::method_not_allowed,
                          "cannot get from " + describe("queue", queue, vhost_name) +
                              ": a stream is read by offset (GET /api/streams/{vhost}/" +
                              std::string(queue) + "/messages)");
    }
    return q->get(count, mode, clock_.now());
}

std::unique_ptr<Connection> Core::open_connection(SessionInfo info, std::string user) {
    const std::uint64_t id = next_connection_id_++;
    auto connection = std::make_unique<Connection>(*this, id, std::move(info), std::move(user));
    connections_.emplace(id, connection.get());
    return connection;
}

std::unique_ptr<Connection> Core::open_connection(std::string name, std::string user) {
    SessionInfo info;
    info.name = std::move(name);
    return open_connection(std::move(info), std::move(user));
}

std::vector<const Connection*> Core::connections() const {
    std::vector<const Connection*> out;
    for (const auto& [id, c] : connections_) {
        out.push_back(c);
    }
    return out;
}

std::size_t Core::close_connections_of(std::string_view user, const std::string& reason) {
    // The requests are collected first: a transport may close (and forget) at once.
    std::vector<Connection::CloseRequest> requests;
    for (const auto& [id, c] : connections_) {
        if (c->user() == user && c->close_request()) {
            requests.push_back(c->close_request());
        }
    }
    for (const auto& request : requests) {
        request(reason);
    }
    return requests.size();
}

void Core::forget_connection(Connection& connection) {
    connections_.erase(connection.id());
}

Millis Core::run_timers() {
    const Millis now = clock_.now();
    Millis due = kNever;
    for (auto& [name, vhost] : vhosts_) {
        due = std::min(due, vhost->run_timers(now));
    }
    return due;
}

void Core::set_alarm(Alarm alarm, bool on, std::string reason) {
    std::string& slot = alarm == Alarm::memory ? memory_alarm_ : disk_alarm_;
    const bool was_blocked = !memory_alarm_.empty() || !disk_alarm_.empty();
    if (!on) {
        if (!slot.empty()) {
            spdlog::info("alarm cleared: {}; publishing resumes", slot);
        }
        slot.clear();
    } else {
        if (slot.empty()) {
            spdlog::warn("{}; publishes are refused until it clears", reason);
        }
        slot = reason.empty() ? (alarm == Alarm::memory ? "memory alarm" : "disk alarm") : reason;
    }
    const bool blocked = !memory_alarm_.empty() || !disk_alarm_.empty();
    if (blocked != was_blocked) {
        notify_alarm_listeners();
    }
}

// Tells the transports that asked (AMQP's connection.blocked / unblocked) that publishing is now
// refused or allowed. A listener may close its connection: iterate over a copy of the ids.
void Core::notify_alarm_listeners() {
    const auto current = alarms();
    std::vector<std::uint64_t> ids;
    for (const auto& [id, connection] : connections_) {
        ids.push_back(id);
    }
    for (auto id : ids) {
        auto it = connections_.find(id);
        if (it != connections_.end() && it->second->alarm_listener()) {
            it->second->alarm_listener()(current);
        }
    }
}

std::vector<std::string> Core::alarms() const {
    std::vector<std::string> out;
    for (const auto* a : {&memory_alarm_, &disk_alarm_}) {
        if (!a->empty()) {
            out.push_back(*a);
        }
    }
    return out;
}

Totals Core::totals() const {
    Totals t;
    t.vhosts = vhosts_.size();
    for (const auto& [id, connection] : connections_) {
        const bool channel = connection->info().parent != 0;
        t.connections += channel ? 0 : 1;
        t.channels += channel ? 1 : connection->info().channels;
    }
    for (const auto& [name, vhost] : vhosts_) {
        t.exchanges += vhost->exchanges().size();
        t.queues += vhost->queues().size();
        for (const auto& [qname, queue] : vhost->queues()) {
            t.consumers += queue->consumers().size();
            t.messages_ready += queue->messages_ready();
            t.messages_unacknowledged += queue->messages_unacknowledged();
            t.messages_paged_out += queue->messages_paged_out();
        }
    }
    return t;
}

} // namespace warren::server
