#include "server/queue.hpp"

#include <algorithm>
#include <functional>

#include "server/connection.hpp"
#include "server/core.hpp"
#include "server/vhost.hpp"

namespace warren::server {

std::string_view to_string(DeadLetterReason reason) {
    switch (reason) {
    case DeadLetterReason::rejected:
        return "rejected";
    case DeadLetterReason::expired:
        return "expired";
    case DeadLetterReason::maxlen:
        return "maxlen";
    case DeadLetterReason::delivery_limit:
        return "delivery_limit";
    }
    return "rejected";
}

Queue::Queue(Vhost& vhost, std::uint64_t id, QueueSpec spec, QueueArguments arguments,
             std::uint64_t owner, Millis now)
    : vhost_(vhost), id_(id), spec_(std::move(spec)), arguments_(std::move(arguments)),
      owner_(owner), ready_(arguments_.group_by, arguments_.group_max_in_flight), last_used_(now) {
    if (arguments_.dedup) {
        dedup_ = std::make_unique<Deduplication>(*arguments_.dedup, queue_scope(id_));
    }
    if (arguments_.stream) {
        stream_ = std::make_unique<StreamLog>(*this, *arguments_.stream);
    }
}

bool Queue::journal_enabled() const {
    return vhost_.core().journal().enabled();
}

void Queue::journal_removed(const QueueEntry& entry) {
    if (entry.message_id != 0) {
        vhost_.core().journal().batch().removed.push_back({id_, entry.seq});
    }
}

// A purge removes every stored entry that is ready, and none that is out with a consumer: the
// seq span of the ready entries, cut around the unacked ones (which are few, at most prefetch
// per consumer). Anything else inside the span was acked already.
void Queue::journal_purge() {
    std::uint64_t low = UINT64_MAX;
    std::uint64_t high = 0;
    ready_.for_each([&](const QueueEntry& entry) {
        if (entry.message_id != 0) {
            low = std::min(low, entry.seq);
            high = std::max(high, entry.seq);
        }
    });
    if (paged_.count > 0) {
        // Paged-out entries are all ready and newer than anything in memory.
        low = std::min(low, paged_.next_seq);
        high = std::max(high, next_seq_ - 1);
    }
    if (low > high) {
        return;
    }
    auto& purged = vhost_.core().journal().batch().purged;
    std::uint64_t from = low;
    for (auto it = unacked_persisted_.lower_bound(low);
         it != unacked_persisted_.end() && *it <= high; ++it) {
        if (*it > from) {
            purged.push_back({id_, from, *it - 1});
        }
        from = *it + 1;
    }
    if (from <= high) {
        purged.push_back({id_, from, high});
    }
}

void Queue::restore(QueueEntry entry) {
    next_seq_ = std::max(next_seq_, entry.seq + 1);
    push_ready(std::move(entry));
}

bool Queue::enqueue(MessagePtr message, std::uint64_t message_id, Millis now) {
    if (deleted_) {
        return false;
    }
    if (stream_) {
        QueueEntry entry{std::move(message), next_seq_++, message_id, kNever, 0};
        entry.timestamp = now;
        ++stats_.publish;
        stream_->append(std::move(entry));
        stream_->enforce_retention(now); // by size, and by age on the way
        dispatch();
        return true;
    }
    std::optional<Millis> ttl = arguments_.message_ttl;
    if (message->properties.expiration) {
        if (auto per_message = parse_expiration(*message->properties.expiration)) {
            ttl = ttl ? std::min(*ttl, *per_message) : *per_message;
        }
    }
    if (arguments_.overflow == Overflow::reject_publish && over_limit(1, message->body_size())) {
        ++stats_.rejected;
        return false;
    }
    if (should_page_out()) {
        ++stats_.publish;
        if (ttl && *ttl == 0) {
            // Behind a backlog nothing is deliverable "now": it expires at once, as RabbitMQ.
            QueueEntry expired{std::move(message), next_seq_++, message_id, now, 0};
            if (message_id != 0) {
                vhost_.core().journal().batch().entries.push_back(
                    {id_, expired.seq, message_id, now, 0,
                     static_cast<std::uint32_t>(expired.bytes())});
            }
            ++stats_.expired;
            dead_letter(std::move(expired), DeadLetterReason::expired);
            return true;
        }
        page_out(message, message_id, ttl ? now + *ttl : kNever);
        return true;
    }
    const MessagePtr zero_ttl = ttl && *ttl == 0 ? message : nullptr; // for the check below
    QueueEntry entry{std::move(message), next_seq_++, message_id, ttl ? now + *ttl : kNever, 0};
    const std::uint64_t seq = entry.seq;
    if (message_id != 0) {
        vhost_.core().journal().batch().entries.push_back(
            {id_, seq, message_id, entry.expires_at, 0, static_cast<std::uint32_t>(entry.bytes())});
    }
    ++stats_.publish;
    push_ready(std::move(entry));
    auto self = shared_from_this();
    dispatch();
    // TTL 0: "expire unless it can be delivered right now" (RabbitMQ).
    if (zero_ttl) {
        if (auto expired = pop_newest_ready(seq, *zero_ttl)) {
            ++stats_.expired;
            dead_letter(std::move(*expired), DeadLetterReason::expired);
        }
    }
    enforce_length_limit();
    return true;
}

Result<Consumer*> Queue::add_consumer(Connection& connection, DeliverySink& sink,
                                      ConsumeOptions options) {
    const bool exclusive_in_use = std::any_of(consumers_.begin(), consumers_.end(),
                                              [](const auto& c) { return c->options.exclusive; });
    if (exclusive_in_use || (options.exclusive && !consumers_.empty())) {
        return make_error(Errc::access_refused, "queue '" + name() + "' in vhost '" +
                                                    vhost_.name() + "' in exclusive use");
    }
    auto consumer = std::make_unique<Consumer>();
    consumer->id = next_consumer_id_++;
    if (stream_) {
        if (auto ok = stream_->add_reader(consumer->id, options); !ok) {
            return ok.error();
        }
    } else if (options.stream_start || !options.stream_consumer.empty()) {
        return make_error(Errc::bad_request, "an offset or a consumer name needs a stream; " +
                                                 describe("queue", name(), vhost_.name()) +
                                                 " is not one");
    }
    consumer->tag = options.tag;
    consumer->connection = &connection;
    consumer->sink = &sink;
    consumer->options = std::move(options);
    Consumer* raw = consumer.get();
    consumers_.push_back(std::move(consumer));
    had_consumer_ = true;
    note_priorities();
    dispatch();
    return raw;
}

void Queue::remove_consumer(std::uint64_t consumer_id) {
    auto it = std::find_if(consumers_.begin(), consumers_.end(),
                           [&](const auto& c) { return c->id == consumer_id; });
    if (it == consumers_.end()) {
        return;
    }
    const auto index = static_cast<std::size_t>(it - consumers_.begin());
    consumers_.erase(it);
    note_priorities();
    if (stream_) {
        stream_->remove_reader(consumer_id); // a standby of its name may take over
    }
    if (round_robin_ > index) {
        --round_robin_;
    }
    auto self = shared_from_this();
    last_used_ = vhost_.core().clock().now();
    if (consumers_.empty() && had_consumer_ && spec_.auto_delete) {
        vhost_.remove_queue(*this);
        return;
    }
    dispatch(); // a standby consumer may have become active
}

const Consumer* Queue::active_consumer() const {
    if (!arguments_.single_active_consumer || consumers_.empty()) {
        return nullptr;
    }
    return consumers_.front().get();
}

void Queue::dispatch() {
    if (deleted_) {
        return;
    }
    if (dispatching_) {
        dispatch_again_ = true; // a sink called back into us; the running loop picks it up
        return;
    }
    auto self = shared_from_this();
    dispatching_ = true;
    do {
        dispatch_again_ = false;
        const Millis now = vhost_.core().clock().now();
        while (!deleted_) {
            if (stream_) {
                if (!dispatch_stream_one()) {
                    break;
                }
                continue;
            }
            drop_expired_head(now);
            if (ready_.empty() || !dispatch_one()) {
                break;
            }
        }
    } while (dispatch_again_ && !deleted_);
    dispatching_ = false;
    maybe_page_in();
}

// One delivery, or false when no consumer with credit may take anything now. Consumers are asked
// in round-robin order (under single active consumer, only the first) for the entry each may
// take: in a plain queue the head, in a grouped one the oldest of its own groups' heads and the
// free groups'.
bool Queue::dispatch_one() {
    if (priority_levels_.size() > 1 && !arguments_.single_active_consumer) {
        for (const std::int32_t level : priority_levels_) {
            if (dispatch_one(&level)) {
                return true;
            }
        }
        return false;
    }
    return dispatch_one(nullptr);
}

// Consumer priorities in use: the distinct levels, highest first (one level: none in effect).
void Queue::note_priorities() {
    priority_levels_.clear();
    for (const auto& c : consumers_) {
        priority_levels_.push_back(c->options.priority);
    }
    std::sort(priority_levels_.begin(), priority_levels_.end(), std::greater<>());
    priority_levels_.erase(std::unique(priority_levels_.begin(), priority_levels_.end()),
                           priority_levels_.end());
}

// One delivery to a consumer of priority `*level` (any, when null).
bool Queue::dispatch_one(const std::int32_t* level) {
    const std::size_t n = consumers_.size();
    const std::size_t first = arguments_.single_active_consumer ? 0 : round_robin_;
    const std::size_t tries = arguments_.single_active_consumer ? std::min<std::size_t>(n, 1) : n;
    for (std::size_t i = 0; i < tries; ++i) {
        const std::size_t index = (first + i) % n;
        Consumer& consumer = *consumers_[index];
        if ((level != nullptr && consumer.options.priority != *level) || !consumer.has_credit()) {
            continue;
        }
        if (auto entry = take_ready(consumer.id, !consumer.options.auto_ack)) {
            round_robin_ = (index + 1) % n;
            deliver(consumer, std::move(*entry));
            return true;
        }
    }
    return false;
}

void Queue::deliver(Consumer& consumer, QueueEntry entry) {
    ++entry.delivery_count;
    ++stats_.deliver;
    if (entry.delivery_count > 1) {
        ++stats_.redeliver;
    }
    ++consumer.delivered;
    if (entry.message_id != 0) {
        if (consumer.options.auto_ack) {
            journal_removed(entry);
        } else {
            vhost_.core().journal().batch().deliveries.push_back(
                {{id_, entry.seq}, entry.delivery_count});
            unacked_persisted_.insert(entry.seq);
        }
    }
    Delivery delivery;
    delivery.consumer_tag = consumer.tag;
    delivery.queue = name();
    delivery.redelivered = entry.delivery_count > 1;
    delivery.delivery_count = entry.delivery_count;
    delivery.message = entry.message;
    if (stream_) {
        delivery.stream_offset = offset_of(entry);
        delivery.timestamp = entry.timestamp;
    }
    delivery.delivery_tag = consumer.connection->next_delivery_tag();
    if (!consumer.options.auto_ack) {
        ++unacked_;
        ++consumer.unacked;
        consumer.connection->track(delivery.delivery_tag, shared_from_this(), consumer.id,
                                   std::move(entry));
    }
    // The sink may call back into the broker (ack, cancel, close): touch nothing of
    // `consumer` after this line.
    consumer.sink->deliver(delivery);
}

void Queue::release(Consumer* consumer, std::uint64_t count) {
    unacked_ -= std::min(unacked_, count);
    if (consumer != nullptr) {
        consumer->unacked -=
            static_cast<std::uint32_t>(std::min<std::uint64_t>(consumer->unacked, count));
    }
}

Consumer* Queue::find_consumer(std::uint64_t consumer_id) const {
    for (const auto& c : consumers_) {
        if (c->id == consumer_id) {
            return c.get();
        }
    }
    return nullptr;
}

void Queue::on_acked(std::uint64_t consumer_id, const std::vector<QueueEntry>& entries) {
    if (deleted_) {
        return;
    }
    if (stream_) {
        on_stream_acked(consumer_id, entries);
        return;
    }
    release(find_consumer(consumer_id), entries.size());
    for (const auto& entry : entries) {
        settle(consumer_id, entry);
        unacked_persisted_.erase(entry.seq);
        journal_removed(entry);
    }
    stats_.ack += entries.size();
    dispatch();
}

void Queue::on_returned(std::uint64_t consumer_id, std::vector<QueueEntry> entries) {
    if (deleted_) {
        return;
    }
    auto self = shared_from_this();
    if (stream_) {
        on_stream_returned(consumer_id, entries.size());
        return;
    }
    release(find_consumer(consumer_id), entries.size());
    for (const auto& entry : entries) {
        settle(consumer_id, entry);
        unacked_persisted_.erase(entry.seq);
    }
    // Newest first onto the front, so the head ends in the original order.
    std::sort(entries.begin(), entries.end(),
              [](const QueueEntry& a, const QueueEntry& b) { return a.seq > b.seq; });
    for (auto& entry : entries) {
        if (arguments_.delivery_limit && entry.delivery_count > *arguments_.delivery_limit) {
            dead_letter(std::move(entry), DeadLetterReason::delivery_limit);
            continue;
        }
        push_front_ready(std::move(entry));
    }
    dispatch();
}

void Queue::on_rejected(std::uint64_t consumer_id, std::vector<QueueEntry> entries) {
    if (deleted_) {
        return;
    }
    auto self = shared_from_this();
    if (stream_) {
        on_returned(consumer_id, std::move(entries));
        return;
    }
    release(find_consumer(consumer_id), entries.size());
    for (auto& entry : entries) {
        settle(consumer_id, entry);
        unacked_persisted_.erase(entry.seq);
        dead_letter(std::move(entry), DeadLetterReason::rejected);
    }
    dispatch();
}

std::optional<GotEntry> Queue::get_held(Millis now) {
    auto self = shared_from_this();
    touch(now);
    drop_expired_head(now);
    auto taken = take_ready(0, false);
    if (!taken) {
        maybe_page_in();
        return std::nullopt;
    }
    QueueEntry entry = std::move(*taken);
    ++entry.delivery_count;
    ++stats_.get;
    if (entry.delivery_count > 1) {
        ++stats_.redeliver;
    }
    if (entry.message_id != 0) {
        vhost_.core().journal().batch().deliveries.push_back(
            {{id_, entry.seq}, entry.delivery_count});
        unacked_persisted_.insert(entry.seq);
    }
    ++unacked_;
    const std::uint64_t left = ready_.size();
    maybe_page_in();
    return GotEntry{std::move(entry), left};
}

std::vector<GotEntry> Queue::get(std::size_t count, GetMode mode, Millis now) {
    auto self = shared_from_this();
    touch(now);
    std::vector<GotEntry> out;
    while (out.size() < count) {
        drop_expired_head(now);
        auto taken = take_ready(0, false); // a get holds nothing: it settles at once
        if (!taken) {
            break;
        }
        QueueEntry entry = std::move(*taken);
        ++entry.delivery_count;
        if (entry.message_id != 0 &&
            (mode == GetMode::ack_requeue_true || mode == GetMode::reject_requeue_true)) {
            vhost_.core().journal().batch().deliveries.push_back(
                {{id_, entry.seq}, entry.delivery_count});
        }
        ++stats_.get;
        if (entry.delivery_count > 1) {
            ++stats_.redeliver;
        }
        out.push_back(GotEntry{std::move(entry), ready_.size()});
    }
    std::vector<QueueEntry> settled;
    settled.reserve(out.size());
    for (const auto& got : out) {
        settled.push_back(got.entry);
    }
    switch (mode) {
    case GetMode::ack_requeue_true:
    case GetMode::reject_requeue_true:
        unacked_ += settled.size(); // on_returned releases them again
        on_returned(0, std::move(settled));
        break;
    case GetMode::ack_requeue_false:
        stats_.ack += settled.size();
        for (const auto& entry : settled) {
            journal_removed(entry);
        }
        break;
    case GetMode::reject_requeue_false:
        unacked_ += settled.size();
        on_rejected(0, std::move(settled));
        break;
    }
    maybe_page_in();
    return out;
}

std::uint64_t Queue::purge() {
    if (persists()) {
        journal_purge();
    }
    const std::uint64_t count = messages_ready();
    clear_ready();
    forget_paged();
    return count;
}

Millis Queue::run_timers(Millis now) {
    auto self = shared_from_this();
    if (stream_) {
        return stream_->enforce_retention(now);
    }
    drop_expired_head(now);
    Millis due = kNever;
    if (!ready_.empty() && ready_.front().expires_at != kNever) {
        due = ready_.front().expires_at + 1;
    }
    if (arguments_.expires && consumers_.empty()) {
        due = std::min(due, last_used_ + *arguments_.expires);
    }
    return due;
}

bool Queue::unused_since_expiry(Millis now) const {
    return arguments_.expires && consumers_.empty() && now - last_used_ >= *arguments_.expires;
}

void Queue::mark_deleted() {
    if (deleted_) {
        return;
    }
    deleted_ = true;
    auto consumers = std::move(consumers_);
    consumers_.clear();
    for (auto& consumer : consumers) {
        consumer->connection->forget_consumer(*this, consumer->id);
        consumer->sink->cancelled(consumer->tag);
    }
    clear_ready();
    forget_paged();
}

void Queue::drop_expired_head(Millis now) {
    while (!ready_.empty() && ready_.front().expires_at < now) {
        ++stats_.expired;
        remove_head(DeadLetterReason::expired);
    }
}

bool Queue::over_limit(std::uint64_t extra_messages, std::uint64_t extra_bytes) const {
    return (arguments_.max_length && messages_ready() + extra_messages > *arguments_.max_length) ||
           (arguments_.max_length_bytes &&
            ready_bytes() + extra_bytes > *arguments_.max_length_bytes);
}

void Queue::enforce_length_limit() {
    if (arguments_.overflow != Overflow::drop_head) {
        return;
    }
    while (!ready_.empty() && over_limit(0, 0)) {
        remove_head(DeadLetterReason::maxlen);
    }
}

void Queue::remove_head(DeadLetterReason reason) {
    dead_letter(pop_ready(), reason);
}

void Queue::dead_letter(QueueEntry entry, DeadLetterReason reason) {
    journal_removed(entry);
    if (!arguments_.dead_letter_exchange) {
        ++stats_.dropped;
        return;
    }
    ++stats_.dead_lettered;
    vhost_.dead_letter(*this, entry, reason);
}

// Every entry entering or leaving memory goes through these, which keep the queue's byte
// count and the broker's memory account.
void Queue::push_ready(QueueEntry entry) {
    ready_bytes_ += entry.bytes();
    vhost_.core().account_memory(static_cast<std::int64_t>(entry.bytes() + kEntryOverhead));
    ready_.push_back(std::move(entry));
}

void Queue::push_front_ready(QueueEntry entry) {
    ready_bytes_ += entry.bytes();
    vhost_.core().account_memory(static_cast<std::int64_t>(entry.bytes() + kEntryOverhead));
    ready_.push_front(std::move(entry));
}

QueueEntry Queue::pop_ready() {
    QueueEntry entry = std::move(ready_.front());
    ready_.pop_front();
    ready_bytes_ -= entry.bytes();
    vhost_.core().account_memory(-static_cast<std::int64_t>(entry.bytes() + kEntryOverhead));
    return entry;
}

std::optional<QueueEntry> Queue::take_ready(std::uint64_t consumer_id, bool holds) {
    auto entry = ready_.take_for(consumer_id, holds);
    if (entry) {
        ready_bytes_ -= entry->bytes();
        vhost_.core().account_memory(-static_cast<std::int64_t>(entry->bytes() + kEntryOverhead));
    }
    return entry;
}

std::optional<QueueEntry> Queue::pop_newest_ready(std::uint64_t seq, const Message& message) {
    auto entry = ready_.pop_newest_if(seq, message);
    if (entry) {
        ready_bytes_ -= entry->bytes();
        vhost_.core().account_memory(-static_cast<std::int64_t>(entry->bytes() + kEntryOverhead));
    }
    return entry;
}

// A delivery held by a consumer (consumer_id != 0; gets hold nothing) was settled: its message
// group, if any, has one fewer in flight.
void Queue::settle(std::uint64_t consumer_id, const QueueEntry& entry) {
    if (consumer_id != 0) {
        ready_.settled(entry);
    }
}

void Queue::clear_ready() {
    vhost_.core().account_memory(
        -static_cast<std::int64_t>(ready_bytes_ + ready_.size() * kEntryOverhead));
    ready_.clear();
    ready_bytes_ = 0;
}

} // namespace warren::server
