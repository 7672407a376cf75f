#include "server/connection.hpp"

#include <algorithm>
#include <cstdint>

#include "server/core.hpp"
#include "server/queue.hpp"
#include "server/vhost.hpp"
#include "server/view_builders.hpp"

namespace warren::server {

Connection::Connection(Core& core, std::uint64_t id, SessionInfo info, std::string user)
    : core_(core), id_(id), info_(std::move(info)), user_(std::move(user)) {}

Connection::~Connection() {
    close();
    core_.forget_connection(*this);
}

Result<std::string> Connection::consume(std::string_view vhost_name, std::string_view queue_name,
                                        ConsumeOptions options, DeliverySink& sink) {
    auto found = usable_queue(vhost_name, queue_name);
    if (!found) {
        return found.error();
    }
    const std::shared_ptr<Queue>& queue = *found;
    if (options.tag.empty()) {
        options.tag = "ctag-" + std::to_string(id_) + "." + std::to_string(next_consumer_tag_++);
    }
    const bool tag_in_use = std::any_of(consumers_.begin(), consumers_.end(),
                                        [&](const auto& c) { return c.tag == options.tag; });
    if (tag_in_use) {
        return make_error(Errc::precondition_failed,
                          "consumer tag '" + options.tag + "' is already in use");
    }
    std::string tag = options.tag;
    // Register first: add_consumer may deliver at once, and the sink may cancel in response.
    consumers_.push_back(ConsumerRef{queue, 0, tag});
    auto consumer = queue->add_consumer(*this, sink, std::move(options));
    auto ref = std::find_if(consumers_.begin(), consumers_.end(),
                            [&](const auto& c) { return c.tag == tag; });
    if (!consumer) {
        if (ref != consumers_.end()) {
            consumers_.erase(ref);
        }
        return consumer.error();
    }
    if (ref != consumers_.end()) {
        ref->consumer_id = (*consumer)->id;
    }
    return tag;
}

// The queue, if this connection may use it: it exists, and is not another connection's exclusive
// queue.
Result<std::shared_ptr<Queue>> Connection::usable_queue(std::string_view vhost_name,
                                                        std::string_view queue_name) const {
    auto vhost = core_.vhost(vhost_name);
    if (!vhost) {
        return vhost.error();
    }
    auto queue = (*vhost)->find_queue(queue_name);
    if (!queue) {
        return make_error(Errc::not_found, "no " + describe("queue", queue_name, vhost_name));
    }
    if (queue->owner() != 0 && queue->owner() != owner_id()) {
        return make_error(Errc::resource_locked, "cannot obtain exclusive access to locked " +
                                                     describe("queue", queue_name, vhost_name));
    }
    return queue;
}

Result<std::optional<GotDelivery>> Connection::get(std::string_view vhost_name,
                                                   std::string_view queue_name, bool auto_ack) {
    auto found = usable_queue(vhost_name, queue_name);
    if (!found) {
        return found.error();
    }
    const std::shared_ptr<Queue>& queue = *found;
    if (queue->stream() != nullptr) {
        return make_error(Errc::method_not_allowed,
                          "cannot get from " + describe("queue", queue_name, vhost_name) +
                              ": a stream is read by consuming with x-stream-offset");
    }
    const Millis now = core_.clock().now();
    if (auto_ack) {
        auto got = queue->get(1, GetMode::ack_requeue_false, now);
        if (got.empty()) {
            return std::optional<GotDelivery>();
        }
        return std::optional<GotDelivery>(GotDelivery{std::move(got.front().entry.message), 0,
                                                      got.front().entry.delivery_count > 1,
                                                      got.front().message_count});
    }
    auto got = queue->get_held(now);
    if (!got) {
        return std::optional<GotDelivery>();
    }
    const std::uint64_t tag = next_delivery_tag();
    GotDelivery out{got->entry.message, tag, got->entry.delivery_count > 1, got->message_count};
    track(tag, queue, 0, std::move(got->entry));
    return std::optional<GotDelivery>(std::move(out));
}

Result<void> Connection::cancel(std::string_view consumer_tag) {
    auto it = std::find_if(consumers_.begin(), consumers_.end(),
                           [&](const auto& c) { return c.tag == consumer_tag; });
    if (it == consumers_.end()) {
        if (core_.groups().leave(*this, consumer_tag)) {
            return {}; // a consumer-group subscription: its partitions move to the others
        }
        return make_error(Errc::not_found, "no consumer '" + std::string(consumer_tag) + "'");
    }
    ConsumerRef ref = std::move(*it);
    consumers_.erase(it);
    if (auto queue = ref.queue.lock()) {
        queue->remove_consumer(ref.consumer_id);
    }
    return {};
}

Result<void> Connection::ack(std::uint64_t delivery_tag, bool multiple) {
    return settle(delivery_tag, multiple, Settle::ack);
}

Result<void> Connection::nack(std::uint64_t delivery_tag, bool multiple, bool requeue) {
    return settle(delivery_tag, multiple, requeue ? Settle::requeue : Settle::reject);
}

Result<void> Connection::settle(std::uint64_t delivery_tag, bool multiple, Settle how) {
    if (delivery_tag == 0 && multiple) {
        // AMQP: tag 0 with multiple settles everything outstanding (amqplib's ackAll).
        std::vector<Unacked> taken;
        for (auto& [tag, unacked] : unacked_) {
            taken.push_back(std::move(unacked));
        }
        unacked_.clear();
        settle_group(std::move(taken), how);
        return {};
    }
    auto it = unacked_.find(delivery_tag);
    if (it == unacked_.end()) {
        return make_error(Errc::precondition_failed,
                          "unknown delivery tag " + std::to_string(delivery_tag));
    }
    std::vector<Unacked> taken;
    auto first = multiple ? unacked_.begin() : it;
    for (auto i = first; i != std::next(it); ++i) {
        taken.push_back(std::move(i->second));
    }
    unacked_.erase(first, std::next(it));
    settle_group(std::move(taken), how);
    return {};
}

// Settles deliveries queue by queue (and consumer by consumer), so each queue gets one call.
void Connection::settle_group(std::vector<Unacked> group, Settle how) {
    std::stable_sort(group.begin(), group.end(), [](const Unacked& a, const Unacked& b) {
        const auto* qa = a.queue.lock().get();
        const auto* qb = b.queue.lock().get();
        return qa != qb ? qa < qb : a.consumer_id < b.consumer_id;
    });
    std::size_t i = 0;
    while (i < group.size()) {
        std::size_t j = i;
        auto queue = group[i].queue.lock();
        const std::uint64_t consumer_id = group[i].consumer_id;
        std::vector<QueueEntry> entries;
        while (j < group.size() && group[j].queue.lock() == queue &&
               group[j].consumer_id == consumer_id) {
            entries.push_back(std::move(group[j].entry));
            ++j;
        }
        if (queue) {
            switch (how) {
            case Settle::ack:
                queue->on_acked(consumer_id, entries);
                break;
            case Settle::requeue:
                queue->on_returned(consumer_id, std::move(entries));
                break;
            case Settle::reject:
                queue->on_rejected(consumer_id, std::move(entries));
                break;
            }
        }
        i = j;
    }
    if (settings_.global_prefetch != 0) {
        resume(); // the room freed is shared: consumers of other queues may take it
    }
}

void Connection::set_settings(const ChannelSettings& settings) {
    // 0 is no limit: the most room of all.
    const auto room = [](std::uint16_t limit) -> std::uint32_t {
        return limit == 0 ? UINT32_MAX : limit;
    };
    const bool more_room = room(settings.global_prefetch) > room(settings_.global_prefetch);
    settings_ = settings;
    if (more_room) {
        resume();
    }
}

bool Consumer::has_credit() const {
    if (!sink->ready()) {
        return false;
    }
    if (options.auto_ack) {
        return true;
    }
    if (connection != nullptr && !connection->has_shared_credit()) {
        return false;
    }
    return options.prefetch == 0 || unacked < options.prefetch;
}

void Connection::resume() {
    std::vector<std::shared_ptr<Queue>> queues;
    for (const auto& c : consumers_) {
        if (auto q = c.queue.lock()) {
            queues.push_back(std::move(q));
        }
    }
    for (const auto& q : queues) {
        q->dispatch();
    }
}

std::vector<ConsumerView> Connection::consumers() const {
    std::vector<ConsumerView> out;
    for (const auto& ref : consumers_) {
        auto queue = ref.queue.lock();
        if (!queue || queue->deleted()) {
            continue;
        }
        for (const auto& c : queue->consumers()) {
            if (c->id == ref.consumer_id) {
                out.push_back(consumer_view(*queue, *c));
            }
        }
    }
    return out;
}

void Connection::track(std::uint64_t delivery_tag, const std::shared_ptr<Queue>& queue,
                       std::uint64_t consumer_id, QueueEntry entry) {
    unacked_.emplace(delivery_tag, Unacked{queue, consumer_id, std::move(entry)});
}

void Connection::forget_consumer(const Queue& queue, std::uint64_t consumer_id) {
    std::erase_if(consumers_, [&](const ConsumerRef& c) {
        auto q = c.queue.lock();
        return c.consumer_id == consumer_id && (!q || q.get() == &queue);
    });
}

void Connection::own_queue(std::string vhost, std::string queue) {
    exclusive_queues_.emplace_back(std::move(vhost), std::move(queue));
}

void Connection::close() {
    // Consumers first, so the requeued messages are not delivered straight back to them; group
    // memberships before them, so the partitions' new owners wait for the requeue below.
    core_.groups().leave_all(*this);
    while (!consumers_.empty()) {
        (void)cancel(std::string(consumers_.back().tag));
    }
    std::vector<Unacked> pending;
    for (auto& [tag, unacked] : unacked_) {
        pending.push_back(std::move(unacked));
    }
    unacked_.clear();
    settle_group(std::move(pending), Settle::requeue);
    for (const auto& [vhost_name, queue_name] : exclusive_queues_) {
        if (auto* vhost = core_.find_vhost(vhost_name)) {
            if (auto queue = vhost->find_queue(queue_name); queue && queue->owner() == id_) {
                vhost->remove_queue(*queue);
            }
        }
    }
    exclusive_queues_.clear();
}

} // namespace warren::server
