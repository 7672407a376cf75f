// Direct reply-to (RabbitMQ's amq.rabbitmq.reply-to): an RPC client consumes, with no-ack, from
// the pseudo-queue and names it as reply_to in its requests; the broker substitutes a name of
// the channel's own ("amq.rabbitmq.reply-to.<random>"), and a server's reply published to that
// name on the default exchange reaches the consumer.
//
// The name belongs to a real queue here: exclusive to the connection, not durable, deleted with
// its consumer (auto-delete) or the connection. So replies go through the core as any message,
// and a reply to a requester that went away is unroutable, as in RabbitMQ.

#include "amqp/amqp_channel.hpp"
#include "amqp/amqp_connection.hpp"
#include "amqp/codec/reply_codes.hpp"

namespace warren::amqp {

void AmqpChannel::consume_replies(BasicConsume& m) {
    if (!m.no_ack) {
        channel_error(reply::kPreconditionFailed, "reply consumer cannot acknowledge", m.kClass,
                      m.kMethod);
        return;
    }
    if (!reply_tag_.empty()) {
        channel_error(reply::kPreconditionFailed, "reply consumer already set", m.kClass,
                      m.kMethod);
        return;
    }
    server::QueueSpec spec;
    spec.durable = false;
    spec.exclusive = true;
    spec.auto_delete = true;
    auto name =
        session_->declare_server_named(connection_.vhost(), spec, std::string(kReplyToQueue) + ".");
    if (!name) {
        fail(name.error(), m);
        return;
    }
    BasicConsume on_queue = m;
    on_queue.queue = *name;
    if (on_queue.consumer_tag.empty()) {
        on_queue.consumer_tag = make_consumer_tag();
    }
    reply_queue_ = *name;
    reply_tag_ = on_queue.consumer_tag;
    handle(on_queue);
    if (closing_) {
        reply_queue_.clear();
        reply_tag_.clear();
    }
}

bool AmqpChannel::route_replies(Properties& properties) {
    if (!properties.reply_to || *properties.reply_to != kReplyToQueue) {
        return true;
    }
    if (reply_queue_.empty()) {
        channel_error(reply::kPreconditionFailed, "fast reply consumer does not exist",
                      BasicPublish::kClass, BasicPublish::kMethod);
        return false;
    }
    properties.reply_to = reply_queue_;
    return true;
}

} // namespace warren::amqp
