#include "server/journal.hpp"

namespace warren::server {

void Journal::flush(storage::Completion done) {
    if (!enabled()) {
        done({});
        return;
    }
    waiters_.push_back(std::move(done));
    schedule();
}

void Journal::record_delivery(storage::EntryKey key, std::uint32_t count) {
    storage::Batch& pending = batch();
    // Only the newest entry is looked at: a message is delivered within the enqueue that wrote
    // it, before the next queue's entry is added.
    if (!pending.entries.empty()) {
        storage::EntryRecord& newest = pending.entries.back();
        if (newest.queue_id == key.queue_id && newest.seq == key.seq) {
            newest.delivery_count = count;
            return;
        }
    }
    pending.deliveries.push_back({key, count});
}

void Journal::schedule() {
    if (scheduled_ || !enabled()) {
        return;
    }
    scheduled_ = true;
    post_([this] {
        if (scheduled_) {
            flush_now();
        }
    });
}

void Journal::flush_now() {
    scheduled_ = false;
    if (!enabled() || (pending_.empty() && waiters_.empty())) {
        return;
    }
    storage::Completion done;
    if (!waiters_.empty()) {
        done = [waiters = std::move(waiters_)](Result<void> result) {
            for (const auto& w : waiters) {
                w(result);
            }
        };
        waiters_.clear();
    }
    store_->submit(std::exchange(pending_, storage::Batch{}), std::move(done));
}

} // namespace warren::server
