// The request side of json_codec.hpp: every client JSON document parsed (with its depth limit)
// and the management API's request bodies checked field by field.

#include <cmath>
#include <optional>

#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>

#include "web/json_codec.hpp"

namespace warren::web {

namespace json = boost::json;

namespace {

Error bad_request(std::string reason) {
    return Error{Errc::bad_request, std::move(reason)};
}

// A value quoted in an error reason, cut short: reasons echo input, which may be large.
std::string shown(const json::value& v) {
    constexpr std::size_t kMax = 64;
    std::string text = json::serialize(v);
    if (text.size() > kMax) {
        text.resize(kMax);
        text += "...";
    }
    return text;
}

// A boolean field: JSON true/false, or the strings "true"/"false" (RabbitMQ accepts both).
Result<bool> get_bool(const json::object& body, std::string_view key, bool fallback) {
    const json::value* v = body.if_contains(key);
    if (v == nullptr || v->is_null()) {
        return fallback;
    }
    if (v->is_bool()) {
        return v->get_bool();
    }
    if (v->is_string() && (v->get_string() == "true" || v->get_string() == "false")) {
        return v->get_string() == "true";
    }
    return bad_request("field '" + std::string(key) + "' must be true or false, not " + shown(*v));
}

Result<json::object> get_arguments(const json::object& body) {
    const json::value* v = body.if_contains("arguments");
    if (v == nullptr || v->is_null()) {
        return json::object{};
    }
    if (v->is_object()) {
        return v->get_object();
    }
    // PHP and some other encoders write an empty map as [].
    if (v->is_array() && v->get_array().empty()) {
        return json::object{};
    }
    return bad_request("field 'arguments' must be a JSON object, not " + shown(*v));
}

Result<void> check_string(const json::object& body, std::string_view key) {
    const json::value* v = body.if_contains(key);
    if (v == nullptr || v->is_null() || v->is_string()) {
        return {};
    }
    return bad_request("field '" + std::string(key) + "' must be a string, not " + shown(*v));
}

// No infinity in the document. Boost.JSON 1.81 reads a number beyond a double's range (1e400)
// as an infinity and serializes it back as `Infinity`, which is not JSON: a queue argument, a
// header or a confirm id holding one made every later answer about it unreadable to clients.
// Recursion is bounded by kMaxJsonDepth, which the parser has enforced.
bool all_finite(const json::value& v) {
    switch (v.kind()) {
    case json::kind::double_:
        return std::isfinite(v.get_double());
    case json::kind::array:
        for (const json::value& item : v.get_array()) {
            if (!all_finite(item)) {
                return false;
            }
        }
        return true;
    case json::kind::object:
        for (const auto& member : v.get_object()) {
            if (!all_finite(member.value())) {
                return false;
            }
        }
        return true;
    default:
        return true;
    }
}

} // namespace

Result<json::value> parse_client_json(std::string_view text, std::string_view what,
                                      json::storage_ptr storage) {
    // One parser per thread, reset for each document: its working buffers are kept, so a
    // document costs no allocation beyond its own values. After a big document the parser is
    // dropped: its value stack grows with the number of values (7 M zeros in 14 MB kept
    // ~160 MiB), and one JSON bomb must not hold that for the life of the process.
    constexpr std::size_t kKeepBuffersUpTo = 1u << 20;
    thread_local std::optional<json::parser> parser;
    if (!parser) {
        json::parse_options options;
        options.max_depth = kMaxJsonDepth;
        parser.emplace(json::storage_ptr(), options);
    }
    parser->reset(std::move(storage));
    boost::system::error_code ec;
    parser->write(text.data(), text.size(), ec);
    Result<json::value> parsed = [&]() -> Result<json::value> {
        if (ec == json::error::too_deep) {
            return bad_request(std::string(what) + " is nested deeper than " +
                               std::to_string(kMaxJsonDepth) + " levels");
        }
        if (ec) {
            return bad_request(std::string(what) + " is not valid JSON: " + ec.message());
        }
        json::value document = parser->release();
        if (!all_finite(document)) {
            return bad_request(std::string(what) + " has a number beyond the range of a double");
        }
        return document;
    }();
    if (text.size() > kKeepBuffersUpTo) {
        parser.reset();
    }
    return parsed;
}

Result<json::object> parse_body_object(std::string_view body) {
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return json::object{};
    }
    auto parsed = parse_client_json(body, "the request body");
    if (!parsed) {
        return parsed.error();
    }
    json::value value = std::move(*parsed);
    if (!value.is_object()) {
        return bad_request("Request body must be a JSON object");
    }
    return std::move(value.get_object());
}

Result<server::ExchangeSpec> exchange_spec_from_json(std::string name, const json::object& body) {
    server::ExchangeSpec spec;
    spec.name = std::move(name);
    const json::value* type = body.if_contains("type");
    if (type == nullptr || type->is_null()) {
        return bad_request("field 'type' is mandatory (direct, fanout, topic or headers)");
    }
    if (!type->is_string()) {
        return bad_request("field 'type' must be a string, not " + shown(*type));
    }
    spec.type = std::string(type->get_string()); // the broker knows which types exist
    auto durable = get_bool(body, "durable", false);
    if (!durable) {
        return durable.error();
    }
    auto auto_delete = get_bool(body, "auto_delete", false);
    if (!auto_delete) {
        return auto_delete.error();
    }
    auto internal = get_bool(body, "internal", false);
    if (!internal) {
        return internal.error();
    }
    auto arguments = get_arguments(body);
    if (!arguments) {
        return arguments.error();
    }
    spec.durable = *durable;
    spec.auto_delete = *auto_delete;
    spec.internal = *internal;
    spec.arguments = std::move(*arguments);
    return spec;
}

Result<server::QueueSpec> queue_spec_from_json(std::string name, const json::object& body) {
    server::QueueSpec spec;
    spec.name = std::move(name);
    auto durable = get_bool(body, "durable", false);
    if (!durable) {
        return durable.error();
    }
    auto auto_delete = get_bool(body, "auto_delete", false);
    if (!auto_delete) {
        return auto_delete.error();
    }
    auto exclusive = get_bool(body, "exclusive", false);
    if (!exclusive) {
        return exclusive.error();
    }
    auto arguments = get_arguments(body);
    if (!arguments) {
        return arguments.error();
    }
    if (auto node = check_string(body, "node"); !node) { // accepted for rabbitmqadmin; one node
        return node.error();
    }
    if (*exclusive) {
        return bad_request("an exclusive queue belongs to the connection that declares it, and "
                           "an HTTP request has none: declare it over WebSocket instead");
    }
    spec.durable = *durable;
    spec.auto_delete = *auto_delete;
    spec.arguments = std::move(*arguments);
    return spec;
}

Result<BindingBody> binding_body_from_json(const json::object& body) {
    BindingBody out;
    if (const json::value* key = body.if_contains("routing_key"); key && !key->is_null()) {
        if (!key->is_string()) {
            return bad_request("field 'routing_key' must be a string, not " + shown(*key));
        }
        out.routing_key = std::string(key->get_string());
    }
    auto arguments = get_arguments(body);
    if (!arguments) {
        return arguments.error();
    }
    out.arguments = std::move(*arguments);
    return out;
}

Result<void> check_vhost_body(const json::object& body) {
    for (std::string_view key : {"description", "default_queue_type"}) {
        if (auto ok = check_string(body, key); !ok) {
            return ok;
        }
    }
    if (const json::value* tags = body.if_contains("tags");
        tags && !tags->is_null() && !tags->is_string() && !tags->is_array()) {
        return bad_request("field 'tags' must be a comma-separated string or an array");
    }
    if (auto tracing = get_bool(body, "tracing", false); !tracing) {
        return tracing.error();
    }
    return {};
}

} // namespace warren::web
