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
        done = [failed = on_failure_, waiters = std::move(waiters_)](Result<void> result) {
            if (!result && failed) {
                failed(result.error());
            }
            for (const auto& w : waiters) {
                w(result);
            }
        };
        waiters_.clear();
    }
    store_->submit(std::exchange(pending_, storage::Batch{}), std::move(done));
}

} // namespace warren::server
