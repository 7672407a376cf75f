#pragma once

// Session: one client connection as the core sees it, whatever the protocol (a WebSocket, later
// an AMQP connection). It carries the client's Principal and owns what is bound to a
// connection: its consumers, its delivery tags with the unacknowledged deliveries, its exclusive
// queues. Destroying it closes it: consumers are cancelled, unacked deliveries requeued (marked
// redelivered), exclusive queues deleted.
//
// Consuming is pulled: the broker calls the DeliverySink only while the consumer has credit (the
// sink is ready, and under manual ack fewer than `prefetch` deliveries are unacked); a sink that
// said "not ready" calls resume() once it can take more.
//
// Part of the facade. Lifetime: owned by its edge; the Broker must outlive it. Thread: the core
// executor.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "common/message.hpp"
#include "server/delivery_sink.hpp"
#include "server/principal.hpp"
#include "server/specs.hpp"

namespace warren::server {

class Broker;
class Connection;

class Session {
public:
    Session(Broker& broker, Principal principal, SessionInfo info);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    std::uint64_t id() const;
    const Principal& principal() const { return principal_; }
    const SessionInfo& info() const { return info_; }

    // As Broker::declare_queue; an exclusive queue belongs to this session.
    Result<Declared> declare_queue(std::string_view vhost, const QueueSpec& spec);
    // A queue.declare with an empty name (AMQP): the broker names the queue (`prefix` and 22
    // random characters, "amq.gen-..." as RabbitMQ) and declares it with `spec`'s properties.
    // Returns the name.
    Result<std::string> declare_server_named(std::string_view vhost, QueueSpec spec,
                                             std::string_view prefix = "amq.gen-");
    // As Broker::publish, as this session's principal.
    Result<PublishOutcome> publish(std::string_view vhost, std::string_view exchange,
                                   MessagePtr message, const PublishOptions& options = {});

    // read permission on the queue. Returns the consumer tag (options.tag, or one made up).
    // Errors: not_found (vhost, queue), resource_locked (another connection's exclusive queue),
    // access_refused (an exclusive consumer in the way), precondition_failed (tag in use).
    Result<std::string> consume(std::string_view vhost, std::string_view queue,
                                ConsumeOptions options, DeliverySink& sink);
    // read permission on the exchange. Consumes from a new server-named queue bound to
    // `exchange` with `binding_key` and `arguments`: exclusive to this session, auto-deleted when
    // the consumer goes. Returns the queue's name; the consumer tag is options.tag.
    Result<std::string> subscribe_exchange(std::string_view vhost, std::string_view exchange,
                                           std::string_view binding_key,
                                           const boost::json::object& arguments,
                                           ConsumeOptions options, DeliverySink& sink);
    // read permission on the exchange. Joins consumer group `group` on topic `exchange` as
    // subscription options.tag (DESIGN.md section 7): the group's members split the topic's
    // partitions, and `sink` gets the deliveries of this member's (each carries its queue and
    // offset; `assigned` tells of each change). Returns the partitions it got at once.
    // Errors: not_found, bad_request (not a topic), precondition_failed (tag in use).
    Result<std::vector<std::string>> subscribe_group(std::string_view vhost,
                                                     std::string_view exchange,
                                                     std::string_view group, ConsumeOptions options,
                                                     DeliverySink& sink);
    // Stops a consumer (or leaves a group). Its unacked deliveries stay with the session (AMQP):
    // they can still be acked, and are requeued when the session closes. not_found for an unknown
    // tag.
    Result<void> cancel(std::string_view consumer_tag);

    // read permission on the queue. One ready message (AMQP basic.get): settled at once under
    // auto_ack, else held as an unacked delivery of this session (ack, nack or reject its tag;
    // closing the session requeues it). nullopt: nothing ready. Errors: not_found,
    // resource_locked (another connection's exclusive queue), method_not_allowed (a stream).
    Result<std::optional<GotDelivery>> get(std::string_view vhost, std::string_view queue,
                                           bool auto_ack);

    // Settlement. Unknown tag: precondition_failed "unknown delivery tag N".
    Result<void> ack(std::uint64_t delivery_tag, bool multiple);
    Result<void> nack(std::uint64_t delivery_tag, bool multiple, bool requeue);
    Result<void> reject(std::uint64_t delivery_tag, bool requeue);

    // The sinks can take deliveries again: resume every consumer of this session.
    void resume();

    // How the broker asks the edge to close this session (its user was deleted): the edge tells
    // its client `reason` and closes. Called on the core executor; it may close later.
    using CloseRequest = std::function<void(const std::string& reason)>;
    void on_close_request(CloseRequest request);

    std::size_t unacked_count() const;

    // The channel's modes (AMQP basic.qos, confirm.select, tx.select): listed in /api/channels;
    // global_prefetch caps the unacked deliveries of all this session's consumers together.
    void set_channel_settings(const ChannelSettings& settings);

    // How the broker tells the edge that resource alarms began (their reasons) or all ended
    // (empty): AMQP's connection.blocked / unblocked. Called on the core executor.
    using AlarmListener = std::function<void(const std::vector<std::string>& alarms)>;
    void on_alarm(AlarmListener listener);

private:
    Broker& broker_;
    Principal principal_;
    SessionInfo info_;
    std::unique_ptr<Connection> connection_;
};

} // namespace warren::server
