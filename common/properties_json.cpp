#include "common/properties_json.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>

#include "common/json_text.hpp"

namespace warren {

namespace json = boost::json;

namespace {

// The store's key for Properties::header_types (see properties_json.hpp).
constexpr std::string_view kHeaderTypes = "header_types";

using StringField = std::optional<std::string> Properties::*;

constexpr std::pair<const char*, StringField> kStringFields[] = {
    {"content_type", &Properties::content_type},
    {"content_encoding", &Properties::content_encoding},
    {"correlation_id", &Properties::correlation_id},
    {"reply_to", &Properties::reply_to},
    {"expiration", &Properties::expiration},
    {"message_id", &Properties::message_id},
    {"type", &Properties::type},
    {"user_id", &Properties::user_id},
    {"app_id", &Properties::app_id},
};

Error bad_property(std::string_view key, std::string_view expected) {
    return make_error(Errc::bad_request,
                      "property '" + std::string(key) + "' must be " + std::string(expected));
}

std::optional<std::int64_t> integer(const json::value& v) {
    if (v.is_int64()) {
        return v.get_int64();
    }
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v.get_uint64());
    }
    return std::nullopt;
}

} // namespace

json::object properties_to_json(const Properties& p) {
    json::object o;
    for (const auto& [key, field] : kStringFields) {
        if (const auto& value = p.*field) {
            o[key] = *value;
        }
    }
    if (p.delivery_mode) {
        o["delivery_mode"] = *p.delivery_mode;
    }
    if (p.priority) {
        o["priority"] = *p.priority;
    }
    if (p.timestamp) {
        o["timestamp"] = *p.timestamp;
    }
    if (!p.headers.empty()) {
        o["headers"] = p.headers;
    }
    return o;
}

void append_properties_json(std::string& out, const Properties& p, std::uint32_t delivery_count) {
    // The keys in properties_to_json's order, so that both texts are the same.
    char separator = '{';
    const auto key = [&](std::string_view name) {
        out += separator;
        separator = ',';
        json_text::append_key(out, name);
    };
    for (const auto& [name, field] : kStringFields) {
        if (const auto& value = p.*field) {
            key(name);
            json_text::append_string(out, *value);
        }
    }
    if (p.delivery_mode) {
        key("delivery_mode");
        json_text::append_number(out, std::uint64_t{*p.delivery_mode});
    }
    if (p.priority) {
        key("priority");
        json_text::append_number(out, std::uint64_t{*p.priority});
    }
    if (p.timestamp) {
        key("timestamp");
        json_text::append_number(out, *p.timestamp);
    }
    if (delivery_count > 1) {
        json::object headers = p.headers;
        headers["x-delivery-count"] = delivery_count - 1;
        key("headers");
        out += json::serialize(headers);
    } else if (!p.headers.empty()) {
        key("headers");
        out += json::serialize(p.headers);
    }
    out += separator == '{' ? "{}" : "}";
}

Result<Properties> properties_from_json(const json::object& o) {
    Properties p;
    for (const auto& [key, value] : o) {
        const std::string_view k = key;
        bool known = false;
        for (const auto& [name, field] : kStringFields) {
            if (k == name) {
                known = true;
                if (!value.is_string()) {
                    return bad_property(k, "a string");
                }
                p.*field = std::string(value.get_string());
            }
        }
        if (known) {
            continue;
        }
        if (k == "delivery_mode") {
            auto n = integer(value);
            if (!n || (*n != 1 && *n != 2)) {
                return bad_property(k, "1 (transient) or 2 (persistent)");
            }
            p.delivery_mode = static_cast<std::uint8_t>(*n);
        } else if (k == "priority") {
            auto n = integer(value);
            if (!n || *n < 0 || *n > 255) {
                return bad_property(k, "an integer from 0 to 255");
            }
            p.priority = static_cast<std::uint8_t>(*n);
        } else if (k == "timestamp") {
            auto n = integer(value);
            if (!n) {
                return bad_property(k, "an integer (seconds since the epoch)");
            }
            p.timestamp = *n;
        } else if (k == "headers") {
            if (!value.is_object()) {
                return bad_property(k, "an object");
            }
            p.headers = value.get_object();
        } else {
            return make_error(Errc::bad_request, "unknown property '" + std::string(k) + "'");
        }
    }
    return p;
}

std::string serialize_properties(const Properties& properties) {
    if (properties == Properties{}) {
        return {};
    }
    std::string text; // once per stored message: written straight, no object built
    append_properties_json(text, properties);
    if (!properties.header_types.empty()) {
        text.pop_back(); // the closing brace
        if (text.size() > 1) {
            text += ',';
        }
        json_text::append_key(text, kHeaderTypes);
        text += json::serialize(properties.header_types);
        text += '}';
    }
    return text;
}

Result<Properties> parse_properties(std::string_view text) {
    if (text.empty()) {
        return Properties{};
    }
    // Parsed into stack space: the value is read once and dropped, so it needs no heap.
    unsigned char parser_space[1024];
    unsigned char value_space[4096];
    json::monotonic_resource values(value_space, sizeof value_space);
    // Header strings are AMQP strings and byte arrays ('x'): any bytes, written as they are.
    json::parse_options options;
    options.allow_invalid_utf8 = true;
    json::parser parser(json::storage_ptr(), options, parser_space, sizeof parser_space);
    parser.reset(&values);
    boost::system::error_code ec;
    parser.write(text.data(), text.size(), ec);
    if (ec) {
        return make_error(Errc::internal, "stored properties are not a JSON object");
    }
    json::value v = parser.release();
    if (!v.is_object()) {
        return make_error(Errc::internal, "stored properties are not a JSON object");
    }
    json::object& o = v.get_object();
    json::object header_types;
    if (const auto it = o.find(kHeaderTypes); it != o.end()) {
        if (!it->value().is_object()) {
            return make_error(Errc::internal, "stored header_types are not a JSON object");
        }
        header_types = it->value().get_object(); // copied out of the stack space
        o.erase(it);
    }
    auto p = properties_from_json(o);
    if (p) {
        p->header_types = std::move(header_types);
    }
    return p;
}

} // namespace warren
