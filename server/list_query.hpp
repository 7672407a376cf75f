#pragma once

// ListQuery and Page: how a list is asked for and answered, with RabbitMQ's list semantics, done
// inside the core so that a page of 100 out of 10 000 queues costs the filter, the sort keys and
// 100 views (DESIGN.md 3):
//   1. `name` (+ `use_regex`) keeps the items whose name contains it, case-insensitively (or
//      where the regex is found, bounded in time: a pathological pattern is a bad_request);
//   2. `sort` (+ `sort_reverse`) orders by a dotted field of the item as the management API names
//      it ("messages", "message_stats.publish", "arguments.x-max-length"), in Erlang's term
//      order (numbers < atoms < strings); a field the item lacks sorts as 'undefined';
//   3. `page` / `page_size` slice the list; only the page's items become views.
//
// Part of the facade (server/README.md).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warren::server {

inline constexpr std::uint64_t kDefaultPageSize = 100;
inline constexpr std::uint64_t kMaxPageSize = 500;

// The reason prefixes of list errors, whose wire codes RabbitMQ spells on their own
// ("invalid_pagination_parameters", "page_out_of_range"); edges match on them.
inline constexpr std::string_view kInvalidPaginationReason = "Invalid pagination parameters";
inline constexpr std::string_view kPageOutOfRangeReason = "Page out of range";

struct ListQuery {
    std::string name; // "" = no filter
    bool use_regex = false;
    std::string sort; // "" = the list's own order
    bool sort_reverse = false;
    std::optional<std::uint64_t> page; // 1-based; unset: the whole list
    std::uint64_t page_size = kDefaultPageSize;
};

template <class View> struct Page {
    std::vector<View> items;
    std::size_t total_count = 0;    // before the name filter
    std::size_t filtered_count = 0; // after it
    std::optional<std::uint64_t> page;
    std::uint64_t page_size = kDefaultPageSize;
    std::uint64_t page_count = 0; // with `page`: how many pages the filtered list makes
};

} // namespace warren::server
