// The server's frames of the WebSocket protocol (DESIGN.md section 4) rendered to JSON text;
// ws_protocol.cpp parses the client's. Deliveries and confirms, the frames a busy session sends
// most, are written straight to text (json_text) into a buffer the session reuses.

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "common/base64.hpp"
#include "common/json_text.hpp"
#include "common/properties_json.hpp"
#include "common/utf8.hpp"
#include "web/ws_protocol.hpp"

namespace warren::web::ws {

namespace json = boost::json;

namespace {

std::string to_text(const json::object& o) {
    return json::serialize(o);
}

} // namespace

std::string render_subscribed(std::string_view id, std::string_view queue) {
    return to_text({{"type", "subscribed"}, {"id", id}, {"queue", queue}});
}

std::string render_subscribed_group(std::string_view id, std::string_view exchange,
                                    std::string_view group,
                                    const std::vector<std::string>& partitions) {
    return to_text({{"type", "subscribed"},
                    {"id", id},
                    {"exchange", exchange},
                    {"group", group},
                    {"partitions", json::array(partitions.begin(), partitions.end())}});
}

std::string render_assigned(std::string_view sub, const std::vector<std::string>& partitions) {
    return to_text({{"type", "assigned"},
                    {"sub", sub},
                    {"partitions", json::array(partitions.begin(), partitions.end())}});
}

void append_message(std::string& out, std::string_view sub, const server::Delivery& delivery) {
    // Written straight to text (json_text): the keys in the order DESIGN section 4 shows.
    namespace jt = json_text;
    const Message& message = *delivery.message;
    const std::string_view body =
        message.body ? std::string_view(*message.body) : std::string_view();
    const bool as_text = is_valid_utf8(body);
    out.reserve(out.size() + 160 + sub.size() + message.exchange.size() +
                message.routing_key.size() +
                (as_text ? body.size() + body.size() / 8 : (body.size() + 2) / 3 * 4));
    out += R"({"type":"message","sub":)";
    jt::append_string(out, sub);
    out += R"(,"tag":)";
    jt::append_number(out, delivery.delivery_tag);
    out += R"(,"exchange":)";
    jt::append_string(out, message.exchange);
    out += R"(,"routing_key":)";
    jt::append_string(out, message.routing_key);
    out += R"(,"redelivered":)";
    jt::append_bool(out, delivery.redelivered);
    out += R"(,"delivery_count":)";
    jt::append_number(out, std::uint64_t{delivery.delivery_count});
    if (delivery.stream_offset) {
        out += R"(,"offset":)";
        jt::append_number(out, *delivery.stream_offset);
        out += R"(,"timestamp":)";
        jt::append_number(
            out, static_cast<std::uint64_t>(std::max<std::int64_t>(0, delivery.timestamp)));
        out += R"(,"queue":)"; // which stream: a group's deliveries come from its partitions
        jt::append_string(out, delivery.queue);
    }
    out += R"(,"properties":)";
    append_properties_json(out, message.properties, delivery.delivery_count);
    out += R"(,"payload_bytes":)";
    jt::append_number(out, std::uint64_t{body.size()});
    out += R"(,"payload":)";
    if (as_text) {
        jt::append_string(out, body);
        out += R"(,"payload_encoding":"string"})";
    } else {
        out += '"';
        out += base64_encode(body);
        out += R"(","payload_encoding":"base64"})";
    }
}

std::string render_message(std::string_view sub, const server::Delivery& delivery) {
    std::string out;
    append_message(out, sub, delivery);
    return out;
}

void append_confirm(std::string& out, const json::value& confirm, bool routed, bool duplicate) {
    out += R"({"type":"confirm","confirm":)";
    if (confirm.is_uint64()) {
        json_text::append_number(out, confirm.get_uint64());
    } else if (confirm.is_int64()) {
        json_text::append_number(out, confirm.get_int64());
    } else if (confirm.is_string()) {
        json_text::append_string(out, confirm.get_string());
    } else {
        out += json::serialize(confirm);
    }
    out += R"(,"routed":)";
    json_text::append_bool(out, routed);
    if (duplicate) {
        out += R"(,"duplicate":true)";
    }
    out += '}';
}

std::string render_confirm(const json::value& confirm, bool routed, bool duplicate) {
    std::string out;
    append_confirm(out, confirm, routed, duplicate);
    return out;
}

std::string render_error(const FrameError& error) {
    return render_error(error.error, error.id, error.confirm);
}

std::string render_error(const Error& error, const json::value& id, const json::value& confirm) {
    json::object out;
    out["type"] = "error";
    if (!id.is_null()) {
        out["id"] = id;
    }
    if (!confirm.is_null()) {
        out["confirm"] = confirm;
    }
    out["error"] = to_string(error.code);
    out["reason"] = error.reason;
    return to_text(out);
}

std::string render_pong(const json::value& id) {
    json::object out{{"type", "pong"}};
    if (!id.is_null()) {
        out["id"] = id;
    }
    return to_text(out);
}

std::string render_cancelled(std::string_view id, std::string_view queue) {
    return to_text(
        {{"type", "cancelled"}, {"id", id}, {"queue", queue}, {"reason", "the queue was deleted"}});
}

} // namespace warren::web::ws
