// publish_body: the body of POST /api/exchanges/{vhost}/{name}/publish, read as
// web/handlers/publish.cpp reads it: parse_client_json into a scratch arena (the handler's 4 KiB
// on the stack), then web::parse_publish for the single message or each item of a batch, with
// RabbitMQ's rule that all four keys are present; and the same object again under the
// WebSocket's rules (keys optional).
//
// Invariants besides "no crash, leak or UB": a refusal is an Error, never an exception; a parsed
// message keeps its body within the limit and its routing key within 255 bytes, carries no
// user_id but the caller's, and survives every way it leaves the broker: its properties through
// JSON, append_properties_json and the store's text form, its payload through render_payload
// (whole and truncated) and back.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/json/monotonic_resource.hpp>

#include "fuzz/support/check.hpp"
#include "fuzz/support/json_checks.hpp"
#include "server/names.hpp"
#include "web/json_codec.hpp"
#include "web/message_codec.hpp"

namespace {

namespace json = boost::json;

constexpr std::string_view kUser = "guest";

void check_message(const warren::Message& message, const warren::web::PublishLimits& limits) {
    FUZZ_CHECK(message.body != nullptr, "a message without a body");
    FUZZ_CHECK(message.body->size() <= limits.max_message_size, "a body over the limit");
    FUZZ_CHECK(message.routing_key.size() <= warren::server::kMaxNameBytes,
               "a routing key over 255 bytes");
    FUZZ_CHECK(!message.properties.user_id || *message.properties.user_id == kUser,
               "a user_id of someone else");
    warren::fuzz::check_properties_round_trip(message.properties);
    for (std::optional<std::size_t> truncate : {std::optional<std::size_t>(), std::optional(7ul)}) {
        json::object rendered;
        warren::web::render_payload(rendered, *message.body,
                                    warren::web::PayloadEncoding::auto_detect, truncate);
        const std::string_view body = *message.body;
        warren::fuzz::check_payload(rendered, truncate ? body.substr(0, *truncate) : body);
        FUZZ_CHECK(rendered.at("payload_bytes").to_number<std::size_t>() == body.size(),
                   "payload_bytes is not the body's size");
        json::object base64;
        warren::web::render_payload(base64, body, warren::web::PayloadEncoding::base64);
        warren::fuzz::check_payload(base64, body);
    }
}

void parse_item(const json::object& item) {
    for (bool require_all : {true, false}) {
        warren::web::PublishLimits limits;
        limits.max_message_size = 1024; // small, so that too_large is reached
        limits.require_all_fields = require_all;
        auto message = warren::web::parse_publish(item, "amq.topic", kUser, limits);
        if (message) {
            FUZZ_CHECK(*message != nullptr, "parse_publish gave a null message");
            check_message(**message, limits);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    unsigned char arena[4096];
    json::monotonic_resource resource(arena, sizeof arena);
    auto body = warren::web::parse_client_json(text, "the body", &resource);
    if (!body) {
        return 0;
    }
    if (body->is_object()) {
        parse_item(body->get_object());
    } else if (body->is_array()) {
        for (const auto& item : body->get_array()) {
            if (item.is_object()) {
                parse_item(item.get_object());
            }
        }
    }
    return 0;
}
