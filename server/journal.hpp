#pragma once

// Journal: the broker's side of the Store. Everything the broker changes during one turn of the
// core thread (messages, entries, delivery counts, removals, definitions) goes into one pending
// Batch; the first change schedules a flush, which hands the batch to the store at the end of the
// turn. flush(done) asks to be told when everything pending so far is committed: that is how a
// publisher's confirm waits for durability. Without a store (transient-only broker, unit tests)
// nothing is kept and done runs at once.
//
// Thread: the core executor only; `post` puts the flush at the end of its queue.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "storage/store.hpp"

namespace warren::server {

class Journal {
public:
    Journal(storage::Store* store, storage::Post post) : store_(store), post_(std::move(post)) {}

    bool enabled() const { return store_ != nullptr && !paused_; }
    storage::Store* store() const { return store_; }

    // While paused (recovery replays what the store already holds) nothing is journaled.
    void pause(bool paused) { paused_ = paused; }

    // The batch to add changes to; call only when enabled().
    storage::Batch& batch() {
        schedule();
        return pending_;
    }

    // The batch for a put of a definition. The store applies a batch's puts before its deletions
    // (storage/store.hpp), so a put that a deletion already pending would undo (an exchange
    // deleted and declared again in one turn) must go in a later batch: when `undone(pending)`
    // says so, what is pending is submitted first. Call only when enabled().
    template <class Undone> storage::Batch& batch_for_put(Undone&& undone) {
        if (undone(pending_)) {
            flush_now();
        }
        return batch();
    }

    void flush(storage::Completion done);

    // Told of a commit that failed while someone waited for it (the store's error), on the core
    // executor: the core raises the disk alarm at once when the disk is full.
    void on_failure(std::function<void(const Error&)> hook) { on_failure_ = std::move(hook); }

    // Submits what is pending now, without waiting for the scheduled turn (shutdown, tests).
    void flush_now();

private:
    void schedule();

    storage::Store* store_;
    storage::Post post_;
    storage::Batch pending_;
    std::vector<storage::Completion> waiters_;
    // Batches submitted and not yet answered: with none, and nothing pending, flush answers at
    // once (a stream reader flushes before every page it reads). Shared with the completions,
    // which may run after the journal is gone at shutdown.
    std::shared_ptr<std::uint64_t> in_flight_ = std::make_shared<std::uint64_t>(0);
    std::function<void(const Error&)> on_failure_;
    bool scheduled_ = false;
    bool paused_ = false;
};

} // namespace warren::server
