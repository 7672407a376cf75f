#include "storage/sqlite/writer.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

namespace warren::storage::sqlite {

Writer::Writer(Db db, BatchWriter statements, Post post, std::size_t max_pending_bytes)
    : db_(std::move(db)), statements_(std::move(statements)), post_(std::move(post)),
      max_pending_bytes_(max_pending_bytes), thread_([this] { run(); }) {}

Writer::~Writer() {
    close();
}

void Writer::submit(Batch batch, Completion done) {
    const std::size_t bytes = batch.bytes();
    bool closing = false;
    {
        std::lock_guard lock(mutex_);
        closing = closing_;
        if (!closing && (pending_bytes_ + bytes <= max_pending_bytes_ || queue_.empty())) {
            pending_bytes_ += bytes;
            queue_.push_back(Pending{std::move(batch), std::move(done), bytes});
            wake_.notify_one();
            return;
        }
    }
    // Full (or closing): fail fast so the publisher gets a 503 instead of waiting unboundedly.
    if (done) {
        post_([done = std::move(done), closing] {
            done(make_error(Errc::resource_alarm,
                            closing ? "the store is shutting down"
                                    : "the store's write queue is full; retry shortly"));
        });
    }
}

std::size_t Writer::pending_bytes() const {
    std::lock_guard lock(mutex_);
    return pending_bytes_;
}

void Writer::close() {
    {
        std::lock_guard lock(mutex_);
        if (closing_ && !thread_.joinable()) {
            return;
        }
        closing_ = true;
        wake_.notify_one();
    }
    if (thread_.joinable()) {
        thread_.join();
    }
}

void Writer::run() {
    bool reap_pending = true; // there may be doomed ranges left from before a restart
    std::deque<Pending> group;
    while (true) {
        {
            std::unique_lock lock(mutex_);
            if (queue_.empty() && !closing_) {
                if (reap_pending) {
                    lock.unlock();
                    reap_pending = reap_some();
                    continue;
                }
                wake_.wait(lock, [&] { return !queue_.empty() || closing_; });
            }
            if (queue_.empty() && closing_) {
                break;
            }
            std::size_t bytes = 0;
            while (!queue_.empty() && group.size() < kMaxGroupBatches &&
                   (group.empty() || bytes + queue_.front().bytes <= kMaxGroupBytes)) {
                bytes += queue_.front().bytes;
                group.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
            pending_bytes_ -= bytes;
        }
        commit_group(group);
        group.clear();
        // One chunk of background deletion per group keeps it moving under load.
        reap_pending = reap_some();
    }
}

void Writer::commit_group(std::deque<Pending>& group) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<Result<void>> results(group.size());
    bool committed = false;
    if (auto begun = db_.exec("BEGIN IMMEDIATE"); begun) {
        for (std::size_t i = 0; i < group.size(); ++i) {
            if (auto ok = db_.exec("SAVEPOINT batch"); !ok) {
                results[i] = ok.error();
                continue;
            }
            results[i] = statements_.apply(group[i].batch);
            if (!results[i]) {
                (void)db_.exec("ROLLBACK TO batch");
                stats_.failed_batches.fetch_add(1, std::memory_order_relaxed);
                spdlog::error("store: batch failed: {}", results[i].error().reason);
            }
            (void)db_.exec("RELEASE batch");
        }
        auto commit = db_.exec("COMMIT");
        committed = commit.has_value();
        if (!committed) {
            spdlog::error("store: commit failed: {}", commit.error().reason);
            (void)db_.exec("ROLLBACK");
            for (auto& r : results) {
                r = commit.error();
            }
        }
    } else {
        spdlog::error("store: cannot begin a transaction: {}", begun.error().reason);
        for (auto& r : results) {
            r = begun.error();
        }
    }
    const auto micros =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::steady_clock::now() - start)
                                       .count());
    if (committed) {
        stats_.commits.fetch_add(1, std::memory_order_relaxed);
        stats_.batches.fetch_add(group.size(), std::memory_order_relaxed);
        record_latency(micros);
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
        if (group[i].done) {
            post_([done = std::move(group[i].done), result = std::move(results[i])] {
                done(result);
            });
        }
    }
}

bool Writer::reap_some() {
    if (!db_.exec("BEGIN IMMEDIATE")) {
        return false;
    }
    auto reaped = statements_.reap(kReapChunk);
    if (!reaped || !db_.exec("COMMIT")) {
        (void)db_.exec("ROLLBACK");
        if (!reaped) {
            spdlog::error("store: background delete failed: {}", reaped.error().reason);
        }
        return false;
    }
    stats_.reaped_entries.fetch_add(*reaped, std::memory_order_relaxed);
    return *reaped > 0;
}

void Writer::record_latency(std::uint64_t micros) {
    stats_.commit_micros_total.fetch_add(micros, std::memory_order_relaxed);
    std::size_t bucket = 0;
    while (bucket < std::size(WriterStats::kBuckets) && micros > WriterStats::kBuckets[bucket]) {
        ++bucket;
    }
    stats_.latency_buckets[bucket].fetch_add(1, std::memory_order_relaxed);
}

} // namespace warren::storage::sqlite
