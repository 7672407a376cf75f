#pragma once

// Writer: the one thread that owns the write connection. It waits for at least one batch, takes
// everything queued (up to kMaxGroupBatches / kMaxGroupBytes), applies it in one transaction
// (each batch in a savepoint, so a bad batch fails alone) and commits: group commit, with no
// timer, so groups grow with load. Completions are posted back to their owner's executor after
// the commit. Between groups it removes doomed entries in small chunks.
//
// Thread-safety: submit() may be called from any thread; everything else runs on the writer.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

#include "storage/sqlite/batch_writer.hpp"
#include "storage/sqlite/db.hpp"
#include "storage/store.hpp"

namespace warren::storage::sqlite {

struct WriterStats {
    std::atomic<std::uint64_t> commits{0};
    std::atomic<std::uint64_t> batches{0};
    std::atomic<std::uint64_t> failed_batches{0};
    std::atomic<std::uint64_t> commit_micros_total{0};
    std::atomic<std::uint64_t> reaped_entries{0};
    // Commit latency histogram buckets (microseconds): <=250, 500, 1000, 2500, 5000, 10000,
    // 25000, 50000, 100000, 250000, +inf.
    static constexpr std::uint64_t kBuckets[] = {250,   500,   1000,  2500,   5000,
                                                 10000, 25000, 50000, 100000, 250000};
    std::atomic<std::uint64_t> latency_buckets[11]{};
};

class Writer {
public:
    static constexpr std::size_t kMaxGroupBatches = 4096;
    static constexpr std::size_t kMaxGroupBytes = 8u << 20;
    static constexpr std::size_t kReapChunk = 5000;

    Writer(Db db, BatchWriter statements, Post post, std::size_t max_pending_bytes);
    ~Writer();
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;

    void submit(Batch batch, Completion done);
    // Commits what was submitted, then stops the thread. Idempotent.
    void close();

    const WriterStats& stats() const { return stats_; }
    std::size_t pending_bytes() const;

private:
    struct Pending {
        Batch batch;
        Completion done;
        std::size_t bytes = 0;
    };

    void run();
    void commit_group(std::deque<Pending>& group);
    bool reap_some();
    void record_latency(std::uint64_t micros);

    Db db_;
    BatchWriter statements_;
    Post post_;
    const std::size_t max_pending_bytes_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;
    std::size_t pending_bytes_ = 0;
    bool closing_ = false;

    WriterStats stats_;
    std::thread thread_;
};

} // namespace warren::storage::sqlite
