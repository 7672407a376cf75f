#pragma once

// Writer: the one thread that owns the write connection. It waits for at least one batch, takes
// everything queued (up to kMaxGroupBatches / kMaxGroupBytes), applies it in one transaction and
// commits: group commit, with no timer, so groups grow with load. The group's message rows are
// coalesced first (GroupRows: an entry published and acked within the group is never written),
// and no batch gets a savepoint; only if applying the group fails is the transaction rolled back
// and the group applied again batch by batch, each in a savepoint, so a bad batch fails alone.
// The group's completions go back to their owner's executor in one post, in submission order,
// after the commit. Between groups it removes doomed entries in small chunks.
//
// By default a group is whatever arrived during the last commit (no timer). With a
// commit_interval, once a group held more than one batch (several submitters at work), the next
// group starts no sooner than that interval after the last one began: fewer, bigger commits,
// for up to that much more confirm latency. On 2 cores each commit costs ~100 us of writer CPU
// (WAL page writes, locks, wake-ups) however few rows it has.
//
// The WAL starts over only when a checkpoint has copied all of it back before the next write;
// the Checkpointer copies without stopping the writer, but under steady writes it never catches
// up. So once the WAL holds more than wal_restart_bytes, the writer asks the checkpointer for a
// pass, and when that pass is done runs a PASSIVE checkpoint itself between two groups: with
// nothing appending meanwhile it copies the few pages committed since, and the next commit
// writes the WAL from its start. The writer pays for a few pages and one fsync; a TRUNCATE
// from the checkpointer held it for the whole copy (p99 confirms of 117-150 ms at 5 000 msg/s),
// and copying everything itself 10-15 ms every 60 ms (4 MiB of WAL at 5 000 msg/s: each
// commit rewrites a few whole pages). Measured in the README ("End to end").
//
// Thread-safety: submit() may be called from any thread; everything else runs on the writer.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "storage/sqlite/batch_writer.hpp"
#include "storage/sqlite/checkpointer.hpp"
#include "storage/sqlite/db.hpp"
#include "storage/sqlite/group_rows.hpp"
#include "storage/store.hpp"

namespace warren::storage::sqlite {

struct WriterStats {
    std::atomic<std::uint64_t> commits{0};
    std::atomic<std::uint64_t> batches{0};
    std::atomic<std::uint64_t> failed_batches{0};
    std::atomic<std::uint64_t> commit_micros_total{0};
    std::atomic<std::uint64_t> reaped_entries{0};
    // Coalescing: entries inserted and removed in the same group (never written), their
    // messages left unwritten, delivery counts folded away, groups applied again batch by batch.
    std::atomic<std::uint64_t> cancelled_entries{0};
    std::atomic<std::uint64_t> skipped_messages{0};
    std::atomic<std::uint64_t> folded_deliveries{0};
    std::atomic<std::uint64_t> retried_groups{0};
    // Passive checkpoints run by the writer, and how many of them copied the whole WAL (the
    // next commit starts it over).
    std::atomic<std::uint64_t> wal_checkpoints{0};
    std::atomic<std::uint64_t> wal_restarts{0};
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
    // After a restart failed (a reader's snapshot kept frames from being copied), the next try
    // waits this long: each one that copies something costs an fsync.
    static constexpr std::chrono::milliseconds kWalRestartEvery{20};
    // A pass asked of the checkpointer that takes longer than this is not waited for.
    static constexpr std::chrono::milliseconds kCheckpointerPatience{250};

    // wal_restart_bytes 0: the writer never checkpoints (the checkpointer alone does); a null
    // checkpointer: the writer copies the whole WAL itself.
    Writer(Db db, BatchWriter statements, Post post, std::size_t max_pending_bytes,
           std::chrono::microseconds commit_interval = std::chrono::microseconds(0),
           std::uint64_t wal_restart_bytes = 0, Checkpointer* checkpointer = nullptr);
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
    // The happy path: the whole group, coalesced, in one transaction. `applied` tells whether
    // the failure (if any) came from a batch's rows rather than BEGIN or COMMIT.
    Result<void> commit_together(const std::deque<Pending>& group, bool& applied);
    // After a failed group: each batch in a savepoint, so a bad one fails alone.
    Result<void> commit_one_by_one(const std::deque<Pending>& group,
                                   std::vector<Result<void>>& results);
    void complete(std::deque<Pending>& group, std::vector<Result<void>> results);
    enum class Reap { more, done, failed };
    Reap reap_some();
    void record_latency(std::uint64_t micros);
    void restart_wal_if_due();

    Db db_;
    BatchWriter statements_;
    GroupRows rows_;
    std::vector<const Batch*> batches_;
    Post post_;
    const std::size_t max_pending_bytes_;
    const std::chrono::microseconds commit_interval_;
    const std::uint64_t wal_restart_bytes_;
    Checkpointer* const checkpointer_;
    std::uint64_t page_size_ = 4096;
    int wal_frames_ = 0; // frames in the WAL after the last commit (the WAL hook sets it)
    std::chrono::steady_clock::time_point last_wal_checkpoint_{};
    // A pass asked of the checkpointer: when, and how many it had done then.
    bool pass_asked_ = false;
    std::chrono::steady_clock::time_point pass_asked_at_{};
    std::uint64_t passes_when_asked_ = 0;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Pending> queue_;
    std::size_t pending_bytes_ = 0;
    bool closing_ = false;
    bool idle_ = false; // waiting for work, not for a group to grow: submit wakes it

    WriterStats stats_;
    std::thread thread_;
};

} // namespace warren::storage::sqlite
