#pragma once

// Connection: one client's delivery context (a WebSocket socket, a test). It owns the delivery
// tags and the unacked deliveries, and knows its consumers and exclusive queues. Destroying it
// closes it: consumers are cancelled, unacked deliveries requeued (redelivered), exclusive queues
// deleted. This is the RAII handle STYLE.md speaks of.
//
// Lifetime: owned by its transport; the Core must outlive it. Thread: the core executor only.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "server/consumer.hpp"
#include "server/queue_entry.hpp"
#include "server/views.hpp"

namespace warren::server {

class Core;
class Queue;

class Connection {
public:
    Connection(Core& core, std::uint64_t id, SessionInfo info, std::string user);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    std::uint64_t id() const { return id_; }
    const std::string& name() const { return info_.name; }
    const SessionInfo& info() const { return info_; }
    const std::string& user() const { return user_; }
    // Who owns the exclusive queues it declares and may use them: its parent connection, if it
    // is a channel of one (SessionInfo::parent), else itself.
    std::uint64_t owner_id() const { return info_.parent != 0 ? info_.parent : id_; }

    // Starts a consumer; returns its tag. Errors: not_found (vhost, queue), resource_locked
    // (another connection's exclusive queue), access_refused (exclusive consumer in the way),
    // precondition_failed (tag already used on this connection).
    Result<std::string> consume(std::string_view vhost, std::string_view queue,
                                ConsumeOptions options, DeliverySink& sink);
    // Stops a consumer. Its unacked deliveries stay with the connection (AMQP): they can still
    // be acked, and are requeued when the connection closes.
    Result<void> cancel(std::string_view consumer_tag);
    // One ready message (AMQP basic.get): settled at once under auto_ack, else held unacked under
    // a delivery tag of this connection. nullopt: nothing ready. Errors as consume's.
    Result<std::optional<GotDelivery>> get(std::string_view vhost, std::string_view queue,
                                           bool auto_ack);

    // Settlement. Unknown tag: precondition_failed "unknown delivery tag N".
    Result<void> ack(std::uint64_t delivery_tag, bool multiple);
    Result<void> nack(std::uint64_t delivery_tag, bool multiple, bool requeue);
    Result<void> reject(std::uint64_t delivery_tag, bool requeue) {
        return nack(delivery_tag, false, requeue);
    }

    // The sink can take deliveries again: resume every consumer of this connection.
    void resume();

    // How the broker asks the transport to close this connection (its user was deleted): the
    // transport tells its client why and closes, which destroys the connection later. Without
    // one (tests), a close request does nothing.
    using CloseRequest = std::function<void(const std::string& reason)>;
    void on_close_request(CloseRequest request) { close_request_ = std::move(request); }
    const CloseRequest& close_request() const { return close_request_; }

    // Its consumers as the API lists them, in the order they started.
    std::vector<ConsumerView> consumers() const;
    std::size_t consumer_count() const { return consumers_.size(); }
    std::size_t unacked_count() const { return unacked_.size(); }

    // A channel's modes (SessionInfo::parent): shown in the lists; global_prefetch caps the
    // unacked deliveries of all its consumers together. Raising or lifting the cap resumes them.
    void set_settings(const ChannelSettings& settings);
    const ChannelSettings& settings() const { return settings_; }
    bool has_shared_credit() const {
        return settings_.global_prefetch == 0 || unacked_.size() < settings_.global_prefetch;
    }

    // How the broker tells the transport that resource alarms began (the reasons) or all ended
    // (empty): AMQP's connection.blocked / unblocked. Called on the core executor.
    using AlarmListener = std::function<void(const std::vector<std::string>& alarms)>;
    void on_alarm(AlarmListener listener) { alarm_listener_ = std::move(listener); }
    const AlarmListener& alarm_listener() const { return alarm_listener_; }

    // Called by Queue when it delivers: a new tag, and (manual ack) the delivery kept until
    // settled.
    std::uint64_t next_delivery_tag() { return next_tag_++; }
    void track(std::uint64_t delivery_tag, const std::shared_ptr<Queue>& queue,
               std::uint64_t consumer_id, QueueEntry entry);
    // Called by Queue when it is deleted, or its consumer is cancelled by the broker.
    void forget_consumer(const Queue& queue, std::uint64_t consumer_id);
    void own_queue(std::string vhost, std::string queue);

private:
    struct Unacked {
        std::weak_ptr<Queue> queue;
        std::uint64_t consumer_id = 0;
        QueueEntry entry;
    };
    struct ConsumerRef {
        std::weak_ptr<Queue> queue;
        std::uint64_t consumer_id = 0;
        std::string tag;
    };
    enum class Settle { ack, requeue, reject };
    Result<std::shared_ptr<Queue>> usable_queue(std::string_view vhost,
                                                std::string_view queue) const;
    Result<void> settle(std::uint64_t delivery_tag, bool multiple, Settle how);
    void settle_group(std::vector<Unacked> group, Settle how);
    void close();

    Core& core_;
    std::uint64_t id_;
    SessionInfo info_;
    std::string user_;
    std::uint64_t next_tag_ = 1;
    std::uint64_t next_consumer_tag_ = 1;
    std::map<std::uint64_t, Unacked> unacked_; // ordered: ack multiple takes a prefix
    std::vector<ConsumerRef> consumers_;
    std::vector<std::pair<std::string, std::string>> exclusive_queues_; // (vhost, queue)
    CloseRequest close_request_;
    AlarmListener alarm_listener_;
    ChannelSettings settings_;
};

} // namespace warren::server
