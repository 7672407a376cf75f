#pragma once

// Deduplication (x-message-deduplication on an exchange or a queue): the settings a declare
// carries, and the window of keys seen, which decides whether a publish is a duplicate.
//
// A key is the Idempotency-Key of an HTTP publish when given, else the header named by
// x-deduplication-header, else the message_id property; a message with none is never a
// duplicate. The window keeps a key for x-cache-ttl milliseconds and at most x-cache-size keys,
// the oldest leaving first. Every key has a number (its seq, increasing across the broker), and
// the keys leave the window in seq order, so what the store must forget is always "everything of
// this window below seq N": one range delete, whatever was evicted. The window survives a restart
// because the store keeps each key with its message, in the same commit.
//
// Thread: the core executor only.

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "common/message.hpp"
#include "server/clock.hpp"
#include "storage/records.hpp"
#include "storage/store.hpp"

namespace warren::server {

struct DedupSettings {
    std::optional<std::string> header;  // x-deduplication-header; none = message_id
    Millis ttl = 300'000;               // x-cache-ttl
    std::uint64_t max_keys = 1'000'000; // x-cache-size
};

// The dedup arguments of a declare: nothing unless x-message-deduplication is true. The other
// three without it are refused (they would silently do nothing). `where`: "queue 'q' in vhost
// '/'", for reasons worded as RabbitMQ's.
Result<std::optional<DedupSettings>> parse_dedup_arguments(const boost::json::object& arguments,
                                                           std::string_view where);
bool is_dedup_argument(std::string_view key);

// A message's key under these settings; `idempotency_key` (HTTP's header) wins when not empty.
std::optional<std::string> dedup_key(const Message& message, const DedupSettings& settings,
                                     std::string_view idempotency_key);

// The keys of one window. The keys live in a FIFO of entries (they leave oldest first), and an
// open-addressing index (linear probing, at most half full, 16 bytes a slot holding the key's
// hash and entry number) finds them: a lookup of a new key costs about one cache miss, where a
// node-based map cost three (bucket, node, the key's heap bytes) and made a 1 000 000-key window
// a third slower to publish through. About 100 bytes per key in all.
class DedupWindow {
public:
    explicit DedupWindow(DedupSettings settings) : settings_(std::move(settings)) {}

    const DedupSettings& settings() const { return settings_; }

    // A key still in the window, with how its first publish was answered (routed or not).
    struct Seen {
        bool routed = false;
    };
    std::optional<Seen> find(std::string_view key, Millis now) const;
    // One lookup for the publish path: `duplicate` is the key's first publish when it is still
    // in the window; otherwise the key joins the window as `seq` (claimed) and the caller ends
    // the claim with finish() (the publish went through) or undo() (it was refused). A claim
    // made while another is open (a dead-letter routed back through the same window while its
    // publish is under way) is not made: neither a duplicate nor claimed.
    struct Claim {
        std::optional<Seen> duplicate;
        bool claimed = false;
    };
    Claim claim(std::string key, std::uint64_t seq, Millis now);
    // The claimed key's publish went through (answered `routed`): keys past their TTL and the
    // oldest past max_keys leave. Returns the claimed key (valid until the window next changes).
    const std::string& finish(bool routed, Millis now);
    // The claimed key's publish was refused: it is not in the window after all.
    void undo();
    // claim() then finish(), for tests.
    void remember(std::string key, std::uint64_t seq, bool routed, Millis now);
    // Recovery: a stored key, oldest first. Expired ones are skipped.
    void restore(std::string key, std::uint64_t seq, bool routed, Millis expires_at, Millis now);
    // Drops keys whose TTL ran out.
    void expire(Millis now);

    // Every key left with a seq below this (what the store may forget); 0 while none left.
    std::uint64_t forgotten_below() const { return forgotten_below_; }
    std::size_t size() const { return live_; }

private:
    static constexpr std::uint64_t kEmpty = UINT64_MAX;
    struct Entry {
        std::string key;
        std::uint64_t hash = 0;
        std::uint64_t seq = 0;
        Millis expires_at = 0;
        bool routed = false;
        bool live = false; // false: replaced, undone or not yet claimed; leaves with the FIFO
    };
    struct Slot {
        std::uint64_t hash = 0;
        std::uint64_t number = kEmpty; // the entry's number (entries_[number - first_])
    };
    Entry& entry(std::uint64_t number) { return entries_[number - first_]; }
    const Entry& entry(std::uint64_t number) const { return entries_[number - first_]; }
    // The slot holding a live entry with this key, or SIZE_MAX.
    std::size_t find_slot(std::string_view key, std::uint64_t hash) const;
    std::size_t slot_of(std::uint64_t number, std::uint64_t hash) const;
    void erase_slot(std::size_t index);
    void place(std::uint64_t hash, std::uint64_t number);
    void grow();
    // Adds a live entry (replacing a live one of the same key) and indexes it; its number.
    std::uint64_t add(std::string key, std::uint64_t seq, bool routed, Millis expires_at);
    void kill(std::uint64_t number);
    void evict_oldest();
    void trim();

    DedupSettings settings_;
    std::deque<Entry> entries_; // oldest first
    std::uint64_t first_ = 0;   // the number of entries_.front()
    std::vector<Slot> slots_;   // a power of two long, at most half full
    std::size_t live_ = 0;
    std::uint64_t forgotten_below_ = 0;
    std::optional<std::uint64_t> claimed_; // the open claim's entry number
};

// One exchange's or queue's window and where the store keeps it: `scope` names it in the
// store (exchange_scope / queue_scope). Counts the duplicates it found.
class Deduplication {
public:
    Deduplication(DedupSettings settings, std::string scope)
        : window_(std::move(settings)), scope_(std::move(scope)) {}

    const std::string& scope() const { return scope_; }
    const DedupSettings& settings() const { return window_.settings(); }
    std::uint64_t duplicates() const { return duplicates_; }

    std::optional<std::string> key_of(const Message& message,
                                      std::string_view idempotency_key) const {
        return dedup_key(message, window_.settings(), idempotency_key);
    }
    // DedupWindow::claim, counting duplicates; a claim ends in finish() or undo().
    DedupWindow::Claim claim(std::string key, std::uint64_t seq, Millis now);
    // The claiming publish went through. batch: where the key is stored with its message (null
    // when the message is not stored); keys that left the window meanwhile are cut there too.
    void finish(bool routed, Millis now, storage::Batch* batch);
    void undo() { window_.undo(); }
    // The exchange or queue is deleted: its stored keys go.
    void forget_all(storage::Batch& batch) const;
    // Recovery, in seq order.
    void restore(const storage::DedupRecord& record, Millis now);

private:
    DedupWindow window_;
    std::string scope_;
    std::uint64_t cut_sent_ = 0; // the store has forgotten every key below this
    std::uint64_t duplicates_ = 0;
    std::uint64_t claimed_seq_ = 0;
};

// Store scopes: a length prefix keeps "a b"+"c" and "a"+"b c" apart whatever names contain.
std::string exchange_scope(std::string_view vhost, std::string_view exchange);
std::string queue_scope(std::uint64_t queue_id);

} // namespace warren::server
