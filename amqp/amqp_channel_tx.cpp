// AmqpChannel's transactions (tx.select, tx.commit, tx.rollback) and basic.recover.
//
// A transactional channel holds its publishes and settlements until tx.commit, applies them in
// the order they came, and answers commit-ok once what they stored is durable (the commit wait
// confirms use); tx.rollback drops them. As RabbitMQ: a channel is in confirm mode or tx mode,
// never both, and deliveries already sent are not taken back by a rollback.

#include "amqp/amqp_channel.hpp"
#include "amqp/amqp_connection.hpp"
#include "amqp/codec/reply_codes.hpp"
#include "server/broker.hpp"

namespace warren::amqp {

void AmqpChannel::handle(TxSelect& m) {
    if (settings_.confirm) {
        channel_error(reply::kPreconditionFailed, "cannot switch from confirm to tx mode", m.kClass,
                      m.kMethod);
        return;
    }
    settings_.transactional = true;
    session_->set_channel_settings(settings_);
    send(TxSelectOk{});
}

void AmqpChannel::handle(TxCommit& m) {
    if (!settings_.transactional) {
        channel_error(reply::kPreconditionFailed, "channel is not transactional", m.kClass,
                      m.kMethod);
        return;
    }
    auto settlements = std::move(tx_settlements_);
    auto publishes = std::move(tx_publishes_);
    tx_settlements_.clear();
    tx_publishes_.clear();
    for (const auto& s : settlements) {
        settle_now(s);
        if (closing_) {
            return; // an unknown delivery tag closed the channel: the rest is dropped
        }
    }
    for (auto& p : publishes) {
        publish_now(std::move(p));
        if (closing_) {
            return;
        }
    }
    // commit-ok once everything stored so far is durable.
    connection_.broker().when_committed([connection = connection_.weak_from_this(),
                                         alive = std::weak_ptr<const bool>(alive_),
                                         this](Result<void> committed) {
        const auto keep = connection.lock();
        if (!keep || alive.expired() || finished_ || closing_) {
            return;
        }
        if (!committed) {
            connection_.connection_error(reply::kInternalError,
                                         "tx.commit: the store failed: " + committed.error().reason,
                                         TxCommit::kClass, TxCommit::kMethod);
            return;
        }
        send(TxCommitOk{});
    });
}

void AmqpChannel::handle(TxRollback& m) {
    if (!settings_.transactional) {
        channel_error(reply::kPreconditionFailed, "channel is not transactional", m.kClass,
                      m.kMethod);
        return;
    }
    tx_publishes_.clear();
    tx_settlements_.clear();
    send(TxRollbackOk{});
}

// Every unacked delivery of the channel goes back to its queue, marked redelivered. As RabbitMQ
// 3.x, requeue=false (hand them back to the same consumers) is a connection error 540.
void AmqpChannel::handle(BasicRecover& m) {
    if (recover(m.requeue, m.kClass, m.kMethod)) {
        send(BasicRecoverOk{});
    }
}

void AmqpChannel::handle(BasicRecoverAsync& m) {
    (void)recover(m.requeue, m.kClass, m.kMethod);
}

bool AmqpChannel::recover(bool requeue, std::uint16_t class_id, std::uint16_t method_id) {
    if (!requeue) {
        connection_.connection_error(reply::kNotImplemented, "requeue=false", class_id, method_id);
        return false;
    }
    (void)session_->nack(0, true, true); // tag 0 + multiple: every unacked delivery
    return true;
}

} // namespace warren::amqp
