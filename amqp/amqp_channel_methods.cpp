// AmqpChannel's methods: each AMQP method as calls on the broker's facade, answered with its -ok
// (unless no-wait) or failed as RabbitMQ fails it.

#include <cstdint>

#include <spdlog/spdlog.h>

#include "amqp/amqp_channel.hpp"
#include "amqp/amqp_connection.hpp"
#include "amqp/codec/reply_codes.hpp"
#include "server/broker.hpp"

namespace warren::amqp {

void AmqpChannel::handle(ExchangeDeclare& m) {
    auto& broker = connection_.broker();
    const auto& who = connection_.principal();
    const auto& vhost = connection_.vhost();
    if (m.passive) {
        if (auto found = broker.exchange(who, vhost, m.exchange); !found) {
            fail(found.error(), m);
            return;
        }
    } else {
        server::ExchangeSpec spec{m.exchange,    m.type,     m.durable,
                                  m.auto_delete, m.internal, m.arguments};
        auto declared = broker.declare_exchange(who, vhost, spec);
        if (!declared) {
            // An unknown type is a connection error in RabbitMQ.
            if (declared.error().code == Errc::bad_request &&
                declared.error().reason.starts_with("unknown exchange type")) {
                connection_.connection_error(reply::kCommandInvalid,
                                             "invalid exchange type '" + m.type + "'", m.kClass,
                                             m.kMethod);
                return;
            }
            fail(declared.error(), m);
            return;
        }
    }
    if (!m.no_wait) {
        send(ExchangeDeclareOk{});
    }
}

void AmqpChannel::handle(ExchangeDelete& m) {
    auto deleted = connection_.broker().delete_exchange(
        connection_.principal(), connection_.vhost(), m.exchange, m.if_unused);
    // RabbitMQ answers delete-ok for an exchange that does not exist.
    if (!deleted && deleted.error().code != Errc::not_found) {
        fail(deleted.error(), m);
        return;
    }
    if (!m.no_wait) {
        send(ExchangeDeleteOk{});
    }
}

void AmqpChannel::handle(ExchangeBind& m) {
    server::BindingSpec spec{m.source, m.destination, true, m.routing_key, m.arguments};
    if (auto bound = connection_.broker().bind(connection_.principal(), connection_.vhost(), spec);
        !bound) {
        fail(bound.error(), m);
        return;
    }
    if (!m.no_wait) {
        send(ExchangeBindOk{});
    }
}

void AmqpChannel::handle(ExchangeUnbind& m) {
    server::BindingSpec spec{m.source, m.destination, true, m.routing_key, m.arguments};
    auto unbound = connection_.broker().unbind(connection_.principal(), connection_.vhost(), spec);
    if (!unbound && unbound.error().code != Errc::not_found) {
        fail(unbound.error(), m);
        return;
    }
    if (!m.no_wait) {
        send(ExchangeUnbindOk{});
    }
}

void AmqpChannel::handle(QueueDeclare& m) {
    auto& broker = connection_.broker();
    const auto& who = connection_.principal();
    const auto& vhost = connection_.vhost();
    std::string name = m.queue;
    if (!m.passive) {
        server::QueueSpec spec{m.queue, m.durable, m.exclusive, m.auto_delete, m.arguments};
        if (name.empty()) {
            auto named = session_->declare_server_named(vhost, spec);
            if (!named) {
                fail(named.error(), m);
                return;
            }
            name = std::move(*named);
        } else if (auto declared = session_->declare_queue(vhost, spec); !declared) {
            fail(declared.error(), m);
            return;
        }
    }
    auto view = broker.queue(who, vhost, name);
    if (!view) {
        fail(view.error(), m);
        return;
    }
    if (!m.no_wait) {
        send(QueueDeclareOk{name, static_cast<std::uint32_t>(view->messages_ready),
                            static_cast<std::uint32_t>(view->consumers)});
    }
}

void AmqpChannel::handle(QueueBind& m) {
    server::BindingSpec spec{m.exchange, m.queue, false, m.routing_key, m.arguments};
    if (auto bound = connection_.broker().bind(connection_.principal(), connection_.vhost(), spec);
        !bound) {
        fail(bound.error(), m);
        return;
    }
    if (!m.no_wait) {
        send(QueueBindOk{});
    }
}

void AmqpChannel::handle(QueueUnbind& m) {
    server::BindingSpec spec{m.exchange, m.queue, false, m.routing_key, m.arguments};
    auto unbound = connection_.broker().unbind(connection_.principal(), connection_.vhost(), spec);
    if (!unbound && unbound.error().code != Errc::not_found) {
        fail(unbound.error(), m);
        return;
    }
    send(QueueUnbindOk{});
}

void AmqpChannel::handle(QueuePurge& m) {
    auto purged =
        connection_.broker().purge_queue(connection_.principal(), connection_.vhost(), m.queue);
    if (!purged) {
        fail(purged.error(), m);
        return;
    }
    if (!m.no_wait) {
        send(QueuePurgeOk{static_cast<std::uint32_t>(*purged)});
    }
}

void AmqpChannel::handle(QueueDelete& m) {
    auto& broker = connection_.broker();
    const auto& who = connection_.principal();
    const auto& vhost = connection_.vhost();
    auto view = broker.queue(who, vhost, m.queue);
    if (!view) {
        // RabbitMQ answers delete-ok (0 messages) for a queue that does not exist.
        if (view.error().code == Errc::not_found) {
            if (!m.no_wait) {
                send(QueueDeleteOk{0});
            }
            return;
        }
        fail(view.error(), m);
        return;
    }
    if (auto deleted = broker.delete_queue(who, vhost, m.queue, m.if_unused, m.if_empty);
        !deleted) {
        fail(deleted.error(), m);
        return;
    }
    if (!m.no_wait) {
        send(QueueDeleteOk{static_cast<std::uint32_t>(view->messages_ready)});
    }
}

void AmqpChannel::handle(BasicQos& m) {
    // prefetch-size is ignored, as RabbitMQ does. As RabbitMQ 3.3 and later: global=false sets
    // the prefetch of each consumer started after it, global=true one limit the channel's
    // consumers share.
    if (m.global) {
        settings_.global_prefetch = m.prefetch_count;
    } else {
        settings_.prefetch = m.prefetch_count;
    }
    session_->set_channel_settings(settings_);
    send(BasicQosOk{});
}

void AmqpChannel::handle(BasicConsume& m) {
    if (m.queue == kReplyToQueue) {
        consume_replies(m);
        return;
    }
    server::ConsumeOptions options;
    options.tag = m.consumer_tag;
    options.prefetch = settings_.prefetch;
    options.auto_ack = m.no_ack;
    options.exclusive = m.exclusive;
    if (const auto* offset = m.arguments.if_contains("x-stream-offset")) {
        options.stream_start = server::parse_stream_start(*offset);
        if (!options.stream_start) {
            channel_error(
                reply::kPreconditionFailed,
                "invalid x-stream-offset: first, last, next, an offset or {\"timestamp\": ms}",
                m.kClass, m.kMethod);
            return;
        }
    }
    if (const auto* priority = m.arguments.if_contains("x-priority")) {
        // RabbitMQ's consumer priorities: an integer, higher first.
        const auto* value = priority->if_int64();
        if (value == nullptr || *value < INT32_MIN || *value > INT32_MAX) {
            channel_error(reply::kPreconditionFailed,
                          "invalid arg 'x-priority' for queue '" + m.queue + "' in vhost '" +
                              connection_.vhost() + "': \"expected integer, got " +
                              (priority->is_string() ? "longstr" : "another type") + "\"",
                          m.kClass, m.kMethod);
            return;
        }
        options.priority = static_cast<std::int32_t>(*value);
    }
    if (m.consumer_tag.empty()) {
        options.tag = make_consumer_tag();
    } else if (consumers_.contains(m.consumer_tag)) {
        connection_.connection_error(reply::kNotAllowed,
                                     "attempt to reuse consumer tag '" + m.consumer_tag + "'",
                                     m.kClass, m.kMethod);
        return;
    }
    auto sink = std::make_unique<Sink>(*this, options.tag);
    auto tag = session_->consume(connection_.vhost(), m.queue, options, *sink);
    if (!tag) {
        fail(tag.error(), m);
        return;
    }
    Sink& started = *sink;
    consumers_.emplace(*tag, std::move(sink));
    if (!m.no_wait) {
        send(BasicConsumeOk{*tag});
    }
    started.start(); // deliveries only after consume-ok
    session_->resume();
}

// As RabbitMQ names them (amq.ctag-...), unique on the connection.
std::string AmqpChannel::make_consumer_tag() {
    return "amq.ctag-" + std::to_string(connection_.session_id()) + "." + std::to_string(number_) +
           "." + std::to_string(next_consumer_tag_++);
}

void AmqpChannel::handle(BasicCancel& m) {
    (void)session_->cancel(m.consumer_tag); // an unknown tag is answered cancel-ok too
    if (m.consumer_tag == reply_tag_) {
        reply_tag_.clear(); // the reply queue (auto-delete) went with its consumer
        reply_queue_.clear();
    }
    retire(m.consumer_tag);
    if (!m.no_wait) {
        send(BasicCancelOk{m.consumer_tag});
    }
}

void AmqpChannel::handle(BasicGet& m) {
    auto got = session_->get(connection_.vhost(), m.queue, m.no_ack);
    if (!got) {
        fail(got.error(), m);
        return;
    }
    if (!*got) {
        send(BasicGetEmpty{});
        return;
    }
    const auto& delivery = **got;
    const Message& message = *delivery.message;
    auto& out = connection_.outbox();
    append_method(out, number_,
                  BasicGetOk{delivery.delivery_tag, delivery.redelivered, message.exchange,
                             message.routing_key,
                             static_cast<std::uint32_t>(delivery.message_count)});
    append_content(out, number_, message.properties,
                   message.body ? std::string_view(*message.body) : std::string_view(),
                   connection_.frame_max());
    connection_.wake_writer();
}

void AmqpChannel::handle(BasicAck& m) {
    settle(m);
}

void AmqpChannel::handle(BasicNack& m) {
    settle(m);
}

void AmqpChannel::handle(BasicReject& m) {
    settle(m);
}

void AmqpChannel::settle(const Settlement& s) {
    if (settings_.transactional) {
        tx_settlements_.push_back(s);
        return;
    }
    settle_now(s);
}

void AmqpChannel::settle_now(const Settlement& s) {
    std::visit(
        [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            Result<void> settled;
            if constexpr (std::is_same_v<M, BasicAck>) {
                settled = session_->ack(m.delivery_tag, m.multiple);
            } else if constexpr (std::is_same_v<M, BasicNack>) {
                settled = session_->nack(m.delivery_tag, m.multiple, m.requeue);
            } else {
                settled = session_->reject(m.delivery_tag, m.requeue);
            }
            if (!settled) {
                fail(settled.error(), m);
            }
        },
        s);
}

void AmqpChannel::handle(ChannelFlow& m) {
    // Flow control from the client is acknowledged; deliveries are already paced by credit.
    send(ChannelFlowOk{m.active});
}

} // namespace warren::amqp
