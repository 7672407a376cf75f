// WsSession, its broker side: what each client frame does, deliveries and confirms going out.
// All of it runs on the session's strand, which under threading model A is the broker's thread,
// so the Broker and the server::Session are called directly. Permissions are the broker's
// business: every Session call checks the caller's.

#include <utility>
#include <variant>

#include "web/ws_session.hpp"

namespace warren::web {

namespace json = boost::json;

namespace {

const Error kRejected{Errc::rejected, "Unable to publish message. Check queue limits."};

} // namespace

void WsSession::handle_frame(std::string_view text) {
    const ws::ParseContext context{principal_.name, limits_.max_message_size};
    auto parsed = ws::parse_client_frame(text, context);
    if (!parsed) {
        const ws::FrameError& e = parsed.error();
        if (!e.confirm.is_null()) {
            // A refused publish that asked for a confirm: its error takes the confirm's place,
            // in order.
            confirms_.push_ready(e.confirm, false, e.error, e.id);
            flush_confirms();
        } else {
            send(ws::render_error(e));
        }
        return;
    }
    std::visit([this](auto& op) { on_op(op); }, *parsed);
}

void WsSession::on_op(ws::SubscribeOp& op) {
    const json::value id(op.id);
    if (subs_.contains(op.id)) {
        send_error(make_error(Errc::precondition_failed,
                              "subscription id '" + op.id + "' is already in use"),
                   id);
        return;
    }
    if (subs_.size() >= limits_.max_subscriptions) {
        send_error(make_error(Errc::precondition_failed,
                              "too many subscriptions on this socket (the limit is " +
                                  std::to_string(limits_.max_subscriptions) + ")"),
                   id);
        return;
    }
    auto sink = std::make_unique<Sink>(*this, op.id);
    server::ConsumeOptions options;
    options.tag = op.id;
    options.prefetch = op.auto_ack ? 0 : op.prefetch;
    options.auto_ack = op.auto_ack;
    options.exclusive = op.exclusive;
    options.stream_start = op.offset;
    options.stream_consumer = op.consumer;
    // The sink is not started yet, so nothing is delivered before `subscribed` is queued. An
    // exchange subscription consumes from a server-named queue of its own (exclusive to this
    // session, auto-deleted when the consumer goes).
    std::string queue;
    std::string subscribed;
    if (!op.group.empty()) {
        // A group's partitions are read as streams; `queue` names the topic's exchange.
        auto joined =
            session_->subscribe_group(op.vhost, *op.exchange, op.group, std::move(options), *sink);
        if (!joined) {
            send_error(joined.error(), id);
            return;
        }
        queue = *op.exchange;
        subscribed = ws::render_subscribed_group(op.id, queue, op.group, *joined);
    } else if (op.queue) {
        auto consumed = session_->consume(op.vhost, *op.queue, std::move(options), *sink);
        if (!consumed) {
            send_error(consumed.error(), id);
            return;
        }
        queue = *op.queue;
    } else {
        auto made = session_->subscribe_exchange(op.vhost, *op.exchange, op.binding_key,
                                                 op.arguments, std::move(options), *sink);
        if (!made) {
            send_error(made.error(), id);
            return;
        }
        queue = std::move(*made);
    }
    send(subscribed.empty() ? ws::render_subscribed(op.id, queue) : subscribed);
    Sink& started = *sink;
    const bool server_named = op.exchange.has_value() && op.group.empty();
    subs_.emplace(op.id, Subscription{op.vhost, queue, server_named, std::move(sink)});
    started.start();
    session_->resume();
}

void WsSession::on_op(ws::UnsubscribeOp& op) {
    auto it = subs_.find(op.id);
    if (it == subs_.end()) {
        send_error(make_error(Errc::not_found, "no subscription '" + op.id + "'"),
                   json::value(op.id));
        return;
    }
    // Unacked deliveries stay with the connection (AMQP): they can still be acked, and are
    // requeued when the socket closes. An exchange subscription's queue auto-deletes here.
    (void)session_->cancel(op.id);
    retire(it);
}

void WsSession::on_op(ws::AckOp& op) {
    if (auto done = session_->ack(op.tag, op.multiple); !done) {
        send_error(done.error(), op.id);
    }
}

void WsSession::on_op(ws::NackOp& op) {
    if (auto done = session_->nack(op.tag, op.multiple, op.requeue); !done) {
        send_error(done.error(), op.id);
    }
}

void WsSession::on_op(ws::RejectOp& op) {
    if (auto done = session_->reject(op.tag, op.requeue); !done) {
        send_error(done.error(), op.id);
    }
}

void WsSession::on_op(ws::PublishOp& op) {
    std::optional<Error> error;
    bool routed = false;
    bool stored = false;
    bool duplicate = false;
    auto outcome = session_->publish(op.vhost, op.exchange, std::move(op.message));
    if (!outcome) {
        error = outcome.error();
    } else {
        routed = outcome->routed;
        stored = outcome->stored;
        duplicate = outcome->duplicate;
        if (outcome->rejected) {
            error = kRejected;
        }
    }
    if (!op.confirm) {
        if (error) {
            send_error(*error, op.id);
        }
        return;
    }
    if (stored) {
        // Confirmed only once committed (DESIGN.md 2). Confirms leave in publish order: this one
        // holds back later ones until its commit completes. The reader asks for that commit
        // once it has handled the frames it read (request_commit).
        uncommitted_through_ = confirms_.push_pending(*op.confirm, routed, error, op.id, duplicate);
    } else {
        confirms_.push_ready(*op.confirm, routed, error, op.id, duplicate);
    }
    flush_confirms();
}

void WsSession::on_op(ws::PingOp& op) {
    send(ws::render_pong(op.id));
}

void WsSession::request_commit() {
    if (uncommitted_through_ == 0) {
        return;
    }
    // Every publish read so far is in the broker's pending batch: the next commit covers them
    // all, and commits complete in order, so one wait answers the whole burst.
    const std::uint64_t through = std::exchange(uncommitted_through_, 0);
    broker_.when_committed([weak = weak_from_this(), through](Result<void> committed) {
        if (auto self = weak.lock()) {
            self->on_committed(through, committed);
        }
    });
}

void WsSession::on_committed(std::uint64_t through, const Result<void>& committed) {
    if (stopped_) {
        return;
    }
    confirms_.complete_through(through, committed);
    flush_confirms();
}

void WsSession::flush_confirms() {
    if (stopped_) {
        return;
    }
    if (confirms_.take_ready(outbox_) > 0) {
        wake_writer();
    }
    if (confirms_.size() <= limits_.max_pending_confirms) {
        wake_reader(); // a reader paused on pending confirms may go on
    }
}

void WsSession::send(std::string_view frame) {
    if (stopped_) {
        return;
    }
    outbox_.push_text(frame);
    wake_writer();
}

void WsSession::send_error(const Error& error, const json::value& id) {
    send(ws::render_error(error, id));
}

bool WsSession::accepting_deliveries() const {
    return !stopped_ && !closing_ && outbox_.has_room();
}

void WsSession::on_delivery(const std::string& sub, const server::Delivery& delivery) {
    if (stopped_) {
        return;
    }
    std::string& frame = outbox_.scratch();
    ws::append_message(frame, sub, delivery);
    outbox_.push_text(frame);
    wake_writer();
}

void WsSession::on_cancelled(const std::string& sub) {
    auto it = subs_.find(sub);
    if (it == subs_.end()) {
        return;
    }
    send(ws::render_cancelled(sub, it->second.queue));
    retire(it);
}

void WsSession::retire(std::map<std::string, Subscription, std::less<>>::iterator it) {
    // The sink may be the caller (cancelled()): keep it alive until the reader's next turn.
    retired_.push_back(std::move(it->second.sink));
    subs_.erase(it);
}

} // namespace warren::web
