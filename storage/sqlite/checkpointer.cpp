#include "storage/sqlite/checkpointer.hpp"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

#include <pthread.h>

namespace warren::storage::sqlite {

Checkpointer::Checkpointer(Db db, std::uint64_t truncate_bytes)
    : db_(std::move(db)), truncate_bytes_(truncate_bytes) {
    if (auto stmt = db_.prepare("PRAGMA page_size"); stmt) {
        if (auto row = stmt->step(); row && *row) {
            page_size_ = static_cast<std::uint64_t>(stmt->column_int(0));
        }
    }
    thread_ = std::thread([this] { run(); });
}

Checkpointer::~Checkpointer() {
    stop();
}

void Checkpointer::request() {
    std::lock_guard lock(mutex_);
    requested_ = true;
    wake_.notify_one();
}

void Checkpointer::stop() {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && !thread_.joinable()) {
            return;
        }
        stopping_ = true;
        wake_.notify_one();
    }
    if (thread_.joinable()) {
        thread_.join();
        sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr,
                                  nullptr);
    }
}

void Checkpointer::run() {
    pthread_setname_np(pthread_self(), "warren-ckpt");
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, std::chrono::milliseconds(200),
                       [&] { return requested_ || stopping_; });
        if (stopping_) {
            break;
        }
        requested_ = false;
        lock.unlock();
        int wal_frames = 0;
        int copied = 0;
        // PASSIVE never waits for the writer: it copies what it can and returns.
        int rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                           &wal_frames, &copied);
        if (rc == SQLITE_OK &&
            static_cast<std::uint64_t>(std::max(wal_frames, 0)) * page_size_ > truncate_bytes_) {
            rc = sqlite3_wal_checkpoint_v2(db_.handle(), nullptr, SQLITE_CHECKPOINT_TRUNCATE,
                                           nullptr, nullptr);
        }
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
            spdlog::warn("store: checkpoint failed: {}", sqlite3_errmsg(db_.handle()));
        }
        passes_.fetch_add(1, std::memory_order_release);
        lock.lock();
    }
}

} // namespace warren::storage::sqlite
