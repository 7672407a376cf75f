#include "web/list_query.hpp"

#include <algorithm>
#include <charconv>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/regex.hpp>

#include "web/json_error.hpp"

namespace warren::web {

namespace json = boost::json;

namespace {

constexpr std::uint64_t kDefaultPageSize = 100;
constexpr std::uint64_t kMaxPageSize = 500;

using Path = std::vector<std::string>;

struct ListQuery {
    std::optional<std::uint64_t> page;
    std::uint64_t page_size = kDefaultPageSize;
    std::string name;
    std::optional<boost::regex> regex;
    std::string sort; // dotted, as given
    bool sort_reverse = false;
    std::vector<Path> columns;
};

Path split(std::string_view text, char separator) {
    Path out;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find(separator, start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        out.emplace_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return n;
}

Error invalid_pagination(std::string_view page, std::string_view page_size) {
    return Error{Errc::bad_request, std::string(kInvalidPaginationReason) + ": page number " +
                                        std::string(page) + ", page size " +
                                        std::string(page_size)};
}

Result<ListQuery> parse_query(const RequestContext& context) {
    ListQuery q;
    if (auto page = context.query_param("page")) {
        auto size_text = context.query_param("page_size");
        auto n = parse_count(*page);
        auto size = size_text ? parse_count(*size_text) : std::optional(kDefaultPageSize);
        if (!n || *n < 1 || !size || *size < 1 || *size > kMaxPageSize) {
            return invalid_pagination(*page, size_text.value_or("undefined"));
        }
        q.page = *n;
        q.page_size = *size;
    }
    q.name = std::string(context.query_param("name").value_or(""));
    if (!q.name.empty() && context.query_param("use_regex") == "true") {
        try {
            q.regex.emplace(q.name, boost::regex::perl | boost::regex::icase);
        } catch (const std::exception& e) {
            return Error{Errc::bad_request,
                         "invalid regular expression in 'name': " + std::string(e.what())};
        }
    }
    q.sort = std::string(context.query_param("sort").value_or(""));
    q.sort_reverse = context.query_param("sort_reverse") == "true";
    if (auto columns = context.query_param("columns")) {
        for (const auto& column : split(*columns, ',')) {
            if (std::string_view c = trim(column); !c.empty()) {
                q.columns.push_back(split(c, '.'));
            }
        }
    }
    return q;
}

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
    auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                          [](char a, char b) { return lower(a) == lower(b); });
    return it != haystack.end();
}

// Boost.Regex bounds the work of one match and throws past it, so a pathological pattern
// costs a 400, not the core thread.
Result<bool> name_matches(const ListQuery& q, std::string_view name) {
    if (!q.regex) {
        return contains_ignoring_case(name, q.name);
    }
    try {
        return boost::regex_search(name.begin(), name.end(), *q.regex);
    } catch (const std::exception& e) {
        return Error{Errc::bad_request,
                     "regular expression in 'name' too complex: " + std::string(e.what())};
    }
}

const json::value* find_path(const json::object& object, const Path& path) {
    const json::object* current = &object;
    const json::value* found = nullptr;
    for (const auto& part : path) {
        if (current == nullptr) {
            return nullptr;
        }
        found = current->if_contains(part);
        if (found == nullptr) {
            return nullptr;
        }
        current = found->if_object();
    }
    return found;
}

// Erlang's term order, which RabbitMQ sorts by: numbers < atoms (null, booleans, a missing
// field) < strings < anything else.
int rank(const json::value* v) {
    if (v == nullptr || v->is_null() || v->is_bool()) {
        return 1;
    }
    if (v->is_number()) {
        return 0;
    }
    return v->is_string() ? 2 : 3;
}

std::string_view atom_name(const json::value* v) {
    if (v == nullptr) {
        return "undefined";
    }
    if (v->is_bool()) {
        return v->get_bool() ? "true" : "false";
    }
    return "null";
}

bool less(const json::value* a, const json::value* b) {
    const int ra = rank(a);
    const int rb = rank(b);
    if (ra != rb) {
        return ra < rb;
    }
    switch (ra) {
    case 0:
        return a->to_number<double>() < b->to_number<double>();
    case 1:
        return atom_name(a) < atom_name(b);
    case 2:
        return a->get_string() < b->get_string();
    default:
        return false;
    }
}

json::object trim_to_columns(const json::object& item, const std::vector<Path>& columns) {
    json::object out;
    for (const auto& path : columns) {
        const json::value* v = find_path(item, path);
        if (v == nullptr) {
            continue;
        }
        json::object* target = &out;
        for (std::size_t i = 0; i + 1 < path.size(); ++i) {
            json::value& child = (*target)[path[i]];
            if (!child.is_object()) {
                child = json::object{};
            }
            target = &child.get_object();
        }
        (*target)[path.back()] = *v;
    }
    return out;
}

} // namespace

HandlerResult list_response(const RequestContext& context, const ListSource& source) {
    auto parsed = parse_query(context);
    if (!parsed) {
        return parsed.error();
    }
    const ListQuery& q = *parsed;

    std::vector<std::size_t> items;
    items.reserve(source.size);
    for (std::size_t i = 0; i < source.size; ++i) {
        if (!q.name.empty() && source.name) {
            auto matches = name_matches(q, source.name(i));
            if (!matches) {
                return matches.error();
            }
            if (!*matches) {
                continue;
            }
        }
        items.push_back(i);
    }

    // Items rendered by the sort (by source index), reused for the page.
    std::vector<std::optional<json::object>> rendered(source.size);
    if (!q.sort.empty()) {
        const Path path = split(q.sort, '.');
        std::vector<std::optional<json::value>> keys(source.size);
        for (std::size_t i : items) {
            if (source.sort_key) {
                keys[i] = source.sort_key(i, q.sort);
            }
            if (!keys[i]) {
                rendered[i] = source.render(i);
                // A missing field stays nullopt and sorts as RabbitMQ's 'undefined'.
                if (const json::value* v = find_path(*rendered[i], path)) {
                    keys[i] = *v;
                }
            }
        }
        auto key_of = [&](std::size_t i) { return keys[i] ? &*keys[i] : nullptr; };
        std::stable_sort(items.begin(), items.end(), [&](std::size_t a, std::size_t b) {
            return q.sort_reverse ? less(key_of(b), key_of(a)) : less(key_of(a), key_of(b));
        });
    }

    std::size_t first = 0;
    std::size_t count = items.size();
    std::uint64_t page_count = 0;
    if (q.page) {
        page_count = (items.size() + q.page_size - 1) / q.page_size;
        if (*q.page > 1 && *q.page > page_count) {
            return Error{Errc::bad_request, std::string(kPageOutOfRangeReason) +
                                                ", page: " + std::to_string(*q.page) +
                                                " page size: " + std::to_string(q.page_size) +
                                                ", len: " + std::to_string(items.size())};
        }
        first = static_cast<std::size_t>((*q.page - 1) * q.page_size);
        count = std::min<std::size_t>(q.page_size, items.size() - first);
    }

    json::array page;
    page.reserve(count);
    for (std::size_t k = first; k < first + count; ++k) {
        const std::size_t i = items[k];
        json::object item = rendered[i] ? std::move(*rendered[i]) : source.render(i);
        page.push_back(q.columns.empty() ? json::value(std::move(item))
                                         : json::value(trim_to_columns(item, q.columns)));
    }
    if (!q.page) {
        return json_response(page);
    }
    return json_response(json::object{
        {"filtered_count", items.size()},
        {"item_count", count},
        {"items", std::move(page)},
        {"page", *q.page},
        {"page_count", page_count},
        {"page_size", q.page_size},
        {"total_count", source.size},
    });
}

HandlerResult object_response(const RequestContext& context, json::object object) {
    auto columns = context.query_param("columns");
    if (!columns) {
        return json_response(object);
    }
    std::vector<Path> paths;
    for (const auto& column : split(*columns, ',')) {
        if (std::string_view c = trim(column); !c.empty()) {
            paths.push_back(split(c, '.'));
        }
    }
    return json_response(paths.empty() ? object : trim_to_columns(object, paths));
}

} // namespace warren::web
