#pragma once

// list_query: RabbitMQ's query parameters for list endpoints on the HTTP side. The broker does
// the work (server/list_query.hpp: the name filter, the sort, the page, views only for the page);
// here the parameters are read from the request and the page is written back:
//   `page` / `page_size` (default 100, at most 500; else 400 invalid_pagination_parameters),
//   `name` + `use_regex`, `sort` + `sort_reverse` go to the broker;
//   `columns` trims each item to the listed dotted paths.
// With `page` the answer is RabbitMQ's wrapper {filtered_count, item_count, items, page,
// page_count, page_size, total_count}; without it a bare array.
//
// Pure functions; they only read the request and the views.

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "server/list_query.hpp"
#include "web/api_router.hpp"

namespace warren::web {

// The list parameters of a request. Errors: 400 invalid_pagination_parameters.
Result<server::ListQuery> list_query(const RequestContext& context);

// Answers a page whose items are already rendered.
HandlerResult page_response(const RequestContext& context, const server::ListQuery& query,
                            std::size_t total_count, std::size_t filtered_count,
                            std::uint64_t page_count, boost::json::array items);

// Asks `list` for the page the request names and renders each view with `render`. An unknown
// vhost, exchange, queue or user answers RabbitMQ's plain 404.
template <class List, class Render>
HandlerResult list_response(const RequestContext& context, List list, Render render) {
    auto query = list_query(context);
    if (!query) {
        return query.error();
    }
    auto page = list(*query);
    if (!page) {
        return page.error().code == Errc::not_found ? HandlerResult(object_not_found())
                                                    : HandlerResult(page.error());
    }
    boost::json::array items;
    items.reserve(page->items.size());
    for (const auto& view : page->items) {
        items.push_back(render(view));
    }
    return page_response(context, *query, page->total_count, page->filtered_count, page->page_count,
                         std::move(items));
}

// Answers a single object, trimmed to `columns` when the request has them (as RabbitMQ does).
HandlerResult object_response(const RequestContext& context, boost::json::object object);

} // namespace warren::web
