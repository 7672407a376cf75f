#pragma once

// MemoryStore: the in-memory twin of SqliteStore. It keeps "what survives a restart" in RAM
// (MemoryTables) and honours the whole Store contract: submit() applies a batch at once, all or
// nothing, and posts its completion (never runs it inside submit); loads and page-in reads
// give back what a SqliteStore would after the same batches. For unit tests of the broker core
// and transient-only runs.
//
// A restart without a process: close() it, drop the Broker, then reopen() it and start a new
// Broker over the same object; it still holds everything committed before the close.
//
// Thread and lifetime: the owner's thread (the broker's core executor), like the broker; no
// locking. Completions run through `post`, so the executor must outlive what was posted.

#include <cstddef>
#include <cstdint>
#include <functional>

#include "storage/memory_tables.hpp"
#include "storage/store.hpp"

namespace warren::storage {

class MemoryStore final : public Store {
public:
    explicit MemoryStore(Post post);

    Result<Definitions> load_definitions() override;
    Result<RecoveryStats> load_entries(const EntryVisitor& visit,
                                       std::size_t per_queue_limit = SIZE_MAX) override;
    void read_entries(std::uint64_t queue_id, std::uint64_t from_seq, std::size_t limit,
                      PageCompletion done) override;
    void submit(Batch batch, Completion done) override;
    void close() override;

    // Starts a new life over the same data, as a process restarting over the same file would;
    // `post` is the new owner's executor.
    void reopen(Post post);

    // Batches for which `fail` returns true fail (with Errc::internal) and change nothing, as a
    // batch whose commit failed; an empty function turns the failures off.
    void fail_batches_for_test(std::function<bool(const Batch&)> fail) { fail_ = std::move(fail); }
    // How many messages are stored (referenced or not), as SQLite's messages table would say.
    std::size_t message_count_for_test() const { return tables_.message_count(); }

private:
    Post post_;
    MemoryTables tables_;
    bool closed_ = false;
    std::function<bool(const Batch&)> fail_;
};

} // namespace warren::storage
