// Queue paging: a durable queue whose backlog is past the broker's memory budget keeps its newest
// entries only in SQLite (the "paged" tail) and reads them back, in sequence order, as the
// in-memory window drains. Every paged entry is ready and newer than anything in memory, so the
// tail is just (count, bytes, next sequence to read); page-in waits for the journal to commit,
// so it always finds what it looks for.

#include <spdlog/spdlog.h>

#include "common/properties_json.hpp"
#include "server/core.hpp"
#include "server/message_decoder.hpp"
#include "server/queue.hpp"
#include "server/vhost.hpp"

namespace warren::server {
namespace {

constexpr std::size_t kPageLow = 1024;   // page in when fewer ready entries are in memory
constexpr std::size_t kPageBatch = 4096; // entries per page-in
// A grouped queue whose window is full of held groups (each waiting for its consumer's ack) reads
// further, so that a group behind them is not blocked by them, up to this many in memory.
constexpr std::size_t kGroupedWindow = 16 * kPageBatch;

bool window_low(const ReadyList& ready) {
    if (ready.size() < kPageLow) {
        return true;
    }
    return ready.grouped() && ready.takeable() < kPageLow && ready.size() < kGroupedWindow;
}

} // namespace

bool Queue::should_page_out() const {
    return persists() && (paged_.count > 0 || vhost_.core().over_memory_budget());
}

void Queue::page_out(const MessagePtr& message, std::uint64_t message_id, Millis expires_at) {
    auto& journal = vhost_.core().journal();
    if (message_id == 0) {
        // A transient message behind a paged backlog must keep its place in line, so it goes to
        // disk too (this queue's own copy); recovery drops such entries after a restart.
        message_id = vhost_.core().next_message_id();
        journal.batch().messages.push_back({message_id, message->exchange, message->routing_key,
                                            serialize_properties(message->properties),
                                            message->body});
    }
    const std::uint64_t seq = next_seq_++;
    const auto size = static_cast<std::uint32_t>(message->body_size());
    journal.batch().entries.push_back({id_, seq, message_id, expires_at, 0, size});
    if (paged_.count == 0) {
        paged_.next_seq = seq;
    }
    ++paged_.count;
    paged_.bytes += size;
    maybe_page_in();
}

void Queue::restore_tail(std::uint64_t count, std::uint64_t bytes, std::uint64_t next_seq) {
    paged_ = Paged{count, bytes, next_seq};
}

void Queue::forget_paged() {
    paged_ = Paged{};
    ++page_generation_;
    page_in_pending_ = false;
}

void Queue::maybe_page_in() {
    if (deleted_ || page_in_pending_ || paged_.count == 0 || !window_low(ready_)) {
        return;
    }
    Journal& journal = vhost_.core().journal();
    storage::Store* store = journal.store();
    if (store == nullptr) {
        return;
    }
    page_in_pending_ = true;
    const std::uint64_t generation = page_generation_;
    std::weak_ptr<Queue> weak = weak_from_this();
    // Commit first: the entries to read may still be in the journal's pending batch.
    journal.flush([weak, generation, store](Result<void> committed) {
        auto self = weak.lock();
        if (!self || self->deleted_ || generation != self->page_generation_) {
            return;
        }
        if (!committed) {
            self->on_paged_in(generation, committed.error());
            return;
        }
        store->read_entries(self->id_, self->paged_.next_seq, kPageBatch,
                            [weak, generation](Result<std::vector<storage::StoredEntry>> page) {
                                if (auto queue = weak.lock()) {
                                    queue->on_paged_in(generation, std::move(page));
                                }
                            });
    });
}

void Queue::on_paged_in(std::uint64_t generation, Result<std::vector<storage::StoredEntry>> page) {
    if (deleted_ || generation != page_generation_) {
        return; // purged or deleted meanwhile
    }
    page_in_pending_ = false;
    if (!page) {
        spdlog::error("queue '{}': page-in failed: {}", name(), page.error().reason);
        return; // the next dispatch asks again
    }
    auto self = shared_from_this();
    std::vector<storage::EntryKey> stale;
    MessageDecoder decoder;
    for (auto& stored : *page) {
        const auto& e = stored.entry;
        paged_.count -= std::min<std::uint64_t>(paged_.count, 1);
        paged_.bytes -= std::min<std::uint64_t>(paged_.bytes, e.size);
        paged_.next_seq = e.seq + 1;
        auto message = decoder.decode(std::move(stored.message));
        if (!message || (!(*message)->properties.persistent() && e.seq < recovered_below_seq_)) {
            stale.push_back({id_, e.seq}); // a transient message from before the restart
            continue;
        }
        push_ready(
            QueueEntry{std::move(*message), e.seq, e.message_id, e.expires_at, e.delivery_count});
    }
    if (page->empty() && paged_.count > 0) {
        spdlog::warn("queue '{}': {} paged entries were not found on disk", name(), paged_.count);
        paged_ = Paged{};
    }
    if (!stale.empty()) {
        auto& removed = vhost_.core().journal().batch().removed;
        removed.insert(removed.end(), stale.begin(), stale.end());
    }
    enforce_length_limit();
    dispatch(); // also pages in again while the window is still low
}

} // namespace warren::server
