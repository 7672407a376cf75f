#pragma once

// Core: the broker's state behind the facade (server/broker.hpp). It owns the vhosts (each with
// its exchanges, queues and router), the users, the journal and the registry of client
// connections; Vhost, Queue and Connection reach each other through it.
//
// Threading: not thread-safe by design. The broker and everything it owns live on one executor
// (the "core" thread, see docs/architecture.md); transports post onto it. No call blocks.

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.hpp"
#include "common/message.hpp"
#include "routing/router.hpp"
#include "server/broker.hpp"
#include "server/clock.hpp"
#include "server/consumer_groups.hpp"
#include "server/journal.hpp"
#include "server/queue.hpp"
#include "server/specs.hpp"
#include "server/stats.hpp"
#include "server/users.hpp"
#include "server/views.hpp"
#include "storage/store.hpp"

namespace warren::server {

class Vhost;
class Queue;
class Connection;

class Core {
public:
    // store == nullptr: nothing is persisted (transient-only; unit tests). `post` runs a
    // function later on the core executor (the journal's flush, the store's completions).
    explicit Core(Clock& clock, storage::Store* store = nullptr, storage::Post post = {});
    ~Core();
    Core(const Core&) = delete;
    Core& operator=(const Core&) = delete;

    Clock& clock() const { return clock_; }
    Journal& journal() { return journal_; }
    ConsumerGroups& groups() { return groups_; }

    // Boot: rebuilds durable vhosts, exchanges, queues, bindings and every stored message from
    // the store. Call once, before serving.
    Result<storage::RecoveryStats> recover();

    // Calls done once everything changed so far is committed (publisher confirms, and the
    // answer to a declare of a durable object).
    void flush(storage::Completion done) { journal_.flush(std::move(done)); }

    std::uint64_t next_queue_id() { return next_queue_id_++; }
    std::uint64_t next_message_id() { return next_message_id_++; }
    // Orders the keys of every deduplication window (storage::DedupRecord::seq).
    std::uint64_t next_dedup_seq() { return next_dedup_seq_++; }

    // vhosts ("/" exists from the start).
    Result<Declared> declare_vhost(const std::string& name);
    Result<void> delete_vhost(const std::string& name);
    Vhost* find_vhost(std::string_view name);
    const Vhost* find_vhost(std::string_view name) const;
    Result<Vhost*> vhost(std::string_view name); // not_found with RabbitMQ's reason
    std::vector<const Vhost*> vhosts() const;    // sorted by name

    // Exchanges, queues, bindings: see Vhost for the semantics; these look the vhost up first.
    Result<Declared> declare_exchange(std::string_view vhost, const ExchangeSpec& spec);
    Result<void> delete_exchange(std::string_view vhost, std::string_view name, bool if_unused);
    // owner: the connection declaring an exclusive queue (0 = none). server_named: as
    // Vhost::declare_queue.
    Result<Declared> declare_queue(std::string_view vhost, const QueueSpec& spec,
                                   std::uint64_t owner = 0, bool server_named = false);
    Result<void> delete_queue(std::string_view vhost, std::string_view name, bool if_unused,
                              bool if_empty);
    Result<std::uint64_t> purge_queue(std::string_view vhost, std::string_view name);
    Result<bool> bind(std::string_view vhost, const routing::Binding& binding);
    Result<bool> unbind(std::string_view vhost, const routing::Binding& binding);

    // Routes and enqueues a message. Errors: not_found (vhost or exchange), access_refused
    // (internal exchange). Queue-level refusals show in PublishOutcome::rejected.
    Result<PublishOutcome> publish(std::string_view vhost, std::string_view exchange,
                                   MessagePtr message, const PublishOptions& options = {});
    // The same as `who`: write permission on the exchange first (Broker::publish and
    // Session::publish both come here, so a publish is one hop from either edge entry).
    Result<PublishOutcome> publish(const Principal& who, std::string_view vhost,
                                   std::string_view exchange, MessagePtr message,
                                   const PublishOptions& options = {});

    // Reads up to `count` ready messages (POST /api/queues/.../get) and settles them by `mode`.
    Result<std::vector<GotEntry>> get(std::string_view vhost, std::string_view queue,
                                      std::size_t count, GetMode mode);

    // Connections: a transport opens one per client socket and closes it by destroying it.
    std::unique_ptr<Connection> open_connection(SessionInfo info, std::string user);
    std::unique_ptr<Connection> open_connection(std::string name, std::string user);
    std::size_t connection_count() const { return connections_.size(); }
    // An open connection by id; nullptr once it closed.
    const Connection* find_connection(std::uint64_t id) const {
        auto it = connections_.find(id);
        return it == connections_.end() ? nullptr : it->second;
    }
    std::vector<const Connection*> connections() const;
    // Asks the transport of each of `user`'s connections to close, with `reason` (RabbitMQ
    // force-closes a deleted user's connections, whatever their protocol). Returns how many.
    std::size_t close_connections_of(std::string_view user, const std::string& reason);

    // Timers: removes expired messages and queues whose x-expires ran out. The owner calls it
    // periodically (and tests after advancing the fake clock). Returns the next time it is due.
    Millis run_timers();

    Totals totals() const;

    // Message rates and totals over time (server/stats), sampled by Broker::sample_stats.
    RateTracker& stats() { return stats_; }
    const RateTracker& stats() const { return stats_; }

    // Users and their per-vhost permissions (journaled like the other definitions).
    UserDirectory& users() { return users_; }
    const UserDirectory& users() const { return users_; }

    // Memory budget: ready messages held in memory (bodies + kEntryOverhead each). Past it,
    // durable queues keep new persistent messages on disk only and page them back in.
    void set_memory_budget(std::uint64_t bytes) { memory_budget_ = bytes; }
    std::uint64_t memory_budget() const { return memory_budget_; }
    void account_memory(std::int64_t delta) { memory_in_use_ += delta; }
    std::int64_t memory_in_use() const { return memory_in_use_; }
    bool over_memory_budget() const {
        return memory_in_use_ > static_cast<std::int64_t>(memory_budget_);
    }

    // Resource alarms (memory or disk watermark passed): publishes are refused with
    // resource_alarm (HTTP 503 + Retry-After) while any is set; consumers keep draining.
    enum class Alarm { memory, disk };
    void set_alarm(Alarm alarm, bool on, std::string reason = {});
    std::vector<std::string> alarms() const; // the reasons of the alarms in effect
    bool alarm_in_effect(Alarm alarm) const {
        return !(alarm == Alarm::memory ? memory_alarm_ : disk_alarm_).empty();
    }
    const std::string& alarm_reason(Alarm alarm) const {
        return alarm == Alarm::memory ? memory_alarm_ : disk_alarm_;
    }

    // What the facade keeps for the loopback rule and the resource alarms.
    std::vector<std::string>& loopback_users() { return loopback_users_; }
    const std::vector<std::string>& loopback_users() const { return loopback_users_; }
    ResourceLimits& resource_limits() { return resource_limits_; }
    const ResourceLimits& resource_limits() const { return resource_limits_; }
    ResourceReadings& resource_readings() { return resource_readings_; }
    const ResourceReadings& resource_readings() const { return resource_readings_; }

private:
    void notify_alarm_listeners();
    void restore_dedup(const std::vector<storage::DedupRecord>& records,
                       const std::unordered_map<std::uint64_t, Queue*>& queues_by_id);
    friend class Connection;
    void forget_connection(Connection& connection);

    Clock& clock_;
    Journal journal_;
    UserDirectory users_{journal_};
    std::uint64_t next_queue_id_ = 1;
    std::uint64_t next_message_id_ = 1;
    std::uint64_t next_dedup_seq_ = 1;
    std::uint64_t memory_budget_ = 128ull << 20;
    std::int64_t memory_in_use_ = 0;
    std::string memory_alarm_;
    std::string disk_alarm_;
    std::vector<std::string> loopback_users_{"guest"};
    ResourceLimits resource_limits_;
    ResourceReadings resource_readings_;
    RateTracker stats_;
    std::map<std::string, std::unique_ptr<Vhost>, std::less<>> vhosts_;
    std::map<std::uint64_t, Connection*> connections_;
    std::uint64_t next_connection_id_ = 1;
    ConsumerGroups groups_{*this};
};

} // namespace warren::server
