#pragma once

// make_page: one list answer from the live objects of a kind, in the order that keeps a page of
// 100 out of 10 000 cheap: the name filter reads only names; views are built for the filtered
// items only when a sort needs their fields, else for the page alone (server/list_query.hpp).
//
// Internal to server/. Pure functions and templates; call on the core thread (the items are
// live objects).

#include <algorithm>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "common/error.hpp"
#include "server/list_query.hpp"
#include "server/pattern.hpp"

namespace warren::server {

// The `name` parameter as a predicate: a case-insensitive substring, or a case-insensitive regex
// searched anywhere in the name (a Pattern: linear-time, so no pattern can hold the core thread).
class NameFilter {
public:
    static Result<NameFilter> make(const ListQuery& query);
    bool active() const { return !text_.empty(); }
    Result<bool> matches(std::string_view name) const;

private:
    std::string text_;
    std::optional<Pattern> regex_;
};

// Erlang's term order, which RabbitMQ sorts lists by: numbers < atoms (null, booleans, a missing
// field: nullptr) < strings < anything else.
bool term_less(const boost::json::value* a, const boost::json::value* b);

// The page slice of `count` items: [first, first + size). Errors: invalid_pagination_parameters
// (page 0, a page size outside 1..kMaxPageSize), page_out_of_range.
struct PageSlice {
    std::size_t first = 0;
    std::size_t size = 0;
    std::uint64_t page_count = 0;
};
Result<PageSlice> page_slice(const ListQuery& query, std::size_t count);

// How make_page reads one kind of item.
template <class Item, class View> struct ListSpec {
    // The item's name for the `name` filter; empty: items of this kind are not filtered.
    std::function<std::string_view(const Item&)> name;
    std::function<View(const Item&)> view;
    // A dotted field of a view as the management API names it; nullopt: 'undefined'.
    std::function<std::optional<boost::json::value>(const View&, std::string_view)> field;
};

template <class Item, class View>
Result<Page<View>> make_page(const ListQuery& query, const std::vector<Item>& items,
                             const ListSpec<Item, View>& spec) {
    auto filter = NameFilter::make(query);
    if (!filter) {
        return filter.error();
    }
    std::vector<const Item*> kept;
    kept.reserve(items.size());
    for (const Item& item : items) {
        if (filter->active() && spec.name) {
            auto matches = filter->matches(spec.name(item));
            if (!matches) {
                return matches.error();
            }
            if (!*matches) {
                continue;
            }
        }
        kept.push_back(&item);
    }
    Page<View> page;
    page.total_count = items.size();
    page.filtered_count = kept.size();
    page.page = query.page;
    page.page_size = query.page_size;
    auto slice = page_slice(query, kept.size());
    if (!slice) {
        return slice.error();
    }
    page.page_count = slice->page_count;
    if (query.sort.empty()) {
        page.items.reserve(slice->size);
        for (std::size_t i = slice->first; i < slice->first + slice->size; ++i) {
            page.items.push_back(spec.view(*kept[i]));
        }
        return page;
    }
    struct Keyed {
        View view;
        std::optional<boost::json::value> key;
    };
    std::vector<Keyed> keyed;
    keyed.reserve(kept.size());
    for (const Item* item : kept) {
        View view = spec.view(*item);
        auto key = spec.field(view, query.sort);
        keyed.push_back(Keyed{std::move(view), std::move(key)});
    }
    auto key_of = [](const Keyed& k) { return k.key ? &*k.key : nullptr; };
    std::stable_sort(keyed.begin(), keyed.end(), [&](const Keyed& a, const Keyed& b) {
        return query.sort_reverse ? term_less(key_of(b), key_of(a))
                                  : term_less(key_of(a), key_of(b));
    });
    page.items.reserve(slice->size);
    for (std::size_t i = slice->first; i < slice->first + slice->size; ++i) {
        page.items.push_back(std::move(keyed[i].view));
    }
    return page;
}

// The value at a dotted path inside a JSON object ("x-max-length" in arguments), or nullopt.
std::optional<boost::json::value> json_field(const boost::json::object& object,
                                             std::string_view dotted);

} // namespace warren::server
