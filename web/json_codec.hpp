#pragma once

// json_codec: Boost.JSON <-> server types with the RabbitMQ management API's field names.
// Decoding is strict about types (a wrong type is a 400 whose reason names the field) and lenient
// about what RabbitMQ's own clients send (unknown fields are ignored, booleans may be the strings
// "true"/"false", an empty array stands for an empty arguments table). Rendering produces one
// API object per call, so list handlers render only the items of the page they answer.
//
// Pure functions over the broker's value views (server/views.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "server/specs.hpp"
#include "server/views.hpp"
#include "web/binding_props.hpp"

namespace warren::web {

// ---- request bodies ----------------------------------------------------------------------

// Every JSON document a client sends (HTTP bodies, WebSocket frames) is parsed here: at most
// kMaxJsonDepth levels of nesting (deeper is a 400 saying so, never a deep recursion), no
// comments, no trailing commas, no number beyond a double's range (1e400, which would come back
// out as `Infinity`). `what` names the document in the error ("the body").
inline constexpr std::size_t kMaxJsonDepth = 32;
// `storage`: where the document's values live (default: the heap). A caller that parses into a
// scratch resource must copy what it keeps by assignment (which copies into the destination's
// storage), never by copy construction (which would share the scratch storage).
Result<boost::json::value> parse_client_json(std::string_view text, std::string_view what,
                                             boost::json::storage_ptr storage = {});

// The body as a JSON object; an empty body is {}. Malformed JSON or another JSON type: 400.
Result<boost::json::object> parse_body_object(std::string_view body);

// PUT /api/exchanges/{vhost}/{name}: `type` is mandatory; durable, auto_delete and internal
// default to false as in RabbitMQ.
Result<server::ExchangeSpec> exchange_spec_from_json(std::string name,
                                                     const boost::json::object& body);

// PUT /api/queues/{vhost}/{name}: durable and auto_delete default to false as in RabbitMQ;
// "exclusive": true is refused (an exclusive queue needs a connection, and HTTP has none).
Result<server::QueueSpec> queue_spec_from_json(std::string name, const boost::json::object& body);

// POST /api/bindings/...: both fields optional; a null routing key is "".
struct BindingBody {
    std::string routing_key;
    boost::json::object arguments;
};
Result<BindingBody> binding_body_from_json(const boost::json::object& body);

// PUT /api/vhosts/{vhost}: checks the types of the optional fields (description, tags,
// default_queue_type, tracing).
Result<void> check_vhost_body(const boost::json::object& body);

// ---- rendering ------------------------------------------------------------------------------

boost::json::object message_stats_json(const server::MessageCounters& counters,
                                       const server::MessageRates& rates);

boost::json::object exchange_json(const server::ExchangeView& exchange);

// detailed (a single GET): adds consumer_details.
// A stream's log: offsets, size, segments, retention, named consumers (GET /api/streams/...).
boost::json::object stream_json(const server::StreamView& stream);
boost::json::object queue_json(const server::QueueView& queue, std::string_view node,
                               bool detailed = false);

boost::json::object binding_json(const server::BindingView& binding);

boost::json::object vhost_json(const server::VhostView& vhost, std::string_view node);

// One consumer as /api/consumers and a queue's consumer_details show it.
boost::json::object consumer_json(const server::ConsumerView& consumer, std::string_view node);

} // namespace warren::web
