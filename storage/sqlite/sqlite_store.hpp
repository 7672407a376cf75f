#pragma once

// SqliteStore: the embedded default Store, one file `<data-dir>/warren.db` in WAL mode.
// Three connections: the writer thread's (all writes, group commit), a checkpointer thread's
// (PASSIVE checkpoints off the commit path, so the WAL stays bounded without stalling
// publishers), and the boot-time reader used by recovery.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

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
    // Past this much WAL the checkpointer truncates it, holding the writer for the copy (a few
    // ms): under steady writes a passive checkpoint never catches up with the writer, so the
    // WAL would never start over and would grow without end.
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
    SqliteStore(SqliteOptions options, Post post, Db reader, std::unique_ptr<Writer> writer,
                Db checkpoint_db, Db pager_db);
    void run_checkpoints();
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
    std::unique_ptr<Writer> writer_;
    Db checkpoint_db_;
    std::mutex checkpoint_mutex_;
    std::condition_variable checkpoint_wake_;
    bool stopping_ = false;
    std::uint64_t page_size_ = 4096; // of the database: a WAL frame holds one page
    std::thread checkpointer_;

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
