#pragma once

// Dedup keys as SQLite stores them: one row per window per batch (a "chunk"), its keys packed
// in a blob, instead of a row per key. A window that takes 100 000 publishes a second then costs
// the writer one insert per commit, not 100 000; keys are only ever read back at boot, whole.
// A window's cut ("forget every key below seq N") is one small row; whole chunks below it are
// deleted, and a chunk the cut runs through is filtered when it is read.
//
// A key in the blob: seq (8 bytes), expires_at (8), routed (1), key length (4), the key's
// bytes; integers little-endian. Thread: any; no state.

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "storage/records.hpp"

namespace warren::storage::sqlite {

void append_dedup_key(std::string& chunk, const DedupRecord& key);
// The keys of one chunk of `scope` with seq >= below_seq, appended to `out` in order.
Result<void> read_dedup_chunk(std::string_view chunk, const std::string& scope,
                              std::uint64_t below_seq, std::vector<DedupRecord>& out);

} // namespace warren::storage::sqlite
