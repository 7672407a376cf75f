#include "storage/memory_tables.hpp"

#include <algorithm>
#include <iterator>
#include <memory>
#include <tuple>

namespace warren::storage {
namespace {

// Erases the elements of an ordered map whose key starts with `first`, and that match `pred`.
template <class Map, class Pred>
void erase_with_first(Map& map, const std::string& first, Pred pred) {
    for (auto it = map.lower_bound({first, std::string()});
         it != map.end() && it->first.first == first;) {
        it = pred(it->second) ? map.erase(it) : std::next(it);
    }
}

} // namespace

bool MemoryTables::BindingLess::operator()(const BindingRecord& a, const BindingRecord& b) const {
    // The columns of the bindings table's primary key, in its order.
    return std::tie(a.vhost, a.source, a.destination, a.to_exchange, a.routing_key, a.arguments) <
           std::tie(b.vhost, b.source, b.destination, b.to_exchange, b.routing_key, b.arguments);
}

void MemoryTables::apply(Batch b) {
    std::vector<std::uint64_t> doomed_queues;
    apply_definitions(b, doomed_queues);
    for (auto& m : b.messages) {
        if (!m.body) {
            m.body = std::make_shared<const std::string>(); // SQLite stores an empty blob
        }
        messages_.insert_or_assign(m.id, std::move(m));
    }
    for (const auto& e : b.entries) {
        put_entry(e);
    }
    for (const auto& d : b.deliveries) {
        if (auto q = entries_.find(d.key.queue_id); q != entries_.end()) {
            if (auto e = q->second.find(d.key.seq); e != q->second.end()) {
                e->second.delivery_count = d.delivery_count;
            }
        }
    }
    for (const auto& key : b.removed) {
        if (auto q = entries_.find(key.queue_id); q != entries_.end()) {
            if (auto e = q->second.find(key.seq); e != q->second.end()) {
                erase_entries(q->second, e, std::next(e));
            }
        }
    }
    // What SQLite marks doomed goes last: its reaper removes every entry in the range, including
    // the ones this batch added.
    for (const auto& r : b.purged) {
        auto q = entries_.find(r.queue_id);
        if (q == entries_.end() || r.from_seq > r.up_to_seq) {
            continue;
        }
        erase_entries(q->second, q->second.lower_bound(r.from_seq),
                      q->second.upper_bound(r.up_to_seq));
    }
    for (const auto id : doomed_queues) {
        forget_queue_entries(id);
    }
    for (auto& k : b.dedup_keys) {
        dedup_[k.scope].insert_or_assign(k.seq, std::move(k));
    }
    for (const auto& c : b.dedup_cuts) {
        if (auto w = dedup_.find(c.scope); w != dedup_.end()) {
            w->second.erase(w->second.begin(), w->second.lower_bound(c.below_seq));
            if (w->second.empty()) {
                dedup_.erase(w);
            }
        }
    }
    for (const auto& x : b.put_segments) {
        segments_.insert_or_assign({x.queue_id, x.first_seq}, x);
    }
    for (const auto& x : b.deleted_segments) {
        segments_.erase({x.queue_id, x.first_seq});
    }
    for (auto& x : b.put_stream_offsets) {
        auto key = std::make_pair(x.queue_id, x.consumer);
        stream_offsets_.insert_or_assign(std::move(key), std::move(x));
    }
}

void MemoryTables::forget_stream(std::uint64_t queue_id) {
    segments_.erase(segments_.lower_bound({queue_id, 0}), segments_.lower_bound({queue_id + 1, 0}));
    stream_offsets_.erase(stream_offsets_.lower_bound({queue_id, std::string()}),
                          stream_offsets_.lower_bound({queue_id + 1, std::string()}));
}

void MemoryTables::apply_definitions(Batch& b, std::vector<std::uint64_t>& doomed_queues) {
    for (auto& v : b.put_vhosts) {
        vhosts_.insert_or_assign(v.name, std::move(v));
    }
    for (const auto& name : b.deleted_vhosts) {
        delete_vhost(name, doomed_queues);
    }
    for (auto& e : b.put_exchanges) {
        Key key{e.vhost, e.name};
        exchanges_.insert_or_assign(std::move(key), std::move(e));
    }
    for (const auto& deleted : b.deleted_exchanges) {
        // Plain references: clang 14 (the fuzz build) cannot capture a structured binding.
        const std::string& vhost = deleted.first;
        const std::string& name = deleted.second;
        exchanges_.erase(Key{vhost, name});
        // Bindings from it, and exchange-to-exchange bindings to it.
        std::erase_if(bindings_, [&](const BindingRecord& x) {
            return x.vhost == vhost &&
                   (x.source == name || (x.destination == name && x.to_exchange));
        });
    }
    for (auto& q : b.put_queues) {
        put_queue(std::move(q));
    }
    for (const auto id : b.deleted_queues) {
        delete_queue(id, doomed_queues);
    }
    for (auto& x : b.put_bindings) {
        bindings_.insert(std::move(x)); // INSERT OR IGNORE: a binding is all key
    }
    for (const auto& x : b.deleted_bindings) {
        bindings_.erase(x);
    }
    for (auto& u : b.put_users) {
        users_.insert_or_assign(u.name, std::move(u));
    }
    for (const auto& name : b.deleted_users) {
        users_.erase(name);
        erase_with_first(permissions_, name, [](const PermissionRecord&) { return true; });
    }
    for (auto& p : b.put_permissions) {
        Key key{p.user, p.vhost};
        permissions_.insert_or_assign(std::move(key), std::move(p));
    }
    for (const auto& [user, vhost] : b.deleted_permissions) {
        permissions_.erase(Key{user, vhost});
    }
}

void MemoryTables::delete_vhost(const std::string& name,
                                std::vector<std::uint64_t>& doomed_queues) {
    vhosts_.erase(name);
    erase_with_first(exchanges_, name, [](const ExchangeRecord&) { return true; });
    std::erase_if(bindings_, [&](const BindingRecord& x) { return x.vhost == name; });
    std::erase_if(permissions_, [&](const auto& p) { return p.second.vhost == name; });
    for (auto it = queue_ids_.lower_bound({name, std::string()});
         it != queue_ids_.end() && it->first.first == name;) {
        doomed_queues.push_back(it->second);
        forget_stream(it->second);
        queues_.erase(it->second);
        it = queue_ids_.erase(it);
    }
}

void MemoryTables::put_queue(QueueRecord q) {
    // INSERT OR REPLACE: the new row replaces both the row with its id and the row with its
    // (vhost, name), if they differ. The replaced rows' entries stay where they are.
    if (auto same_id = queues_.find(q.id); same_id != queues_.end()) {
        erase_queue(same_id);
    }
    if (auto same_name = queue_ids_.find(Key{q.vhost, q.name}); same_name != queue_ids_.end()) {
        erase_queue(queues_.find(same_name->second));
    }
    q.last_seq = 0; // a load computes it
    const std::uint64_t id = q.id;
    queue_ids_.emplace(Key{q.vhost, q.name}, id);
    queues_.emplace(id, std::move(q));
}

void MemoryTables::erase_queue(std::map<std::uint64_t, QueueRecord>::iterator it) {
    queue_ids_.erase(Key{it->second.vhost, it->second.name});
    queues_.erase(it);
}

void MemoryTables::delete_queue(std::uint64_t id, std::vector<std::uint64_t>& doomed_queues) {
    if (auto q = queues_.find(id); q != queues_.end()) {
        const QueueRecord& queue = q->second;
        std::erase_if(bindings_, [&](const BindingRecord& x) {
            return !x.to_exchange && x.vhost == queue.vhost && x.destination == queue.name;
        });
        erase_queue(q);
    }
    doomed_queues.push_back(id); // SQLite dooms the id's entries whether or not it knew it
    forget_stream(id);
}

void MemoryTables::put_entry(const EntryRecord& e) {
    auto [it, fresh] = entries_[e.queue_id].try_emplace(e.seq, e);
    if (!fresh) {
        // REPLACE deletes the old row without asking whether its message is still needed.
        unreference(it->second.message_id, false);
        it->second = e;
    }
    ++references_[e.message_id];
}

void MemoryTables::erase_entries(QueueEntries& entries, QueueEntries::iterator first,
                                 QueueEntries::iterator last) {
    std::vector<std::uint64_t> message_ids;
    for (auto it = first; it != last; ++it) {
        message_ids.push_back(it->second.message_id);
    }
    entries.erase(first, last);
    for (const auto id : message_ids) {
        unreference(id, true);
    }
}

void MemoryTables::forget_queue_entries(std::uint64_t queue_id) {
    auto q = entries_.find(queue_id);
    if (q == entries_.end()) {
        return;
    }
    erase_entries(q->second, q->second.begin(), q->second.end());
    entries_.erase(q);
}

void MemoryTables::unreference(std::uint64_t message_id, bool drop_orphan) {
    auto it = references_.find(message_id);
    if (it != references_.end() && --it->second > 0) {
        return;
    }
    if (it != references_.end()) {
        references_.erase(it);
    }
    if (drop_orphan) {
        messages_.erase(message_id);
    }
}

Definitions MemoryTables::definitions() const {
    Definitions d;
    for (const auto& [name, v] : vhosts_) {
        d.vhosts.push_back(v);
    }
    for (const auto& [key, e] : exchanges_) {
        d.exchanges.push_back(e);
    }
    for (const auto& [id, q] : queues_) {
        d.queues.push_back(q);
        // SQLite: the highest sequence among the queue's entries (and its purges still being
        // reaped, which here are gone already).
        if (auto e = entries_.find(id); e != entries_.end() && !e->second.empty()) {
            d.queues.back().last_seq = e->second.rbegin()->first;
        }
    }
    d.bindings.assign(bindings_.begin(), bindings_.end());
    for (const auto& [name, u] : users_) {
        d.users.push_back(u);
    }
    for (const auto& [key, p] : permissions_) {
        d.permissions.push_back(p);
    }
    for (const auto& [scope, window] : dedup_) {
        for (const auto& [seq, k] : window) {
            d.dedup.push_back(k);
        }
    }
    for (const auto& [key, x] : segments_) {
        d.stream_segments.push_back(x);
    }
    for (const auto& [key, x] : stream_offsets_) {
        d.stream_offsets.push_back(x);
    }
    return d;
}

RecoveryStats MemoryTables::load_entries(const EntryVisitor& visit,
                                         std::size_t per_queue_limit) const {
    RecoveryStats stats;
    for (const auto& [queue_id, queue] : queues_) {
        auto q = entries_.find(queue_id);
        auto segment = segments_.lower_bound({queue_id, 0});
        const bool stream = segment != segments_.end() && segment->first.first == queue_id;
        if (q == entries_.end() || stream) {
            continue; // a stream is read by range, never loaded
        }
        // Entries whose message is missing are not loaded (SQLite joins them with messages)
        // but do count in the tail (its summary does not).
        std::uint64_t visited = 0;
        std::uint64_t last_seq = 0;
        const MessageRecord* previous = nullptr;
        for (const auto& [seq, entry] : q->second) {
            if (visited >= per_queue_limit) {
                break;
            }
            auto m = messages_.find(entry.message_id);
            if (m == messages_.end()) {
                continue;
            }
            // Counted as SQLite's loader counts them: once per run of the same message.
            if (previous == nullptr || previous->id != m->second.id) {
                ++stats.messages;
            }
            previous = &m->second;
            visit(entry, m->second);
            ++visited;
            last_seq = seq;
        }
        stats.entries += visited;
        if (per_queue_limit >= static_cast<std::size_t>(INT64_MAX) || visited < per_queue_limit) {
            continue;
        }
        QueueTail tail{queue_id, 0, 0, 0};
        for (auto it = q->second.upper_bound(last_seq); it != q->second.end(); ++it) {
            tail.next_seq = tail.count == 0 ? it->first : tail.next_seq;
            ++tail.count;
            tail.bytes += it->second.size;
        }
        if (tail.count > 0) {
            stats.tails.push_back(tail);
        }
    }
    stats.max_message_id = messages_.empty() ? 0 : messages_.rbegin()->first;
    stats.max_queue_id = queues_.empty() ? 0 : queues_.rbegin()->first;
    return stats;
}

std::vector<StoredEntry> MemoryTables::read_entries(std::uint64_t queue_id, std::uint64_t from_seq,
                                                    std::size_t limit) const {
    std::vector<StoredEntry> out;
    auto q = entries_.find(queue_id);
    if (q == entries_.end()) {
        return out;
    }
    for (auto it = q->second.lower_bound(from_seq); it != q->second.end() && out.size() < limit;
         ++it) {
        if (auto m = messages_.find(it->second.message_id); m != messages_.end()) {
            out.push_back(StoredEntry{it->second, m->second});
        }
    }
    return out;
}

} // namespace warren::storage
