#include "tools/warrenctl/output.hpp"

#include <algorithm>
#include <ostream>

#include <boost/json/serialize.hpp>

namespace warren::ctl {

namespace json = boost::json;

namespace {

// Code points in a UTF-8 string (continuation bytes do not count).
std::size_t width(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

} // namespace

void print_table(std::ostream& out, const Row& headers, const std::vector<Row>& rows) {
    std::vector<std::size_t> widths(headers.size(), 0);
    auto measure = [&](const Row& row) {
        for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
            widths[i] = std::max(widths[i], width(row[i]));
        }
    };
    measure(headers);
    for (const auto& row : rows) {
        measure(row);
    }
    auto print = [&](const Row& row) {
        std::string line;
        for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) {
                line.append(widths[i] - width(row[i]) + 2, ' ');
            }
        }
        out << line << '\n';
    };
    print(headers);
    for (const auto& row : rows) {
        print(row);
    }
}

void print_fields(std::ostream& out,
                  const std::vector<std::pair<std::string, std::string>>& fields) {
    std::size_t w = 0;
    for (const auto& [name, value] : fields) {
        w = std::max(w, width(name));
    }
    for (const auto& [name, value] : fields) {
        out << name << ':' << std::string(w - width(name) + 1, ' ') << value << '\n';
    }
}

void print_json(std::ostream& out, const json::value& value) {
    out << json::serialize(value) << '\n';
}

std::string cell(const json::value& value) {
    switch (value.kind()) {
    case json::kind::string:
        return std::string(value.get_string());
    case json::kind::null:
        return "";
    case json::kind::bool_:
        return value.get_bool() ? "true" : "false";
    default:
        return json::serialize(value);
    }
}

std::string cell(const json::value& object, std::string_view key) {
    const json::value* v = &object;
    while (v != nullptr) {
        if (!v->is_object()) {
            return "";
        }
        const auto dot = key.find('.');
        v = v->get_object().if_contains(key.substr(0, dot));
        if (dot == std::string_view::npos) {
            break;
        }
        key = key.substr(dot + 1);
    }
    return v == nullptr ? "" : cell(*v);
}

std::string exchange_display(std::string_view name) {
    return name.empty() ? "(AMQP default)" : std::string(name);
}

} // namespace warren::ctl
