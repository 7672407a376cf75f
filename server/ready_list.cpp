#include "server/ready_list.hpp"

#include <cassert>
#include <utility>

namespace warren::server {

ReadyList::ReadyList(std::optional<MessageKey> group_by, std::uint32_t max_in_flight)
    : group_by_(std::move(group_by)), max_in_flight_(max_in_flight == 0 ? 1 : max_in_flight) {}

const QueueEntry& ReadyList::front() const {
    if (!grouped()) {
        return fifo_.front();
    }
    return heads_.begin()->second->ready.front();
}

QueueEntry ReadyList::pop_front() {
    if (!grouped()) {
        QueueEntry entry = std::move(fifo_.front());
        fifo_.pop_front();
        --size_;
        return entry;
    }
    return pop_head_of(*heads_.begin()->second);
}

void ReadyList::push_back(QueueEntry entry) {
    ++size_;
    if (!grouped()) {
        fifo_.push_back(std::move(entry));
        return;
    }
    Group& group = group_for(*entry.message);
    if (group.ready.empty() || group.ready.back().seq < entry.seq) {
        group.ready.push_back(std::move(entry));
    } else {
        insert_in_order(group.ready, std::move(entry)); // recovery may hand entries out of order
    }
    reindex(group);
}

void ReadyList::push_front(QueueEntry entry) {
    ++size_;
    if (!grouped()) {
        fifo_.push_front(std::move(entry));
        return;
    }
    Group& group = group_for(*entry.message);
    insert_in_order(group.ready, std::move(entry));
    reindex(group);
}

std::optional<QueueEntry> ReadyList::pop_newest_if(std::uint64_t seq, const Message& message) {
    std::deque<QueueEntry>* ready = &fifo_;
    Group* group = nullptr;
    if (grouped()) {
        group = find_group(message);
        if (group == nullptr) {
            return std::nullopt;
        }
        ready = &group->ready;
    }
    if (ready->empty() || ready->back().seq != seq) {
        return std::nullopt;
    }
    QueueEntry entry = std::move(ready->back());
    ready->pop_back();
    --size_;
    if (group != nullptr) {
        reindex(*group);
        forget_if_idle(*group);
    }
    return entry;
}

void ReadyList::clear() {
    size_ = 0;
    fifo_.clear();
    if (!grouped()) {
        return;
    }
    heads_.clear();
    free_.clear();
    owned_.clear();
    auto reset = [](Group& group) {
        group.ready.clear();
        group.slot = Slot::none;
        group.in_heads = false;
    };
    reset(ungrouped_);
    for (auto it = groups_.begin(); it != groups_.end();) {
        reset(it->second);
        // Groups with unacked entries stay: they are still owned until those are settled.
        it = it->second.in_flight == 0 ? groups_.erase(it) : std::next(it);
    }
}

std::optional<QueueEntry> ReadyList::take_for(std::uint64_t consumer_id, bool holds) {
    if (size_ == 0) {
        return std::nullopt;
    }
    if (!grouped()) {
        return pop_front();
    }
    const Head* best = free_.empty() ? nullptr : &*free_.begin();
    if (consumer_id != 0) {
        if (auto it = owned_.find(consumer_id); it != owned_.end() && !it->second.empty()) {
            const Head& own = *it->second.begin();
            if (best == nullptr || own.first < best->first) {
                best = &own;
            }
        }
    }
    if (best == nullptr) {
        return std::nullopt;
    }
    Group& group = *best->second;
    if (holds && &group != &ungrouped_) {
        if (group.in_flight++ == 0) {
            group.owner = consumer_id;
            ++owned_count_;
        }
        assert(group.owner == consumer_id);
    }
    return pop_head_of(group);
}

void ReadyList::settled(const QueueEntry& entry) {
    if (!grouped()) {
        return;
    }
    auto key = key_of(*entry.message, *group_by_);
    if (!key) {
        return;
    }
    auto it = groups_.find(*key);
    if (it == groups_.end() || it->second.in_flight == 0) {
        return; // purged meanwhile and nothing held: nothing to free
    }
    Group& group = it->second;
    if (--group.in_flight == 0) {
        group.owner = 0;
        --owned_count_;
    }
    reindex(group);
    forget_if_idle(group);
}

std::size_t ReadyList::takeable() const {
    if (!grouped()) {
        return size_;
    }
    const bool ungrouped_free = !ungrouped_.ready.empty();
    return free_.size() - (ungrouped_free ? 1 : 0) + ungrouped_.ready.size();
}

ReadyList::Group* ReadyList::find_group(const Message& message) {
    auto key = key_of(message, *group_by_);
    if (!key) {
        return &ungrouped_;
    }
    auto it = groups_.find(*key);
    return it == groups_.end() ? nullptr : &it->second;
}

ReadyList::Group& ReadyList::group_for(const Message& message) {
    auto key = key_of(message, *group_by_);
    if (!key) {
        return ungrouped_;
    }
    auto [it, inserted] = groups_.try_emplace(std::move(*key));
    if (inserted) {
        it->second.key = &it->first;
    }
    return it->second;
}

QueueEntry ReadyList::pop_head_of(Group& group) {
    QueueEntry entry = std::move(group.ready.front());
    group.ready.pop_front();
    --size_;
    reindex(group);
    forget_if_idle(group);
    return entry;
}

// Puts the group's head where it belongs now: in heads_ while it has ready entries, and in free_
// or its owner's set while a consumer may take it. Does nothing when that has not changed (the
// common case of a push behind an existing head).
void ReadyList::reindex(Group& group) {
    const bool has_ready = !group.ready.empty();
    const std::uint64_t seq = has_ready ? group.ready.front().seq : 0;
    Slot slot = Slot::none;
    if (has_ready) {
        if (&group == &ungrouped_ || group.in_flight == 0) {
            slot = Slot::free;
        } else if (group.in_flight < max_in_flight_) {
            slot = Slot::owned;
        }
    }
    if (group.in_heads == has_ready && (!has_ready || group.indexed_seq == seq) &&
        group.slot == slot && (slot != Slot::owned || group.indexed_owner == group.owner)) {
        return;
    }
    // Moves between the sets reuse the tree nodes (extract / insert): a delivery and its ack
    // each move a group's head, and a malloc and free per move showed in the profile.
    const Head old_head{group.indexed_seq, &group};
    const Head new_head{seq, &group};
    auto move = [&](std::set<Head>& from, std::set<Head>* to) {
        auto node = from.extract(old_head);
        if (to != nullptr) {
            node.value() = new_head;
            to->insert(std::move(node));
        }
    };
    if (group.in_heads && has_ready) {
        if (group.indexed_seq != seq) {
            move(heads_, &heads_);
        }
    } else if (group.in_heads) {
        heads_.erase(old_head);
    } else if (has_ready) {
        heads_.insert(new_head);
    }
    group.in_heads = has_ready;

    std::set<Head>* to = slot == Slot::free    ? &free_
                         : slot == Slot::owned ? &owned_[group.owner]
                                               : nullptr;
    if (group.slot == Slot::free) {
        move(free_, to);
    } else if (group.slot == Slot::owned) {
        if (auto it = owned_.find(group.indexed_owner); it != owned_.end()) {
            move(it->second, to);
            if (it->second.empty()) {
                owned_.erase(it); // never `to`: it just received the node
            }
        }
    } else if (to != nullptr) {
        to->insert(new_head);
    }
    group.slot = slot;
    group.indexed_seq = seq;
    group.indexed_owner = group.owner;
}

void ReadyList::forget_if_idle(Group& group) {
    if (&group == &ungrouped_ || !group.ready.empty() || group.in_flight != 0) {
        return;
    }
    groups_.erase(groups_.find(*group.key));
}

void ReadyList::insert_in_order(std::deque<QueueEntry>& ready, QueueEntry entry) {
    auto it = ready.begin();
    while (it != ready.end() && it->seq < entry.seq) {
        ++it;
    }
    ready.insert(it, std::move(entry));
}

} // namespace warren::server
