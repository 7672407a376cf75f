#pragma once

// Vhost: one namespace of exchanges, queues and bindings, and the Router that routes within it.
// Declare and delete follow AMQP: a redeclare must be equivalent, "amq." names are reserved, and
// deleting a queue or exchange takes its bindings with it (auto-delete exchanges follow).
//
// Lifetime: owned by the Core. Thread: the core executor only.

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/error.hpp"
#include "routing/router.hpp"
#include "server/dedup.hpp"
#include "server/journal.hpp"
#include "server/queue.hpp"
#include "server/specs.hpp"
#include "server/views.hpp"

namespace warren::server {

class Core;

struct ExchangeStats {
    std::uint64_t publish_in = 0;  // messages published to it
    std::uint64_t publish_out = 0; // messages it routed to at least one queue
};

struct ExchangeState {
    ExchangeSpec spec; // spec.type is the canonical name of `type`
    routing::ExchangeType type = routing::ExchangeType::direct;
    bool had_binding = false; // auto-delete applies only after a first binding went away
    ExchangeStats stats;
    std::unique_ptr<Deduplication> dedup; // x-message-deduplication (null when off)
};

class Vhost {
public:
    Vhost(Core& core, std::string name);
    ~Vhost();

    const std::string& name() const { return name_; }
    Core& core() const { return core_; }

    Result<Declared> declare_exchange(const ExchangeSpec& spec);
    Result<void> delete_exchange(std::string_view name, bool if_unused);
    const ExchangeState* find_exchange(std::string_view name) const;
    const std::map<std::string, ExchangeState, std::less<>>& exchanges() const {
        return exchanges_;
    }

    // `server_named`: the broker chose the name ("amq.gen-...", a reply-to queue) or an import
    // restores one, so the reserved "amq." prefix is allowed.
    Result<Declared> declare_queue(const QueueSpec& spec, std::uint64_t owner,
                                   bool server_named = false);
    // Recovery: a durable queue as stored, with its store id (no journaling).
    Result<Queue*> restore_queue(const QueueSpec& spec, std::uint64_t id);
    Result<void> delete_queue(std::string_view name, bool if_unused, bool if_empty);
    std::shared_ptr<Queue> find_queue(std::string_view name) const;
    const std::map<std::string, std::shared_ptr<Queue>, std::less<>>& queues() const {
        return queues_;
    }
    // Removes a queue the broker itself retires (auto-delete, x-expires, exclusive owner gone).
    void remove_queue(Queue& queue);

    Result<bool> bind(const routing::Binding& binding);
    Result<bool> unbind(const routing::Binding& binding);
    const routing::Router& router() const { return router_; }

    // Routes a message from `exchange` and enqueues it in every queue reached; a duplicate
    // (x-message-deduplication on the exchange, or on every queue reached) is confirmed only.
    Result<PublishOutcome> publish(std::string_view exchange, MessagePtr message,
                                   const PublishOptions& options = {});
    // Recovery: this vhost's exchange dedup windows, by their store scope.
    void collect_dedup_windows(std::unordered_map<std::string, Deduplication*>& out);
    // Republishes a dead-lettered entry of `from` to its dead-letter exchange.
    void dead_letter(const Queue& from, const QueueEntry& entry, DeadLetterReason reason);

    // Expiry timers of every queue; returns when next due.
    Millis run_timers(Millis now);

    // Deletes everything (vhost deletion): consumers are cancelled.
    void clear();

private:
    Journal& journal() const;
    // Enqueues into the named queues; stores the message once if any of them persists it.
    PublishOutcome deliver_to(std::span<const std::string_view> queues, const MessagePtr& message,
                              const Queue* skip_cycles_of, std::string_view idempotency_key = {});
    void journal_binding(const routing::Binding& binding, bool put);
    bool is_durable(const routing::Destination& destination) const;
    Result<void> check_destination(const routing::Destination& destination) const;
    void maybe_auto_delete_exchange(const std::string& name);
    void erase_queue(const std::string& name);

    Core& core_;
    std::string name_;
    routing::Router router_;
    std::map<std::string, ExchangeState, std::less<>> exchanges_;
    std::map<std::string, std::shared_ptr<Queue>, std::less<>> queues_;
};

// "queue 'q' in vhost '/'", the way RabbitMQ names objects in its reasons.
std::string describe(std::string_view kind, std::string_view name, std::string_view vhost);

} // namespace warren::server
