#include "amqp/amqp_channel.hpp"

#include <spdlog/spdlog.h>

#include "amqp/amqp_connection.hpp"
#include "amqp/codec/reply_codes.hpp"
#include "server/broker.hpp"

namespace warren::amqp {

AmqpChannel::AmqpChannel(AmqpConnection& connection, std::uint16_t number)
    : connection_(connection), number_(number) {
    server::SessionInfo info;
    info.name = connection.name() + " (" + std::to_string(number) + ")";
    info.protocol = "AMQP 0-9-1";
    info.parent = connection.session_id();
    info.channel = number;
    session_ = connection.broker().open_session(connection.principal(), info);
}

AmqpChannel::~AmqpChannel() {
    session_.reset(); // consumers cancelled before their sinks go
    consumers_.clear();
}

bool AmqpChannel::accepting_deliveries() const {
    return connection_.accepting_deliveries();
}

void AmqpChannel::send(const Method& method) {
    append_method(connection_.outbox(), number_, method);
    connection_.wake_writer();
}

void AmqpChannel::resume() {
    if (session_) {
        session_->resume();
    }
}

void AmqpChannel::on_frame(const Frame& frame) {
    if (closing_) {
        // After our channel.close only its close-ok (or the client's own close) counts.
        if (frame.type == FrameType::method) {
            auto decoded = decode_method(frame.payload);
            if (decoded.method && std::holds_alternative<ChannelCloseOk>(*decoded.method)) {
                finished_ = true;
            } else if (decoded.method && std::holds_alternative<ChannelClose>(*decoded.method)) {
                send(ChannelCloseOk{});
                finished_ = true;
            }
        }
        return;
    }
    switch (frame.type) {
    case FrameType::method: {
        if (publishing_) {
            connection_.connection_error(reply::kUnexpectedFrame,
                                         "expected content header for class 60, got non content "
                                         "header frame instead");
            return;
        }
        auto decoded = decode_method(frame.payload);
        if (!decoded.method) {
            connection_.connection_error(decoded.error.reply_code, decoded.error.text,
                                         decoded.error.class_id, decoded.error.method_id);
            return;
        }
        on_method(*decoded.method);
        return;
    }
    case FrameType::header:
        on_header(frame.payload);
        return;
    case FrameType::body:
        on_body(frame.payload);
        return;
    case FrameType::heartbeat:
        return; // the connection handles these on channel 0 only
    }
}

void AmqpChannel::on_method(Method& method) {
    if (std::holds_alternative<ChannelClose>(method)) {
        session_.reset(); // unacked deliveries requeued, consumers gone
        consumers_.clear();
        send(ChannelCloseOk{});
        finished_ = true;
        return;
    }
    if (std::holds_alternative<ChannelCloseOk>(method)) {
        finished_ = true;
        return;
    }
    std::visit(
        [&](auto& m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (requires(AmqpChannel & c, M & x) { c.handle(x); }) {
                handle(m);
            } else if constexpr (M::kClass == 60 || M::kClass == 85 || M::kClass == 40 ||
                                 M::kClass == 50) {
                // Known to the spec, not served (tx, recover, ...): RabbitMQ's NOT_IMPLEMENTED.
                connection_.connection_error(reply::kNotImplemented,
                                             std::string(M::kName) + " is not implemented",
                                             M::kClass, M::kMethod);
            } else {
                connection_.connection_error(reply::kCommandInvalid,
                                             "unexpected method " + std::string(M::kName) +
                                                 " on channel " + std::to_string(number_),
                                             M::kClass, M::kMethod);
            }
        },
        method);
}

void AmqpChannel::channel_error(std::uint16_t code, const std::string& text, std::uint16_t class_id,
                                std::uint16_t method_id) {
    send(ChannelClose{code, (std::string(reply::name(code)) + " - " + text).substr(0, 255),
                      class_id, method_id});
    closing_ = true;
    publishing_.reset();
    session_.reset(); // as RabbitMQ: the channel's unacked deliveries are requeued at once
    consumers_.clear();
    // Confirms already owed still go out? No: a closed channel's confirms are lost (RabbitMQ).
    confirms_.clear();
}

void AmqpChannel::fail(const Error& error, const Method& m) {
    const auto class_id = class_id_of(m);
    const auto method_id = method_id_of(m);
    switch (error.code) {
    case Errc::not_found:
        channel_error(reply::kNotFound, error.reason, class_id, method_id);
        return;
    case Errc::access_refused:
    case Errc::permission_denied:
    case Errc::not_authorized:
        channel_error(reply::kAccessRefused, error.reason, class_id, method_id);
        return;
    case Errc::resource_locked:
        channel_error(reply::kResourceLocked, error.reason, class_id, method_id);
        return;
    case Errc::precondition_failed:
    case Errc::bad_request:
    case Errc::too_large:
    case Errc::rejected:
    case Errc::resource_alarm:
        channel_error(reply::kPreconditionFailed, error.reason, class_id, method_id);
        return;
    case Errc::method_not_allowed:
        connection_.connection_error(reply::kCommandInvalid, error.reason, class_id, method_id);
        return;
    case Errc::connection_forced:
        connection_.connection_error(reply::kConnectionForced, error.reason, class_id, method_id);
        return;
    case Errc::internal:
        connection_.connection_error(reply::kInternalError, error.reason, class_id, method_id);
        return;
    }
}

// ---- publishing ------------------------------------------------------------------------------

void AmqpChannel::on_header(std::string_view payload) {
    if (!publishing_ || publishing_->header) {
        connection_.connection_error(reply::kUnexpectedFrame,
                                     "expected method frame, got non method frame instead");
        return;
    }
    auto header = decode_content_header(payload);
    if (!header) {
        connection_.connection_error(reply::kFrameError, header.error().reason);
        return;
    }
    if (header->class_id != kBasicClass) {
        connection_.connection_error(reply::kFrameError, "content header for class " +
                                                             std::to_string(header->class_id) +
                                                             ", expected 60");
        return;
    }
    const std::uint64_t limit = connection_.limits().max_message_size;
    if (header->body_size > limit) {
        channel_error(reply::kPreconditionFailed,
                      "message size " + std::to_string(header->body_size) +
                          " is larger than configured max size " + std::to_string(limit),
                      BasicPublish::kClass, BasicPublish::kMethod);
        return;
    }
    publishing_->body.reserve(header->body_size);
    publishing_->header = std::move(*header);
    if (publishing_->header->body_size == 0) {
        auto done = std::move(*publishing_);
        publishing_.reset();
        publish(std::move(done));
    }
}

void AmqpChannel::on_body(std::string_view payload) {
    if (!publishing_ || !publishing_->header) {
        connection_.connection_error(reply::kUnexpectedFrame,
                                     "expected method frame, got non method frame instead");
        return;
    }
    publishing_->body.append(payload);
    if (publishing_->body.size() > publishing_->header->body_size) {
        connection_.connection_error(reply::kFrameError,
                                     "content body longer than its header's body size " +
                                         std::to_string(publishing_->header->body_size));
        return;
    }
    if (publishing_->body.size() == publishing_->header->body_size) {
        auto done = std::move(*publishing_);
        publishing_.reset();
        publish(std::move(done));
    }
}

void AmqpChannel::handle(BasicPublish& m) {
    if (m.immediate) {
        connection_.connection_error(reply::kNotImplemented, "immediate=true", m.kClass, m.kMethod);
        return;
    }
    connection_.on_publishing();
    publishing_.emplace();
    publishing_->method = std::move(m);
}

void AmqpChannel::publish(Publishing p) {
    Properties& properties = p.header->properties;
    // RabbitMQ checks a claimed user id against the login.
    if (properties.user_id && *properties.user_id != connection_.principal().name) {
        channel_error(reply::kPreconditionFailed,
                      "user_id property set to '" + *properties.user_id +
                          "' but authenticated user was '" + connection_.principal().name + "'",
                      BasicPublish::kClass, BasicPublish::kMethod);
        return;
    }
    if (!route_replies(properties)) {
        return;
    }
    if (settings_.transactional) {
        // Held until tx.commit; an exchange that does not exist fails now, as in RabbitMQ.
        if (auto found = connection_.broker().exchange(connection_.principal(), connection_.vhost(),
                                                       p.method.exchange);
            !found) {
            fail(found.error(), p.method);
            return;
        }
        tx_publishes_.push_back(std::move(p));
        return;
    }
    publish_now(std::move(p));
}

void AmqpChannel::publish_now(Publishing p) {
    const std::uint64_t seq = settings_.confirm ? next_publish_seq_++ : 0;
    auto message = std::make_shared<const Message>(
        Message{p.method.exchange, p.method.routing_key, std::move(p.header->properties),
                std::make_shared<const std::string>(std::move(p.body))});
    auto outcome = session_->publish(connection_.vhost(), p.method.exchange, message);
    if (!outcome) {
        if (outcome.error().code == Errc::resource_alarm && settings_.confirm) {
            // Refused under an alarm (the publisher may retry): nacked in order, after the
            // commit the publishes before it wait for.
            confirms_.push_back({seq, true});
            uncommitted_ = seq;
            return;
        }
        fail(outcome.error(), p.method);
        return;
    }
    if (!outcome->routed && !outcome->duplicate && p.method.mandatory) {
        auto& out = connection_.outbox();
        append_method(
            out, number_,
            BasicReturn{reply::kNoRoute, "NO_ROUTE", p.method.exchange, p.method.routing_key});
        append_content(out, number_, message->properties, *message->body, connection_.frame_max());
        connection_.wake_writer();
    }
    if (settings_.confirm) {
        confirms_.push_back({seq, outcome->rejected});
        uncommitted_ = seq;
    }
}

void AmqpChannel::handle(ConfirmSelect& m) {
    if (settings_.transactional) {
        channel_error(reply::kPreconditionFailed, "cannot switch from tx to confirm mode", m.kClass,
                      m.kMethod);
        return;
    }
    settings_.confirm = true;
    session_->set_channel_settings(settings_);
    if (!m.no_wait) {
        send(ConfirmSelectOk{});
    }
}

void AmqpChannel::after_frames() {
    retired_.clear();
    if (closing_ || confirms_.empty()) {
        return;
    }
    if (uncommitted_ <= committed_) {
        flush_confirms();
        return;
    }
    // Everything published so far on this channel is confirmed by one commit.
    if (uncommitted_ <= waiting_) {
        return; // a commit wait covers them already
    }
    const std::uint64_t through = uncommitted_;
    waiting_ = through;
    // The connection (and with it this channel) may be gone when the commit lands.
    connection_.broker().when_committed([connection = connection_.weak_from_this(),
                                         alive = std::weak_ptr<const bool>(alive_), this,
                                         through](Result<void> committed) {
        const auto keep = connection.lock();
        if (!keep || alive.expired() || finished_ || closing_) {
            return;
        }
        if (!committed) {
            // Not durable: nack what waited for this commit.
            for (auto& c : confirms_) {
                if (c.seq <= through) {
                    c.nack = true;
                }
            }
        }
        committed_ = std::max(committed_, through);
        flush_confirms();
    });
}

// Sends the confirms whose commit is done, in order: runs of acks as one multiple ack, each nack
// on its own.
void AmqpChannel::flush_confirms() {
    std::uint64_t ack_through = 0;
    auto& out = connection_.outbox();
    while (!confirms_.empty() && confirms_.front().seq <= committed_) {
        const Confirm c = confirms_.front();
        confirms_.pop_front();
        if (c.nack) {
            if (ack_through != 0) {
                append_method(out, number_, BasicAck{ack_through, true});
                ack_through = 0;
            }
            append_method(out, number_, BasicNack{c.seq, false, false});
        } else {
            ack_through = c.seq;
        }
    }
    if (ack_through != 0) {
        append_method(out, number_, BasicAck{ack_through, true});
    }
    connection_.wake_writer();
}

// ---- consuming -------------------------------------------------------------------------------

// A sink whose call may still be on the stack (it is the one cancelling) lives until the next
// batch of frames.
void AmqpChannel::retire(const std::string& tag) {
    if (auto it = consumers_.find(tag); it != consumers_.end()) {
        retired_.push_back(std::move(it->second));
        consumers_.erase(it);
    }
}

void AmqpChannel::on_delivery(const std::string& tag, const server::Delivery& delivery) {
    auto& out = connection_.outbox();
    const Message& message = *delivery.message;
    append_method(out, number_,
                  BasicDeliver{tag, delivery.delivery_tag, delivery.redelivered, message.exchange,
                               message.routing_key});
    append_content(out, number_, message.properties,
                   message.body ? std::string_view(*message.body) : std::string_view(),
                   connection_.frame_max());
    connection_.wake_writer();
}

void AmqpChannel::on_cancelled(const std::string& tag) {
    if (tag == reply_tag_) {
        reply_tag_.clear();
        reply_queue_.clear();
    }
    // The queue went: tell a client that understands it (consumer_cancel_notify).
    if (connection_.wants_cancel_notify()) {
        send(BasicCancel{tag, true});
    }
    retire(tag);
}

} // namespace warren::amqp
