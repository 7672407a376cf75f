// Core::recover: rebuilds the broker from the store at boot. Definitions first (vhosts,
// exchanges, queues with their store ids, bindings), then every stored entry in queue and
// sequence order. Entries delivered before the crash keep their delivery count, so they come
// back redelivered and x-delivery-limit holds across restarts.

#include <unordered_map>

#include <boost/json/parse.hpp>
#include <spdlog/spdlog.h>

#include "server/core.hpp"
#include "server/message_decoder.hpp"
#include "server/vhost.hpp"

namespace warren::server {
namespace {

boost::json::object parse_object(const std::string& text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    return !ec && v.is_object() ? v.get_object() : boost::json::object{};
}

} // namespace

// Stored dedup keys go back into their windows (oldest first, expired ones skipped); the keys
// of windows that are gone (a deletion whose cut did not commit) are cut now.
void Core::restore_dedup(const std::vector<storage::DedupRecord>& records,
                         const std::unordered_map<std::uint64_t, Queue*>& queues_by_id) {
    const Millis now = clock_.now();
    std::unordered_map<std::string, Deduplication*> windows;
    for (const auto& [id, queue] : queues_by_id) {
        if (Deduplication* dedup = queue->deduplication()) {
            windows.emplace(dedup->scope(), dedup);
        }
    }
    for (auto& [name, vhost] : vhosts_) {
        vhost->collect_dedup_windows(windows);
    }
    std::string orphan; // the scope last found to have no window
    for (const auto& record : records) {
        next_dedup_seq_ = std::max(next_dedup_seq_, record.seq + 1);
        if (auto it = windows.find(record.scope); it != windows.end()) {
            it->second->restore(record, now);
            continue;
        }
        if (record.scope != orphan) {
            orphan = record.scope;
            journal_.batch().dedup_cuts.push_back({record.scope, UINT64_MAX});
        }
    }
}

Result<storage::RecoveryStats> Core::recover() {
    if (!journal_.enabled()) {
        return storage::RecoveryStats{};
    }
    storage::Store* store = journal_.store();
    auto definitions = store->load_definitions();
    if (!definitions) {
        return definitions.error();
    }
    journal_.pause(true);
    users_.restore(definitions->users, definitions->permissions);
    for (const auto& v : definitions->vhosts) {
        if (!vhosts_.contains(v.name)) {
            vhosts_.emplace(v.name, std::make_unique<Vhost>(*this, v.name));
        }
    }
    for (const auto& e : definitions->exchanges) {
        Vhost* vhost = find_vhost(e.vhost);
        if (vhost == nullptr) {
            spdlog::warn("recovery: skipping exchange '{}' in vhost '{}'", e.name, e.vhost);
            continue;
        }
        ExchangeSpec spec{e.name,        e.type,     true,
                          e.auto_delete, e.internal, parse_object(e.arguments)};
        if (auto r = vhost->declare_exchange(spec); !r) {
            spdlog::warn("recovery: exchange '{}': {}", e.name, r.error().reason);
        }
    }
    std::unordered_map<std::uint64_t, Queue*> queues_by_id;
    for (const auto& q : definitions->queues) {
        next_queue_id_ = std::max(next_queue_id_, q.id + 1);
        Vhost* vhost = find_vhost(q.vhost);
        if (vhost == nullptr) {
            continue;
        }
        QueueSpec spec{q.name, true, false, q.auto_delete, parse_object(q.arguments)};
        auto queue = vhost->restore_queue(spec, q.id);
        if (!queue) {
            spdlog::warn("recovery: queue '{}': {}", q.name, queue.error().reason);
            continue;
        }
        (*queue)->restore_next_seq(q.last_seq);
        queues_by_id.emplace(q.id, *queue);
    }
    // Streams: their segments and named offsets (their entries stay on disk, read by range).
    {
        std::unordered_map<std::uint64_t, std::vector<storage::StreamSegmentRecord>> segments;
        for (const auto& segment : definitions->stream_segments) {
            segments[segment.queue_id].push_back(segment);
        }
        for (const auto& [id, queue] : queues_by_id) {
            if (StreamLog* stream = queue->stream()) {
                auto it = segments.find(id);
                stream->restore(it != segments.end() ? std::move(it->second)
                                                     : std::vector<storage::StreamSegmentRecord>{},
                                queue->next_seq());
            }
        }
        for (const auto& offset : definitions->stream_offsets) {
            auto it = queues_by_id.find(offset.queue_id);
            if (it != queues_by_id.end() && it->second->stream() != nullptr) {
                it->second->stream()->restore_offset(offset.consumer, offset.offset);
            }
        }
    }
    for (const auto& b : definitions->bindings) {
        Vhost* vhost = find_vhost(b.vhost);
        if (vhost == nullptr) {
            continue;
        }
        routing::Binding binding{b.source,
                                 b.to_exchange ? routing::Destination::exchange(b.destination)
                                               : routing::Destination::queue(b.destination),
                                 b.routing_key, parse_object(b.arguments)};
        if (auto r = vhost->bind(binding); !r) {
            spdlog::warn("recovery: binding {} -> {}: {}", b.source, b.destination,
                         r.error().reason);
        }
    }

    // A message stored once for several queues is shared again in memory.
    std::unordered_map<std::uint64_t, MessagePtr> shared;
    MessagePtr last;
    std::uint64_t last_id = 0;
    std::vector<storage::EntryKey> transient;
    MessageDecoder decoder;
    // Load as much of each queue as the memory budget allows (at least a page-in's worth);
    // the rest stays on disk and is paged in as consumers need it.
    constexpr std::size_t kMinWindow = 4096;
    const std::size_t per_queue =
        std::max<std::size_t>(kMinWindow, memory_budget_ / (256 + kEntryOverhead) /
                                              std::max<std::size_t>(1, queues_by_id.size()));
    auto stats = store->load_entries(
        [&](const storage::EntryRecord& e, const storage::MessageRecord& m) {
            auto it = queues_by_id.find(e.queue_id);
            if (it == queues_by_id.end()) {
                return;
            }
            if (m.id != last_id || !last) {
                auto found = shared.find(m.id);
                if (found != shared.end()) {
                    last = found->second;
                } else {
                    auto properties = decoder.properties(m.properties);
                    last = std::make_shared<const Message>(
                        Message{m.exchange, m.routing_key,
                                properties ? std::move(*properties) : Properties{}, m.body});
                    shared.emplace(m.id, last);
                }
                last_id = m.id;
            }
            if (!last->properties.persistent()) {
                transient.push_back({e.queue_id, e.seq}); // paged out before the restart
                return;
            }
            it->second->restore(
                QueueEntry{last, e.seq, e.message_id, e.expires_at, e.delivery_count});
        },
        per_queue);
    journal_.pause(false);
    if (!stats) {
        return stats.error();
    }
    for (const auto& tail : stats->tails) {
        if (auto it = queues_by_id.find(tail.queue_id); it != queues_by_id.end()) {
            it->second->restore_tail(tail.count, tail.bytes, tail.next_seq);
        }
    }
    for (const auto& [id, queue] : queues_by_id) {
        queue->mark_recovered();
    }
    if (!transient.empty()) {
        journal_.batch().removed = std::move(transient);
    }
    restore_dedup(definitions->dedup, queues_by_id);
    next_message_id_ = std::max(next_message_id_, stats->max_message_id + 1);
    next_queue_id_ = std::max(next_queue_id_, stats->max_queue_id + 1);
    return stats;
}

} // namespace warren::server
