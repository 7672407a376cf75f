#include "server/list_page.hpp"

#include <string>

namespace warren::server {

namespace json = boost::json;

namespace {

char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
    auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                          [](char a, char b) { return lower(a) == lower(b); });
    return it != haystack.end();
}

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

} // namespace

Result<NameFilter> NameFilter::make(const ListQuery& query) {
    NameFilter filter;
    filter.text_ = query.name;
    if (!query.name.empty() && query.use_regex) {
        auto compiled = Pattern::compile(query.name, true);
        if (!compiled) {
            return Error{Errc::bad_request,
                         "invalid regular expression in 'name': " + compiled.error().reason};
        }
        filter.regex_ = std::move(*compiled);
    }
    return filter;
}

Result<bool> NameFilter::matches(std::string_view name) const {
    if (!regex_) {
        return contains_ignoring_case(name, text_);
    }
    return regex_->search(name);
}

bool term_less(const json::value* a, const json::value* b) {
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

Result<PageSlice> page_slice(const ListQuery& query, std::size_t count) {
    if (!query.page) {
        return PageSlice{0, count, 0};
    }
    const std::uint64_t size = query.page_size;
    // The HTTP edge refuses these first (web/list_query), but the facade answers every edge: a
    // page size of 0 divided by zero here, and one near 2^64 overflowed the page count.
    if (*query.page == 0 || size == 0 || size > kMaxPageSize) {
        return Error{Errc::bad_request, std::string(kInvalidPaginationReason) + ": page number " +
                                            std::to_string(*query.page) + ", page size " +
                                            std::to_string(size)};
    }
    const std::uint64_t pages = (count + size - 1) / size;
    if (*query.page > 1 && *query.page > pages) {
        return Error{Errc::bad_request,
                     std::string(kPageOutOfRangeReason) + ", page: " + std::to_string(*query.page) +
                         " page size: " + std::to_string(size) + ", len: " + std::to_string(count)};
    }
    const auto first = static_cast<std::size_t>((*query.page - 1) * size);
    return PageSlice{first, std::min<std::size_t>(size, count - first), pages};
}

std::optional<json::value> json_field(const json::object& object, std::string_view dotted) {
    const json::object* current = &object;
    const json::value* found = nullptr;
    while (true) {
        const std::size_t dot = dotted.find('.');
        const std::string_view part = dotted.substr(0, dot);
        if (current == nullptr) {
            return std::nullopt;
        }
        found = current->if_contains(part);
        if (found == nullptr) {
            return std::nullopt;
        }
        if (dot == std::string_view::npos) {
            return *found;
        }
        current = found->if_object();
        dotted.remove_prefix(dot + 1);
    }
}

} // namespace warren::server
