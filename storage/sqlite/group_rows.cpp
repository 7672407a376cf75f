#include "storage/sqlite/group_rows.hpp"

#include <vector>

namespace warren::storage::sqlite {

namespace {

// clear() zeroes every bucket, and a map keeps the buckets of the biggest group it ever held:
// after a burst, start over small instead of paying for them on every group.
template <class Map> void reset(Map& map) {
    if (map.bucket_count() > 256 && map.size() * 4 < map.bucket_count()) {
        Map().swap(map);
    } else {
        map.clear();
    }
}

} // namespace

void GroupRows::clear() {
    reset(keys_);
    reset(message_states_);
    messages_.clear();
    entries_.clear();
    entry_live_.clear();
    deliveries_.clear();
    delivery_live_.clear();
    messages.clear();
    entries.clear();
    deliveries.clear();
    removed.clear();
    orphan_checks.clear();
    cancelled_entries = 0;
    skipped_messages = 0;
    folded_deliveries = 0;
}

bool GroupRows::build(const std::vector<const Batch*>& batches) {
    clear();
    // Each batch in its own order: messages, entries, deliveries, removals (BatchWriter::apply).
    for (const Batch* b : batches) {
        for (const auto& m : b->messages) {
            auto [it, fresh] = message_states_.try_emplace(m.id);
            if (fresh) {
                it->second.index = static_cast<std::uint32_t>(messages_.size());
                messages_.push_back(&m);
            } else {
                messages_[it->second.index] = &m; // a second put replaces the first
            }
        }
        for (const auto& e : b->entries) {
            auto [it, fresh] = keys_.try_emplace(EntryKey{e.queue_id, e.seq});
            if (!fresh) {
                return false; // inserted twice, or after a removal or a count: keep the order
            }
            it->second.entry = static_cast<std::uint32_t>(entries_.size());
            entries_.push_back(e);
            entry_live_.push_back(1);
            if (auto m = message_states_.find(e.message_id); m != message_states_.end()) {
                ++m->second.entries;
                ++m->second.live;
            }
        }
        for (const auto& d : b->deliveries) {
            KeyState& k = keys_[d.key];
            if (k.removed) {
                continue; // the row is gone: the update would change nothing
            }
            if (k.entry != kNone) {
                entries_[k.entry].delivery_count = d.delivery_count;
                ++folded_deliveries;
            } else if (k.delivery != kNone) {
                deliveries_[k.delivery].delivery_count = d.delivery_count;
                ++folded_deliveries;
            } else {
                k.delivery = static_cast<std::uint32_t>(deliveries_.size());
                deliveries_.push_back(d);
                delivery_live_.push_back(1);
            }
        }
        for (const auto& key : b->removed) {
            KeyState& k = keys_[key];
            if (k.removed) {
                continue;
            }
            k.removed = true;
            if (k.delivery != kNone) {
                delivery_live_[k.delivery] = 0;
                ++folded_deliveries;
            }
            if (k.entry == kNone) {
                removed.push_back(key);
                continue;
            }
            entry_live_[k.entry] = 0;
            ++cancelled_entries;
            const std::uint64_t message_id = entries_[k.entry].message_id;
            if (auto m = message_states_.find(message_id); m != message_states_.end()) {
                --m->second.live;
            } else {
                orphan_checks.push_back(message_id);
            }
        }
    }
    // A message put later in the group than an entry of it was removed stays, as it would have.
    std::erase_if(orphan_checks, [&](std::uint64_t id) { return message_states_.contains(id); });
    for (const MessageRecord* m : messages_) {
        const MessageState& s = message_states_.find(m->id)->second;
        if (s.entries > 0 && s.live == 0) {
            ++skipped_messages;
        } else {
            messages.push_back(m);
        }
    }
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        if (entry_live_[i] != 0) {
            entries.push_back(entries_[i]);
        }
    }
    for (std::size_t i = 0; i < deliveries_.size(); ++i) {
        if (delivery_live_[i] != 0) {
            deliveries.push_back(deliveries_[i]);
        }
    }
    return true;
}

} // namespace warren::storage::sqlite
