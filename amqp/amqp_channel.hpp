#pragma once

// AmqpChannel: one open channel of an AmqpConnection. It turns the channel's methods into broker
// calls through its own server::Session (consumers, delivery tags and unacked deliveries are per
// channel in AMQP): exchange.*, queue.*, basic.* and confirm.select; it assembles a publish's
// content (basic.publish, the header frame, body frames) before handing the message over; and it
// confirms publishes in order, after the durable commit (one commit wait per batch of frames).
// A channel error (404, 403, 405, 406) closes the channel only: channel.close goes out, the
// Session is closed (unacked deliveries requeued) and frames up to the client's close-ok are
// dropped.
//
// Lifetime: owned by its connection. Thread: the connection's executor.

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "amqp/codec/content.hpp"
#include "amqp/codec/frame.hpp"
#include "amqp/codec/methods.hpp"
#include "common/error.hpp"
#include "server/delivery_sink.hpp"
#include "server/session.hpp"

namespace warren::amqp {

class AmqpConnection;

// Direct reply-to's pseudo-queue: consumed (no-ack) by an RPC client, named as reply_to in its
// requests; replies published to the name the broker substitutes reach that consumer.
inline constexpr std::string_view kReplyToQueue = "amq.rabbitmq.reply-to";

class AmqpChannel {
public:
    AmqpChannel(AmqpConnection& connection, std::uint16_t number);
    ~AmqpChannel();
    AmqpChannel(const AmqpChannel&) = delete;
    AmqpChannel& operator=(const AmqpChannel&) = delete;

    // A frame for this channel (not channel.open). False when the connection must close (the
    // channel already said why through connection_error).
    void on_frame(const Frame& frame);
    // The connection's frames went out: consumers may take more.
    void resume();
    // True once channel.close-ok has been exchanged: the connection forgets the channel.
    bool finished() const { return finished_; }
    // The publishes of the frames just handled wait for one commit; then their confirms go out.
    void after_frames();

private:
    class Sink;
    struct Confirm {
        std::uint64_t seq = 0;
        bool nack = false;
    };
    struct Publishing {
        BasicPublish method;
        std::optional<ContentHeader> header;
        std::string body;
    };

    void on_method(Method& method);
    void on_header(std::string_view payload);
    void on_body(std::string_view payload);
    void publish(Publishing publishing);
    // Routes and stores it now (publish holds it instead on a transactional channel).
    void publish_now(Publishing publishing);
    void channel_error(std::uint16_t code, const std::string& text, std::uint16_t class_id,
                       std::uint16_t method_id);
    // A broker Error as a channel (or, for some codes, connection) error for the method `m`.
    void fail(const Error& error, const Method& m);
    void send(const Method& method);
    void flush_confirms();

    // Methods (amqp_channel_methods.cpp).
    void handle(ExchangeDeclare& m);
    void handle(ExchangeDelete& m);
    void handle(ExchangeBind& m);
    void handle(ExchangeUnbind& m);
    void handle(QueueDeclare& m);
    void handle(QueueBind& m);
    void handle(QueueUnbind& m);
    void handle(QueuePurge& m);
    void handle(QueueDelete& m);
    void handle(BasicQos& m);
    void handle(BasicConsume& m);
    void handle(BasicCancel& m);
    void handle(BasicPublish& m);
    void handle(BasicGet& m);
    void handle(BasicAck& m);
    void handle(BasicNack& m);
    void handle(BasicReject& m);
    void handle(BasicRecover& m);
    void handle(BasicRecoverAsync& m);
    // Both recovers: requeue the channel's unacked deliveries; false (connection closed 540)
    // for requeue=false.
    bool recover(bool requeue, std::uint16_t class_id, std::uint16_t method_id);
    void handle(ConfirmSelect& m);
    void handle(TxSelect& m);
    void handle(TxCommit& m);
    void handle(TxRollback& m);
    void handle(ChannelFlow& m);

    // Settlement now, or at tx.commit on a transactional channel.
    using Settlement = std::variant<BasicAck, BasicNack, BasicReject>;
    void settle(const Settlement& s);
    void settle_now(const Settlement& s);
    // basic.consume on "amq.rabbitmq.reply-to" (direct reply-to, amqp_reply_to.cpp): consumes,
    // no-ack, from this channel's reply queue, declared on first use.
    void consume_replies(BasicConsume& m);
    // A publish whose reply_to names the pseudo-queue gets this channel's reply queue instead.
    // False (the channel closed) when the channel has no reply consumer.
    bool route_replies(Properties& properties);
    std::string make_consumer_tag();

    bool accepting_deliveries() const;
    void on_delivery(const std::string& tag, const server::Delivery& delivery);
    void on_cancelled(const std::string& tag);
    void retire(const std::string& tag);

    AmqpConnection& connection_;
    std::uint16_t number_;
    std::unique_ptr<server::Session> session_;
    std::map<std::string, std::unique_ptr<Sink>, std::less<>> consumers_;
    std::vector<std::unique_ptr<Sink>> retired_; // cancelled by the broker, freed after the call
    std::uint64_t next_consumer_tag_ = 1;
    server::ChannelSettings settings_; // qos, confirm and tx modes, as the lists show them
    std::optional<Publishing> publishing_;
    // tx.select (settings_.transactional): publishes and settlements wait for tx.commit (or go
    // at tx.rollback).
    std::vector<Publishing> tx_publishes_;
    std::vector<Settlement> tx_settlements_;
    // Direct reply-to: this channel's reply queue and its consumer's tag, once consumed.
    std::string reply_queue_;
    std::string reply_tag_;
    std::uint64_t next_publish_seq_ = 1;
    std::deque<Confirm> confirms_;  // in order; acked once committed
    std::uint64_t uncommitted_ = 0; // the last seq with no commit wait yet
    std::uint64_t committed_ = 0;   // every seq up to this one is durable
    std::uint64_t waiting_ = 0;     // a commit wait covers every seq up to this one
    // Commit callbacks hold it weakly: expired once the channel is gone.
    std::shared_ptr<const bool> alive_ = std::make_shared<const bool>(true);
    bool closing_ = false; // we sent channel.close: wait for close-ok
    bool finished_ = false;
};

// A consumer's DeliverySink: ready once consume-ok is queued and while the connection's outbox
// has room.
class AmqpChannel::Sink final : public server::DeliverySink {
public:
    Sink(AmqpChannel& channel, std::string tag) : channel_(channel), tag_(std::move(tag)) {}
    void start() { started_ = true; }
    bool ready() const override { return started_ && channel_.accepting_deliveries(); }
    void deliver(const server::Delivery& delivery) override {
        channel_.on_delivery(tag_, delivery);
    }
    void cancelled(std::string_view) override { channel_.on_cancelled(tag_); }

private:
    AmqpChannel& channel_;
    std::string tag_;
    bool started_ = false;
};

} // namespace warren::amqp
