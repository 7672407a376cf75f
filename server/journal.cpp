#include "server/journal.hpp"

namespace warren::server {

void Journal::flush(storage::Completion done) {
    if (!enabled() || (pending_.empty() && *in_flight_ == 0)) {
        done({}); // everything journaled so far is committed already
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
    ++*in_flight_;
    storage::Completion done = [in_flight = in_flight_, failed = on_failure_,
                                waiters = std::exchange(waiters_, {})](Result<void> result) {
        --*in_flight;
        if (!result && failed && !waiters.empty()) {
            failed(result.error());
        }
        for (const auto& w : waiters) {
            w(result);
        }
    };
    store_->submit(std::exchange(pending_, storage::Batch{}), std::move(done));
}

} // namespace warren::server
