#include "storage/sqlite/writer.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

#include <pthread.h>

namespace warren::storage::sqlite {

Writer::Writer(Db db, BatchWriter statements, Post post, std::size_t max_pending_bytes,
               std::chrono::microseconds commit_interval, std::uint64_t wal_restart_bytes,
               Checkpointer* checkpointer)
    : db_(std::move(db)), statements_(std::move(statements)), post_(std::move(post)),
      max_pending_bytes_(max_pending_bytes), commit_interval_(commit_interval),
      wal_restart_bytes_(wal_restart_bytes), checkpointer_(checkpointer) {
    if (auto stmt = db_.prepare("PRAGMA page_size"); stmt) {
        if (auto row = stmt->step(); row && *row) {
            page_size_ = static_cast<std::uint64_t>(stmt->column_int(0));
        }
    }
    // Replaces SQLite's auto-checkpoint hook (wal_autocheckpoint is 0 on this connection).
    sqlite3_wal_hook(
        db_.handle(),
        [](void* self, sqlite3*, const char*, int frames) {
            static_cast<Writer*>(self)->wal_frames_ = frames;
            return SQLITE_OK;
        },
        this);
    thread_ = std::thread([this] { run(); });
}

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
            // While the writer lets a group grow (commit_interval_), only a full group wakes it.
            if (idle_ || pending_bytes_ >= kMaxGroupBytes) {
                wake_.notify_one();
            }
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
    pthread_setname_np(pthread_self(), "warren-writer"); // for top -H, perf and /proc
    // Doomed ranges may be left from before a restart. `doomed` says there may be rows to reap
    // (kept after a failed attempt, so the next group tries again); `reap_idle` says to go on
    // reaping while nothing is queued (not after a failure, so an error cannot spin).
    bool doomed = true;
    bool reap_idle = true;
    const auto reap = [&] {
        const Reap r = reap_some();
        doomed = r != Reap::done;
        reap_idle = r == Reap::more;
    };
    std::deque<Pending> group;
    auto last_commit = std::chrono::steady_clock::time_point{};
    std::size_t last_group = 0;
    while (true) {
        {
            std::unique_lock lock(mutex_);
            if (queue_.empty() && !closing_) {
                if (reap_idle) {
                    lock.unlock();
                    reap();
                    continue;
                }
                idle_ = true;
                wake_.wait(lock, [&] { return !queue_.empty() || closing_; });
                idle_ = false;
            }
            if (commit_interval_.count() > 0 && last_group > 1) {
                // Several submitters are active: let this group grow until commit_interval_
                // after the last commit began (a lone submitter never waits).
                wake_.wait_until(lock, last_commit + commit_interval_,
                                 [&] { return closing_ || pending_bytes_ >= kMaxGroupBytes; });
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
        for (const auto& p : group) {
            doomed = doomed || !p.batch.purged.empty() || !p.batch.deleted_queues.empty() ||
                     !p.batch.deleted_vhosts.empty();
        }
        last_commit = std::chrono::steady_clock::now();
        last_group = group.size();
        commit_group(group);
        group.clear();
        // One chunk of background deletion per group keeps it moving under load; with nothing
        // doomed, no transaction is spent on looking.
        if (doomed) {
            reap();
        }
        restart_wal_if_due();
    }
}

void Writer::restart_wal_if_due() {
    if (wal_restart_bytes_ == 0 ||
        static_cast<std::uint64_t>(wal_frames_) * page_size_ < wal_restart_bytes_) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (checkpointer_ != nullptr) {
        // First let the checkpointer copy what is there, off this thread.
        if (!pass_asked_) {
            pass_asked_ = true;
            pass_asked_at_ = now;
            passes_when_asked_ = checkpointer_->passes();
            checkpointer_->request();
            return;
        }
        if (checkpointer_->passes() == passes_when_asked_ &&
            now - pass_asked_at_ < kCheckpointerPatience) {
            return;
        }
    }
    if (now - last_wal_checkpoint_ < kWalRestartEvery) {
        return;
    }
    pass_asked_ = false;
    last_wal_checkpoint_ = now;
    int in_wal = 0;
    int copied = 0;
    // BUSY: the checkpointer thread is copying right now; the next group tries again.
    const int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                             &in_wal, &copied);
    stats_.wal_checkpoints.fetch_add(1, std::memory_order_relaxed);
    if (rc == SQLITE_OK && copied == in_wal) {
        stats_.wal_restarts.fetch_add(1, std::memory_order_relaxed);
        wal_frames_ = 0;
    } else if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
        spdlog::warn("store: writer checkpoint failed: {}", sqlite3_errmsg(db_.handle()));
    }
}

void Writer::commit_group(std::deque<Pending>& group) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<Result<void>> results;
    bool applied = false;
    auto together = commit_together(group, applied);
    bool committed = together.has_value();
    if (committed) {
        results.resize(group.size());
    } else if (applied) {
        // A batch failed: find which, and commit the others without it.
        stats_.retried_groups.fetch_add(1, std::memory_order_relaxed);
        auto one_by_one = commit_one_by_one(group, results);
        committed = one_by_one.has_value();
        if (!committed) {
            results.assign(group.size(), one_by_one.error());
        }
    } else {
        results.assign(group.size(), together.error());
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
    complete(group, std::move(results));
}

Result<void> Writer::commit_together(const std::deque<Pending>& group, bool& applied) {
    applied = false;
    if (auto begun = statements_.begin(); !begun) {
        spdlog::error("store: cannot begin a transaction: {}", begun.error().reason);
        return begun;
    }
    batches_.clear();
    for (const auto& p : group) {
        batches_.push_back(&p.batch);
    }
    Result<void> ok;
    const bool coalesced = rows_.build(batches_);
    if (coalesced) {
        ok = statements_.apply_group(batches_, rows_);
    } else {
        // A key pattern coalescing does not handle: the batches in order, still one transaction.
        for (const Batch* b : batches_) {
            if (ok = statements_.apply(*b); !ok) {
                break;
            }
        }
    }
    if (!ok) {
        applied = true;
        statements_.rollback();
        return ok;
    }
    if (auto commit = statements_.commit(); !commit) {
        spdlog::error("store: commit failed: {}", commit.error().reason);
        statements_.rollback();
        return commit;
    }
    if (coalesced) {
        stats_.cancelled_entries.fetch_add(rows_.cancelled_entries, std::memory_order_relaxed);
        stats_.skipped_messages.fetch_add(rows_.skipped_messages, std::memory_order_relaxed);
        stats_.folded_deliveries.fetch_add(rows_.folded_deliveries, std::memory_order_relaxed);
    }
    return {};
}

Result<void> Writer::commit_one_by_one(const std::deque<Pending>& group,
                                       std::vector<Result<void>>& results) {
    results.assign(group.size(), Result<void>{});
    if (auto begun = statements_.begin(); !begun) {
        spdlog::error("store: cannot begin a transaction: {}", begun.error().reason);
        return begun;
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
        if (auto ok = statements_.savepoint(); !ok) {
            results[i] = ok.error();
            continue;
        }
        results[i] = statements_.apply(group[i].batch);
        if (!results[i]) {
            statements_.rollback_to_savepoint();
            stats_.failed_batches.fetch_add(1, std::memory_order_relaxed);
            spdlog::error("store: batch failed: {}", results[i].error().reason);
        }
        statements_.release();
    }
    if (auto commit = statements_.commit(); !commit) {
        spdlog::error("store: commit failed: {}", commit.error().reason);
        statements_.rollback();
        return commit;
    }
    return {};
}

void Writer::complete(std::deque<Pending>& group, std::vector<Result<void>> results) {
    // One post for the whole group: each post is a lock and maybe a wake-up of the core thread.
    std::vector<Completion> dones;
    dones.reserve(group.size());
    std::size_t kept = 0;
    for (std::size_t i = 0; i < group.size(); ++i) {
        if (group[i].done) {
            dones.push_back(std::move(group[i].done));
            if (kept != i) {
                results[kept] = std::move(results[i]);
            }
            ++kept;
        }
    }
    if (dones.empty()) {
        return;
    }
    results.resize(kept);
    post_([dones = std::move(dones), results = std::move(results)] {
        for (std::size_t i = 0; i < dones.size(); ++i) {
            dones[i](results[i]);
        }
    });
}

Writer::Reap Writer::reap_some() {
    if (!statements_.begin()) {
        return Reap::failed;
    }
    auto reaped = statements_.reap(kReapChunk);
    if (!reaped || !statements_.commit()) {
        statements_.rollback();
        if (!reaped) {
            spdlog::error("store: background delete failed: {}", reaped.error().reason);
        }
        return Reap::failed;
    }
    stats_.reaped_entries.fetch_add(*reaped, std::memory_order_relaxed);
    return *reaped > 0 ? Reap::more : Reap::done;
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
