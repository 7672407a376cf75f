#pragma once

// PackedPage: a page of entries (Store::read_entries) as the pager thread reads it, every text and
// blob of its rows in one buffer, unpacked into StoredEntry values on the thread that takes the
// page. Why: glibc's malloc gives each thread its own arena, and a free from another thread
// takes the owning arena's lock. A pager that allocated each row's strings (three allocations a
// row) had the core free them, and the two threads spent more time contending for the arena
// than reading SQLite (perf on a stream replay). Packed, the pager allocates twice a page and the
// core allocates and frees what it keeps.

#include <cstdint>
#include <string>
#include <vector>

#include "storage/records.hpp"
#include "storage/sqlite/db.hpp"

namespace warren::storage::sqlite {

struct PackedPage {
    struct Row {
        EntryRecord entry;
        // Lengths of the row's exchange, routing key, properties and body, in that order, one
        // after the other in `bytes`.
        std::uint32_t exchange = 0;
        std::uint32_t routing_key = 0;
        std::uint32_t properties = 0;
        std::uint32_t body = 0;
    };
    std::vector<Row> rows;
    std::string bytes;
};

// Reads the rows of the entries query (bound already; columns as kEntriesSql lists them) into a
// page, and resets the statement.
Result<PackedPage> read_packed(Statement& stmt, std::uint64_t queue_id, std::size_t expected_rows);

// The page's rows as StoredEntry values (each with its own body).
std::vector<StoredEntry> unpack(const PackedPage& page);

} // namespace warren::storage::sqlite
