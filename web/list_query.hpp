#pragma once

// list_query: RabbitMQ's query parameters for list endpoints, applied in the order that keeps a
// page of 100 out of 10 000 queues cheap (DESIGN.md 3):
//   1. `name` (+ `use_regex`) filters on the item's name, case-insensitively (a substring, or a
//      regex searched anywhere in the name), without rendering anything;
//   2. `sort` (+ `sort_reverse`) orders by a dotted field. Fields the endpoint can read cheaply
//      (name, vhost, counters) are sorted without rendering; any other field renders the
//      filtered items once and sorts on their JSON;
//   3. `page` / `page_size` (default 100, at most 500) slice the list, and only the page's items
//      are rendered (unless step 2 already did); `columns` trims each to the listed dotted paths.
// With `page` the answer is RabbitMQ's wrapper {filtered_count, item_count, items, page,
// page_count, page_size, total_count}; without it a bare array (the filter and sort still apply).
//
// Pure functions; call on the core thread when the callbacks read broker state.

#include <cstddef>
#include <functional>
#include <optional>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "web/api_router.hpp"

namespace warren::web {

// One list endpoint's items, addressed by index (0..size-1) in their default order.
struct ListSource {
    std::size_t size = 0;
    // The item's name for the `name` filter; empty: the items have no name and are not filtered.
    std::function<std::string_view(std::size_t)> name;
    // The value of a dotted `field` read without rendering the item, or nullopt when the
    // endpoint has no cheap way to it (the item is then rendered). May be empty.
    std::function<std::optional<boost::json::value>(std::size_t, std::string_view field)> sort_key;
    // The item as the API shows it.
    std::function<boost::json::object(std::size_t)> render;
};

// Answers a list request. Errors: 400 invalid_pagination_parameters, page_out_of_range, or
// bad_request for an invalid regex.
HandlerResult list_response(const RequestContext& context, const ListSource& source);

// Answers a single object, trimmed to `columns` when the request has them (as RabbitMQ does).
HandlerResult object_response(const RequestContext& context, boost::json::object object);

} // namespace warren::web
