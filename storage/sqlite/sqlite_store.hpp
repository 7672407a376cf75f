#pragma once

// SqliteStore: the embedded default Store, one file `<data-dir>/warren.db` in WAL mode.
// Four connections: the writer thread's (all writes, group commit), the checkpointer thread's
// (PASSIVE checkpoints off the commit path, so the WAL stays bounded without stalling
// publishers), the pager's (reads a backlog back), and the boot-time reader used by recovery.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "storage/sqlite/checkpointer.hpp"
#include "storage/sqlite/schema.hpp"
#include "storage/sqlite/writer.hpp"
#include "storage/store.hpp"

namespace warren::storage::sqlite {

struct SqliteOptions {
    std::string path; // the database file
    SyncMode sync = SyncMode::normal;
    std::size_t max_pending_bytes = 256u << 20; // writer queue bound; past it submit fails
    // Under load from several submitters, commits start at most this often (see Writer);
    // 0 (the default) commits back to back.
    std::chrono::microseconds commit_interval{0};
    // Past this much WAL the writer copies the rest back itself between two groups, so the WAL
    // starts over (see Writer); 0 leaves it to the checkpointer thread.
    std::uint64_t wal_restart_bytes = 2u << 20;
    // The backstop, if restarts keep failing (a reader holding an old snapshot): past this much
    // WAL the checkpointer truncates it, holding the writer for the whole copy.
    std::uint64_t wal_truncate_bytes = 64u << 20;
};

class SqliteStore final : public Store {
public:
    static Result<std::unique_ptr<SqliteStore>> open(SqliteOptions options, Post post);
    ~SqliteStore() override;

    Result<Definitions> load_definitions() override;
    Result<RecoveryStats> load_entries(const EntryVisitor& visit,
                                       std::size_t per_queue_limit = SIZE_MAX) override;
    void read_entries(std::uint64_t queue_id, std::uint64_t from_seq, std::size_t limit,
                      PageCompletion done) override;
    void submit(Batch batch, Completion done) override;
    void close() override;

    const WriterStats& writer_stats() const { return writer_->stats(); }
    std::size_t pending_bytes() const { return writer_->pending_bytes(); }

private:
    SqliteStore(SqliteOptions options, Post post, Db reader,
                std::unique_ptr<Checkpointer> checkpointer, std::unique_ptr<Writer> writer,
                Db pager_db);
    void run_pager();

    struct PageRequest {
        std::uint64_t queue_id = 0;
        std::uint64_t from_seq = 0;
        std::size_t limit = 0;
        PageCompletion done;
    };

    SqliteOptions options_;
    Post post_;
    Db reader_;
    std::unique_ptr<Checkpointer> checkpointer_; // outlives the writer, which asks it for passes
    std::unique_ptr<Writer> writer_;

    // Page-in runs on its own thread and connection, so reading a backlog never waits for (or
    // holds up) commits.
    Db pager_db_;
    std::mutex pager_mutex_;
    std::condition_variable pager_wake_;
    std::deque<PageRequest> page_requests_;
    bool pager_stopping_ = false;
    std::thread pager_;
};

} // namespace warren::storage::sqlite
