// The client's frames of the WebSocket protocol (DESIGN.md section 4) parsed into ClientOps,
// strictly typed, each refusal naming the field; ws_render.cpp renders the server's frames.

#include "web/ws_protocol.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>

#include "server/names.hpp"
#include "web/json_codec.hpp"
#include "web/message_codec.hpp"

namespace warren::web::ws {

namespace json = boost::json;

namespace {

Error bad(std::string reason) {
    return make_error(Errc::bad_request, std::move(reason));
}

std::string quoted(std::string_view key) {
    return "'" + std::string(key) + "'";
}

Error missing(std::string_view key) {
    return bad("missing field " + quoted(key));
}

// A field that must be a string when present.
Result<std::optional<std::string>> optional_string(const json::object& o, std::string_view key) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) {
        return std::optional<std::string>{};
    }
    if (!v->is_string()) {
        return bad(quoted(key) + " must be a string");
    }
    return std::optional<std::string>{std::string(v->get_string())};
}

// A stream consumer's or a group's name: absent, or a string of 1 to 255 bytes.
Result<std::optional<std::string>> optional_name(const json::object& o, std::string_view key) {
    auto name = optional_string(o, key);
    if (name && *name && ((*name)->empty() || (*name)->size() > kMaxConsumerName)) {
        return bad(quoted(key) + " must be a name of 1 to 255 bytes");
    }
    return name;
}

Result<std::string> required_string(const json::object& o, std::string_view key) {
    auto s = optional_string(o, key);
    if (!s) {
        return s.error();
    }
    if (!*s) {
        return missing(key);
    }
    return std::move(**s);
}

Result<bool> optional_bool(const json::object& o, std::string_view key, bool fallback) {
    const json::value* v = o.if_contains(key);
    if (v == nullptr) {
        return fallback;
    }
    if (!v->is_bool()) {
        return bad(quoted(key) + " must be true or false");
    }
    return v->get_bool();
}

// A non-negative integer up to `max` (doubles, even integral ones, are refused: tags are exact).
std::optional<std::uint64_t> as_count(const json::value& v, std::uint64_t max) {
    if (v.is_uint64()) {
        return v.get_uint64() <= max ? std::optional(v.get_uint64()) : std::nullopt;
    }
    if (v.is_int64() && v.get_int64() >= 0) {
        auto n = static_cast<std::uint64_t>(v.get_int64());
        return n <= max ? std::optional(n) : std::nullopt;
    }
    return std::nullopt;
}

Result<std::uint64_t> delivery_tag(const json::object& o) {
    const json::value* v = o.if_contains("tag");
    if (v == nullptr) {
        return missing("tag");
    }
    auto tag = as_count(*v, UINT64_MAX);
    if (!tag || *tag == 0) {
        return bad("'tag' must be a positive integer");
    }
    return *tag;
}

// A subscription id: a non-empty string of at most 255 bytes (it becomes the consumer tag).
Result<std::string> subscription_id(const json::object& o) {
    auto id = required_string(o, "id");
    if (!id) {
        return id.error();
    }
    if (id->empty() || id->size() > kMaxIdBytes) {
        return bad("'id' must be a non-empty string of at most 255 bytes");
    }
    return id;
}

Result<ClientOp> parse_subscribe(const json::object& o) {
    SubscribeOp op;
    auto id = subscription_id(o);
    if (!id) {
        return id.error();
    }
    op.id = std::move(*id);
    auto vhost = optional_string(o, "vhost");
    auto queue = optional_string(o, "queue");
    auto exchange = optional_string(o, "exchange");
    auto key = optional_string(o, "binding_key");
    for (const auto* r : {&vhost, &queue, &exchange, &key}) {
        if (!*r) {
            return r->error();
        }
    }
    op.vhost = vhost->value_or("/");
    op.queue = std::move(*queue);
    op.exchange = std::move(*exchange);
    if (op.queue.has_value() == op.exchange.has_value()) {
        return bad("a subscribe needs exactly one of 'queue' or 'exchange'");
    }
    if (op.queue && (key->has_value() || o.contains("arguments"))) {
        return bad("'binding_key' and 'arguments' apply only to an exchange subscription");
    }
    op.binding_key = key->value_or("");
    if (const json::value* args = o.if_contains("arguments")) {
        if (!args->is_object()) {
            return bad("'arguments' must be an object");
        }
        op.arguments = args->get_object();
    }
    auto ack = optional_string(o, "ack");
    if (!ack) {
        return ack.error();
    }
    if (*ack && **ack != "manual" && **ack != "auto") {
        return bad("'ack' must be \"manual\" or \"auto\"");
    }
    op.auto_ack = *ack && **ack == "auto";
    if (const json::value* p = o.if_contains("prefetch")) {
        auto prefetch = as_count(*p, kMaxPrefetch);
        if (!prefetch) {
            return bad("'prefetch' must be an integer from 0 (unlimited) to 65535");
        }
        op.prefetch = static_cast<std::uint32_t>(*prefetch);
    }
    auto exclusive = optional_bool(o, "exclusive", false);
    if (!exclusive) {
        return exclusive.error();
    }
    op.exclusive = *exclusive;
    if (const json::value* v = o.if_contains("offset")) {
        auto start = server::parse_stream_start(*v);
        if (!start) {
            return bad("'offset' must be \"first\", \"last\", \"next\", an offset (an integer "
                       "from 0) or {\"timestamp\": ms}");
        }
        op.offset = *start;
    }
    auto consumer = optional_name(o, "consumer");
    if (!consumer) {
        return consumer.error();
    }
    op.consumer = consumer->value_or("");
    auto group = optional_name(o, "group");
    if (!group) {
        return group.error();
    }
    if (*group) {
        if (!op.exchange) {
            return bad("'group' applies to a topic: subscribe to its exchange");
        }
        if (key->has_value() || o.contains("arguments")) {
            return bad("'binding_key' and 'arguments' do not apply to a group: the topic's "
                       "partitions are its bindings");
        }
        if (!op.consumer.empty()) {
            return bad("'consumer' does not apply to a group: the group's name is what its "
                       "partitions store their offsets under");
        }
        op.group = std::move(**group);
    } else if (op.exchange && (op.offset || !op.consumer.empty())) {
        return bad("'offset' and 'consumer' apply to a stream: subscribe to its queue (or to a "
                   "topic with a 'group')");
    }
    return ClientOp{std::move(op)};
}

Result<ClientOp> parse_unsubscribe(const json::object& o) {
    auto id = subscription_id(o);
    if (!id) {
        return id.error();
    }
    return ClientOp{UnsubscribeOp{std::move(*id)}};
}

Result<ClientOp> parse_settle(const json::object& o, std::string_view op) {
    auto tag = delivery_tag(o);
    if (!tag) {
        return tag.error();
    }
    auto requeue = optional_bool(o, "requeue", true);
    if (!requeue) {
        return requeue.error();
    }
    json::value id;
    if (const json::value* v = o.if_contains("id")) {
        id = *v;
    }
    if (op == "reject") {
        if (o.contains("multiple")) {
            return bad("'multiple' does not apply to reject (use nack)");
        }
        return ClientOp{RejectOp{*tag, *requeue, std::move(id)}};
    }
    auto multiple = optional_bool(o, "multiple", false);
    if (!multiple) {
        return multiple.error();
    }
    if (op == "ack") {
        if (o.contains("requeue")) {
            return bad("'requeue' does not apply to ack");
        }
        return ClientOp{AckOp{*tag, *multiple, std::move(id)}};
    }
    return ClientOp{NackOp{*tag, *multiple, *requeue, std::move(id)}};
}

Result<ClientOp> parse_publish_op(const json::object& o, const ParseContext& context) {
    PublishOp op;
    auto vhost = optional_string(o, "vhost");
    if (!vhost) {
        return vhost.error();
    }
    op.vhost = vhost->value_or("/");
    auto exchange = required_string(o, "exchange");
    if (!exchange) {
        return exchange.error();
    }
    op.exchange = *exchange == "amq.default" ? std::string() : std::move(*exchange);
    PublishLimits limits;
    limits.max_message_size = context.max_message_size;
    limits.require_all_fields = false;
    auto message = parse_publish(o, op.exchange, context.user, limits);
    if (!message) {
        return message.error();
    }
    op.message = std::move(*message);
    if (const json::value* c = o.if_contains("confirm")) {
        op.confirm = json::value(*c, json::storage_ptr()); // out of the scratch storage; its
                                                           // type was checked by the caller
    }
    if (const json::value* id = o.if_contains("id")) {
        op.id = *id;
    }
    return ClientOp{std::move(op)};
}

Result<ClientOp> parse_op(const json::object& o, std::string_view op, const ParseContext& context) {
    if (op == "subscribe") {
        return parse_subscribe(o);
    }
    if (op == "unsubscribe") {
        return parse_unsubscribe(o);
    }
    if (op == "ack" || op == "nack" || op == "reject") {
        return parse_settle(o, op);
    }
    if (op == "publish") {
        return parse_publish_op(o, context);
    }
    if (op == "ping") {
        PingOp ping;
        if (const json::value* id = o.if_contains("id")) {
            ping.id = *id;
        }
        return ClientOp{std::move(ping)};
    }
    return bad("unknown op '" + std::string(op) + "'");
}

} // namespace

void throw_exception_from_error(const FrameError& e, const boost::source_location&) {
    throw ErrorException(e.error);
}

FrameResult parse_client_frame(std::string_view text, const ParseContext& context) {
    FrameError failure;
    // The document lives in a scratch buffer (most frames fit; a larger one takes more from the
    // heap) that goes away on return: what the ops keep is copied out by assignment, which
    // copies into the destination's own storage (see parse_client_json).
    unsigned char scratch[4096];
    json::monotonic_resource resource(scratch, sizeof scratch);
    auto document = parse_client_json(text, "the frame", json::storage_ptr(&resource));
    if (!document) {
        failure.error = document.error();
        return failure;
    }
    json::value frame = std::move(*document);
    if (!frame.is_object()) {
        failure.error = bad("a frame must be a JSON object with an 'op'");
        return failure;
    }
    const json::object& o = frame.get_object();
    if (const json::value* id = o.if_contains("id")) {
        failure.id = *id;
    }
    const json::value* op = o.if_contains("op");
    if (op != nullptr && op->is_string()) {
        failure.op = std::string(op->get_string());
    }
    if (const json::value* confirm = o.if_contains("confirm"); confirm && failure.op == "publish") {
        failure.confirm = *confirm;
        if (!confirm->is_int64() && !confirm->is_uint64() && !confirm->is_string()) {
            failure.confirm = nullptr;
            failure.error = bad("'confirm' must be an integer or a string");
            return failure;
        }
    }
    if (op == nullptr) {
        failure.error = missing("op");
        return failure;
    }
    if (!op->is_string()) {
        failure.error = bad("'op' must be a string");
        return failure;
    }
    auto parsed = parse_op(o, op->get_string(), context);
    if (!parsed) {
        failure.error = parsed.error();
        return failure;
    }
    return std::move(*parsed);
}

} // namespace warren::web::ws
