// ws_ops: a WebSocket text frame as a client sends it, parsed by web::ws::parse_client_frame
// (web/ws_protocol) as a session parses every frame, and the answer rendered back: the error
// frame for a refusal, and for an op what the server sends about it (subscribed, pong, the
// confirm, and the published message as a consumer would get it).
//
// Invariants besides "no crash, leak or UB": a refusal is a FrameError value, never an exception;
// every rendered frame is UTF-8 JSON a strict client parses; a published message comes back out
// with the same exchange, routing key, properties and payload bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/serialize.hpp>

#include "common/properties_json.hpp"
#include "fuzz/support/check.hpp"
#include "fuzz/support/json_checks.hpp"
#include "web/ws_protocol.hpp"

namespace {

namespace json = boost::json;
namespace ws = warren::web::ws;
using warren::fuzz::parse_rendered;

const ws::ParseContext kContext{"guest", 1024}; // a small limit, so that too_large is reached

void check_publish(const ws::PublishOp& op) {
    FUZZ_CHECK(op.message != nullptr, "a publish without a message");
    const warren::Message& message = *op.message;
    FUZZ_CHECK(message.body != nullptr, "a message without a body");
    FUZZ_CHECK(message.body->size() <= kContext.max_message_size, "a body over the limit");
    FUZZ_CHECK(!message.properties.user_id || *message.properties.user_id == kContext.user,
               "a user_id of someone else");
    warren::fuzz::check_properties_round_trip(message.properties);

    warren::server::Delivery delivery;
    delivery.consumer_tag = "sub";
    delivery.delivery_tag = 1;
    delivery.queue = "q";
    delivery.message = op.message;
    const json::value rendered = parse_rendered(ws::render_message("sub", delivery), "message");
    FUZZ_CHECK(rendered.is_object(), "a message frame that is not an object");
    const json::object& frame = rendered.get_object();
    FUZZ_CHECK(frame.at("exchange").as_string() == message.exchange, "the exchange changed");
    FUZZ_CHECK(frame.at("routing_key").as_string() == message.routing_key,
               "the routing key changed");
    auto properties = warren::properties_from_json(frame.at("properties").as_object());
    FUZZ_CHECK(properties.has_value() &&
                   warren::fuzz::same_properties(*properties, message.properties),
               "the properties changed on delivery");
    warren::fuzz::check_payload(frame, *message.body);
    if (op.confirm) {
        parse_rendered(ws::render_confirm(*op.confirm, true), "confirm");
    }
    parse_rendered(ws::render_error(warren::Error{warren::Errc::not_found, "no exchange"}, op.id,
                                    op.confirm.value_or(nullptr)),
                   "publish error");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    ws::FrameResult parsed = ws::parse_client_frame(text, kContext);
    if (!parsed) {
        const json::value error = parse_rendered(ws::render_error(parsed.error()), "error frame");
        FUZZ_CHECK(error.is_object() && error.as_object().contains("reason"),
                   "an error frame without a reason");
        return 0;
    }
    std::visit(
        [](const auto& op) {
            using Op = std::decay_t<decltype(op)>;
            if constexpr (std::is_same_v<Op, ws::SubscribeOp>) {
                FUZZ_CHECK(!op.id.empty() && op.id.size() <= ws::kMaxIdBytes, "a bad id");
                FUZZ_CHECK(op.queue.has_value() != op.exchange.has_value(),
                           "a subscription to both or neither");
                FUZZ_CHECK(op.prefetch <= ws::kMaxPrefetch, "a prefetch over 65535");
                parse_rendered(ws::render_subscribed(op.id, op.queue.value_or("amq.gen-x")),
                               "subscribed");
                parse_rendered(ws::render_cancelled(op.id, op.queue.value_or("amq.gen-x")),
                               "cancelled");
            } else if constexpr (std::is_same_v<Op, ws::UnsubscribeOp>) {
                FUZZ_CHECK(!op.id.empty() && op.id.size() <= ws::kMaxIdBytes, "a bad id");
            } else if constexpr (std::is_same_v<Op, ws::PublishOp>) {
                check_publish(op);
            } else if constexpr (std::is_same_v<Op, ws::PingOp>) {
                parse_rendered(ws::render_pong(op.id), "pong");
            } else {
                FUZZ_CHECK(op.tag > 0, "a settle of tag 0");
                parse_rendered(ws::render_error(warren::Error{warren::Errc::precondition_failed,
                                                              "unknown delivery tag"},
                                                op.id),
                               "settle error");
            }
        },
        *parsed);
    return 0;
}
