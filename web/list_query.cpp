#include "web/list_query.hpp"

#include <string>
#include <vector>

#include "common/decimal.hpp"
#include "web/json_error.hpp"

namespace warren::web {

namespace json = boost::json;

namespace {

using Path = std::vector<std::string>;

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

Error invalid_pagination(std::string_view page, std::string_view page_size) {
    return Error{Errc::bad_request, std::string(server::kInvalidPaginationReason) +
                                        ": page number " + std::string(page) + ", page size " +
                                        std::string(page_size)};
}

std::vector<Path> columns_of(const RequestContext& context) {
    std::vector<Path> paths;
    if (auto columns = context.query_param("columns")) {
        for (const auto& column : split(*columns, ',')) {
            if (std::string_view c = trim(column); !c.empty()) {
                paths.push_back(split(c, '.'));
            }
        }
    }
    return paths;
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

Result<server::ListQuery> list_query(const RequestContext& context) {
    server::ListQuery q;
    if (auto page = context.query_param("page")) {
        auto size_text = context.query_param("page_size");
        auto n = parse_decimal(*page);
        auto size = size_text ? parse_decimal(*size_text) : std::optional(server::kDefaultPageSize);
        if (!n || *n < 1 || !size || *size < 1 || *size > server::kMaxPageSize) {
            return invalid_pagination(*page, size_text.value_or("undefined"));
        }
        q.page = *n;
        q.page_size = *size;
    }
    q.name = std::string(context.query_param("name").value_or(""));
    q.use_regex = context.query_param("use_regex") == "true";
    q.sort = std::string(context.query_param("sort").value_or(""));
    q.sort_reverse = context.query_param("sort_reverse") == "true";
    return q;
}

HandlerResult page_response(const RequestContext& context, const server::ListQuery& query,
                            std::size_t total_count, std::size_t filtered_count,
                            std::uint64_t page_count, json::array items) {
    const std::vector<Path> columns = columns_of(context);
    if (!columns.empty()) {
        for (auto& item : items) {
            if (item.is_object()) {
                item = trim_to_columns(item.get_object(), columns);
            }
        }
    }
    if (!query.page) {
        return json_response(items);
    }
    const std::size_t item_count = items.size();
    return json_response(json::object{
        {"filtered_count", filtered_count},
        {"item_count", item_count},
        {"items", std::move(items)},
        {"page", *query.page},
        {"page_count", page_count},
        {"page_size", query.page_size},
        {"total_count", total_count},
    });
}

HandlerResult object_response(const RequestContext& context, json::object object) {
    const std::vector<Path> columns = columns_of(context);
    return json_response(columns.empty() ? object : trim_to_columns(object, columns));
}

} // namespace warren::web
