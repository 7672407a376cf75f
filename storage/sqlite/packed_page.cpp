#include "storage/sqlite/packed_page.hpp"

#include <algorithm>
#include <memory>

namespace warren::storage::sqlite {

Result<PackedPage> read_packed(Statement& stmt, std::uint64_t queue_id, std::size_t expected_rows) {
    PackedPage page;
    page.rows.reserve(std::min<std::size_t>(expected_rows, 4096));
    const auto append = [&](std::string_view text) {
        page.bytes.append(text);
        return static_cast<std::uint32_t>(text.size());
    };
    while (true) {
        auto more = stmt.step();
        if (!more) {
            stmt.reset();
            return more.error();
        }
        if (!*more) {
            break;
        }
        PackedPage::Row row;
        row.entry.queue_id = queue_id;
        row.entry.seq = static_cast<std::uint64_t>(stmt.column_int(0));
        row.entry.message_id = static_cast<std::uint64_t>(stmt.column_int(1));
        row.entry.expires_at = stmt.column_int(2);
        row.entry.delivery_count = static_cast<std::uint32_t>(stmt.column_int(3));
        row.entry.size = static_cast<std::uint32_t>(stmt.column_int(4));
        row.entry.timestamp = stmt.column_int(9);
        if (page.bytes.capacity() == 0) {
            // One growth for the usual page: rows are alike.
            page.bytes.reserve(page.rows.capacity() * (row.entry.size + 96));
        }
        row.exchange = append(stmt.column_text(5));
        row.routing_key = append(stmt.column_text(6));
        row.properties = append(stmt.column_text(7));
        row.body = append(stmt.column_blob(8));
        page.rows.push_back(row);
    }
    stmt.reset();
    return page;
}

std::vector<StoredEntry> unpack(const PackedPage& page) {
    std::vector<StoredEntry> entries;
    entries.reserve(page.rows.size());
    std::string_view rest = page.bytes;
    const auto take = [&](std::uint32_t size) {
        const std::string_view text = rest.substr(0, size);
        rest.remove_prefix(size);
        return text;
    };
    for (const auto& row : page.rows) {
        StoredEntry& out = entries.emplace_back();
        out.entry = row.entry;
        out.message.id = row.entry.message_id;
        out.message.exchange = std::string(take(row.exchange));
        out.message.routing_key = std::string(take(row.routing_key));
        out.message.properties = std::string(take(row.properties));
        out.message.body = std::make_shared<const std::string>(take(row.body));
    }
    return entries;
}

} // namespace warren::storage::sqlite
