#include "storage/memory_store.hpp"

#include <utility>

namespace warren::storage {
namespace {

Error shutting_down() {
    return make_error(Errc::resource_alarm, "the store is shutting down");
}

} // namespace

MemoryStore::MemoryStore(Post post) : post_(std::move(post)) {}

Result<Definitions> MemoryStore::load_definitions() {
    return tables_.definitions();
}

Result<RecoveryStats> MemoryStore::load_entries(const EntryVisitor& visit,
                                                std::size_t per_queue_limit) {
    return tables_.load_entries(visit, per_queue_limit);
}

void MemoryStore::read_entries(std::uint64_t queue_id, std::uint64_t from_seq, std::size_t limit,
                               PageCompletion done) {
    Result<std::vector<StoredEntry>> page =
        closed_ ? Result<std::vector<StoredEntry>>(shutting_down())
                : Result<std::vector<StoredEntry>>(tables_.read_entries(queue_id, from_seq, limit));
    post_([done = std::move(done), page = std::move(page)]() mutable { done(std::move(page)); });
}

void MemoryStore::submit(Batch batch, Completion done) {
    Result<void> result;
    if (closed_) {
        result = shutting_down();
    } else if (fail_ && fail_(batch)) {
        result = make_error(Errc::internal, "memory store: injected failure");
    } else {
        // Nothing can fail past this point, so the batch is applied whole or (above) not at all.
        tables_.apply(std::move(batch));
    }
    if (done) {
        post_([done = std::move(done), result = std::move(result)] { done(result); });
    }
}

void MemoryStore::close() {
    // Every batch was applied when it was submitted and its completion posted then: nothing is
    // left to commit.
    closed_ = true;
}

void MemoryStore::reopen(Post post) {
    post_ = std::move(post);
    closed_ = false;
}

} // namespace warren::storage
