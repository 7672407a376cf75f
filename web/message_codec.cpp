#include "web/message_codec.hpp"

#include "common/base64.hpp"
#include "server/names.hpp"
#include "server/properties_json.hpp"

namespace warren::web {

namespace json = boost::json;

namespace {

Error bad(std::string reason) {
    return make_error(Errc::bad_request, std::move(reason));
}

} // namespace

Result<routing::MessagePtr> parse_publish(const json::object& item, std::string_view exchange,
                                          std::string_view user, const PublishLimits& limits) {
    if (limits.require_all_fields) {
        for (const char* key : {"properties", "routing_key", "payload", "payload_encoding"}) {
            if (!item.contains(key)) {
                return bad(std::string("missing key '") + key +
                           "': a publish needs properties, routing_key, payload and "
                           "payload_encoding");
            }
        }
    }
    routing::Properties properties;
    if (const auto* p = item.if_contains("properties")) {
        if (!p->is_object()) {
            return bad("'properties' must be an object");
        }
        auto parsed = server::properties_from_json(p->get_object());
        if (!parsed) {
            return parsed.error();
        }
        properties = std::move(*parsed);
    }
    if (properties.user_id && *properties.user_id != user) {
        return bad("user_id property set to '" + *properties.user_id +
                   "' but the authenticated user is '" + std::string(user) + "'");
    }
    std::string routing_key;
    if (const auto* k = item.if_contains("routing_key")) {
        if (!k->is_string()) {
            return bad("'routing_key' must be a string");
        }
        routing_key = std::string(k->get_string());
        if (routing_key.size() > server::kMaxNameBytes) {
            return bad("routing_key is longer than 255 bytes");
        }
    }
    std::string encoding = "string";
    if (const auto* e = item.if_contains("payload_encoding")) {
        if (!e->is_string() || (e->get_string() != "string" && e->get_string() != "base64")) {
            return bad("'payload_encoding' must be \"string\" or \"base64\"");
        }
        encoding = std::string(e->get_string());
    }
    std::string body;
    if (const auto* p = item.if_contains("payload")) {
        if (!p->is_string()) {
            return make_error(Errc::bad_request, "'payload' must be a string (payload_not_string)");
        }
        if (encoding == "base64") {
            auto decoded = base64_decode(p->get_string());
            if (!decoded) {
                return bad("'payload' is not valid base64");
            }
            body = std::move(*decoded);
        } else {
            body = std::string(p->get_string());
        }
    }
    if (body.size() > limits.max_message_size) {
        return make_error(Errc::too_large, "message body is " + std::to_string(body.size()) +
                                               " bytes; the limit is " +
                                               std::to_string(limits.max_message_size));
    }
    return routing::make_message(std::string(exchange), std::move(routing_key),
                                 std::move(properties), std::move(body));
}

void render_payload(json::object& out, std::string_view body, PayloadEncoding encoding,
                    std::optional<std::size_t> truncate) {
    out["payload_bytes"] = body.size();
    std::string_view shown = body;
    if (truncate && *truncate < shown.size()) {
        shown = shown.substr(0, *truncate);
    }
    if (encoding == PayloadEncoding::auto_detect && is_valid_utf8(shown)) {
        out["payload"] = shown;
        out["payload_encoding"] = "string";
    } else {
        out["payload"] = base64_encode(shown);
        out["payload_encoding"] = "base64";
    }
}

} // namespace warren::web
