#pragma once

// ws_protocol: the WebSocket protocol of DESIGN.md section 4, as pure functions (no Asio, no
// broker): client text frames -> a ClientOp, or a FrameError saying exactly what was wrong; and
// the server's frames rendered to JSON text. Being pure, it is unit-tested and fuzzed alone.
//
// Decisions (documented in web/README.md):
// - subscribe: `prefetch` defaults to 100 (0 = unlimited, as AMQP); `ack` defaults to "manual";
//   under "auto" the prefetch is ignored and the socket's write progress throttles delivery.
// - nack / reject: `requeue` defaults to true (AMQP); `multiple` defaults to false.
// - publish: `vhost` defaults to "/"; `exchange` is required ("" or "amq.default" = the default
//   exchange); `confirm` is an integer or a string, echoed as given.
// - Unknown keys are ignored (forward compatibility); known keys are strictly typed.
//
// Thread: any; no state.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/assert/source_location.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include "common/error.hpp"
#include "common/message.hpp"
#include "server/delivery_sink.hpp"
#include "server/specs.hpp"

namespace warren::web::ws {

inline constexpr std::uint32_t kDefaultPrefetch = 100;
inline constexpr std::uint32_t kMaxPrefetch = 65535; // AMQP's prefetch-count is 16 bits
inline constexpr std::size_t kMaxConsumerName = 255; // a stream's named consumer
inline constexpr std::size_t kMaxIdBytes = 255;      // ids become consumer tags (short strings)

struct SubscribeOp {
    std::string id;
    std::string vhost = "/";
    std::optional<std::string> queue;    // exactly one of queue / exchange
    std::optional<std::string> exchange; // server-named exclusive auto-delete queue bound to it
    std::string binding_key;             // exchange subscriptions only
    boost::json::object arguments;       // binding arguments (headers exchange), exchange only
    std::uint32_t prefetch = kDefaultPrefetch;
    bool auto_ack = false;
    bool exclusive = false;
    // Streams (DESIGN.md section 7): where to start, and the named consumer.
    std::optional<server::StreamStart> offset;
    std::string consumer;
    // A consumer group on a topic exchange (section 7); `offset` is where a new group starts.
    std::string group;
};

struct UnsubscribeOp {
    std::string id;
};

// ack / nack / reject: `id` is the frame's id, if any (echoed in an error).
struct AckOp {
    std::uint64_t tag = 0;
    bool multiple = false;
    boost::json::value id;
};

struct NackOp {
    std::uint64_t tag = 0;
    bool multiple = false;
    bool requeue = true;
    boost::json::value id;
};

struct RejectOp {
    std::uint64_t tag = 0;
    bool requeue = true;
    boost::json::value id;
};

struct PublishOp {
    std::string vhost = "/";
    std::string exchange; // "" = the default exchange ("amq.default" is mapped to it)
    MessagePtr message;
    std::optional<boost::json::value> confirm; // set: the client wants a confirm
    boost::json::value id;                     // the frame's id, if any (echoed in errors)
};

struct PingOp {
    boost::json::value id; // echoed in the pong when present
};

using ClientOp =
    std::variant<SubscribeOp, UnsubscribeOp, AckOp, NackOp, RejectOp, PublishOp, PingOp>;

// A frame the server refuses: the error plus what lets the client correlate it.
struct FrameError {
    Error error;
    boost::json::value id;      // the frame's "id" as sent (null when absent)
    boost::json::value confirm; // a publish's "confirm" as sent (null when absent)
    std::string op;             // the frame's op when it was a string (empty otherwise)
};

// Found by ADL when FrameResult::value() is called on an error (a programming mistake).
[[noreturn]] void throw_exception_from_error(const FrameError& e, const boost::source_location&);

using FrameResult = boost::system::result<ClientOp, FrameError>;

struct ParseContext {
    std::string_view user;                      // the authenticated user (user_id check)
    std::uint64_t max_message_size = 16u << 20; // bytes of a published body
};

// Parses one client text frame. Errors: bad_request for bad JSON, a non-object, an unknown op or
// a missing / wrongly typed field (the reason names it); too_large for a body over the limit.
FrameResult parse_client_frame(std::string_view text, const ParseContext& context);

// Server frames, each as JSON text.
std::string render_subscribed(std::string_view id, std::string_view queue);
// A consumer group's subscription: the partitions this member got at once.
std::string render_subscribed_group(std::string_view id, std::string_view exchange,
                                    std::string_view group,
                                    const std::vector<std::string>& partitions);
// A rebalance changed this member's partitions.
std::string render_assigned(std::string_view sub, const std::vector<std::string>& partitions);
// sub: the subscription id (the consumer tag). Payload as a string when the body is valid UTF-8,
// else base64; header x-delivery-count = delivery_count - 1 on redeliveries.
std::string render_message(std::string_view sub, const server::Delivery& delivery);
std::string render_confirm(const boost::json::value& confirm, bool routed, bool duplicate = false);
// The same two, appended to `out` (the session renders them into a reused buffer).
void append_message(std::string& out, std::string_view sub, const server::Delivery& delivery);
// duplicate: adds "duplicate":true (a deduplicated publish); absent otherwise.
void append_confirm(std::string& out, const boost::json::value& confirm, bool routed,
                    bool duplicate = false);
std::string render_error(const FrameError& error);
std::string render_error(const Error& error, const boost::json::value& id = {},
                         const boost::json::value& confirm = {});
std::string render_pong(const boost::json::value& id = {});
// The broker ended a subscription on its own (its queue was deleted).
std::string render_cancelled(std::string_view id, std::string_view queue);

} // namespace warren::web::ws
