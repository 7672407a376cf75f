#pragma once

// Checkpointer: the thread that copies the WAL back into warren.db without stopping the writer.
// Its PASSIVE checkpoints (every 200 ms, or at once when the writer asks) copy what was committed
// when they began, while the writer goes on appending, so under steady writes they never copy
// everything and the WAL never starts over by itself. The writer finishes the job between two
// groups (Writer: it asks for a pass, then copies only what came after it). Past
// truncate_bytes of WAL (restarts keep failing: a reader holds an old snapshot) a TRUNCATE
// waits for the writer, copies the rest and empties the file: the backstop.
//
// Thread-safety: request() and passes() from any thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "storage/sqlite/db.hpp"

namespace warren::storage::sqlite {

class Checkpointer {
public:
    Checkpointer(Db db, std::uint64_t truncate_bytes);
    ~Checkpointer();
    Checkpointer(const Checkpointer&) = delete;
    Checkpointer& operator=(const Checkpointer&) = delete;

    // Starts a pass now (or right after the one under way).
    void request();
    // Passes completed so far: one that completes after a request() copied what was in the WAL
    // when it was asked for.
    std::uint64_t passes() const { return passes_.load(std::memory_order_acquire); }
    // Stops the thread; then a last TRUNCATE leaves a small WAL for the next start. Idempotent.
    void stop();

private:
    void run();

    Db db_;
    const std::uint64_t truncate_bytes_;
    std::uint64_t page_size_ = 4096; // of the database: a WAL frame holds one page
    std::mutex mutex_;
    std::condition_variable wake_;
    bool requested_ = false;
    bool stopping_ = false;
    std::atomic<std::uint64_t> passes_{0};
    std::thread thread_;
};

} // namespace warren::storage::sqlite
