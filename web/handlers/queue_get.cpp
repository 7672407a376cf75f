// POST /api/queues/{vhost}/{name}/get: RabbitMQ's "get messages", a diagnostics tool that reads
// up to `count` ready messages and settles them by `ackmode` (requeue modes put them back at the
// head marked redelivered; ack_requeue_false removes them; reject_requeue_false dead-letters).

#include <algorithm>
#include <charconv>

#include <boost/json/parse.hpp>

#include "common/properties_json.hpp"
#include "web/commit.hpp"
#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/message_codec.hpp"

namespace warren::web {
namespace {

namespace json = boost::json;

Error bad(std::string reason) {
    return make_error(Errc::bad_request, std::move(reason));
}

// RabbitMQ accepts an integer, a float (truncated) or a numeric string (rabbitmqadmin sends "1").
std::optional<std::int64_t> count_of(const json::value& v) {
    if (v.is_int64()) {
        return v.get_int64();
    }
    if (v.is_uint64()) {
        return static_cast<std::int64_t>(std::min<std::uint64_t>(v.get_uint64(), INT64_MAX));
    }
    if (v.is_double() && v.get_double() >= 0 && v.get_double() < 9e15) {
        return static_cast<std::int64_t>(v.get_double());
    }
    if (v.is_string()) {
        std::int64_t n = 0;
        const auto s = v.get_string();
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec == std::errc{} && end == s.data() + s.size()) {
            return n;
        }
    }
    return std::nullopt;
}

std::optional<server::GetMode> mode_of(std::string_view name) {
    using server::GetMode;
    if (name == "ack_requeue_true") {
        return GetMode::ack_requeue_true;
    }
    if (name == "ack_requeue_false") {
        return GetMode::ack_requeue_false;
    }
    if (name == "reject_requeue_true") {
        return GetMode::reject_requeue_true;
    }
    if (name == "reject_requeue_false") {
        return GetMode::reject_requeue_false;
    }
    return std::nullopt;
}

constexpr std::int64_t kMaxGet = 10000;

// Checks the body; the settled messages, or the error.
Result<std::vector<server::GotMessage>> take(server::Broker& broker, RequestContext& ctx,
                                             PayloadEncoding& encoding,
                                             std::optional<std::size_t>& truncate) {
    auto parsed = parse_client_json(ctx.request.body(), "the body");
    if (!parsed) {
        return parsed.error();
    }
    const json::value& body = *parsed;
    if (!body.is_object()) {
        return bad("the body must be a JSON object such as "
                   "{\"count\":1,\"ackmode\":\"ack_requeue_true\",\"encoding\":\"auto\"}");
    }
    const auto& o = body.get_object();
    for (const char* key : {"count", "ackmode", "encoding"}) {
        if (!o.contains(key)) {
            return bad(std::string("missing key '") + key + "'");
        }
    }
    auto count = count_of(o.at("count"));
    if (!count || *count < 0) {
        return bad("'count' must be a non-negative integer");
    }
    const auto& ackmode = o.at("ackmode");
    auto mode = ackmode.is_string() ? mode_of(ackmode.get_string()) : std::nullopt;
    if (!mode) {
        return bad("'ackmode' must be one of ack_requeue_true, ack_requeue_false, "
                   "reject_requeue_true, reject_requeue_false");
    }
    const auto& enc = o.at("encoding");
    if (!enc.is_string() || (enc.get_string() != "auto" && enc.get_string() != "base64")) {
        return bad("'encoding' must be \"auto\" or \"base64\"");
    }
    encoding = enc.get_string() == "auto" ? PayloadEncoding::auto_detect : PayloadEncoding::base64;
    if (const auto* t = o.if_contains("truncate")) {
        auto n = count_of(*t);
        if (!n || *n < 0) {
            return bad("'truncate' must be a non-negative integer");
        }
        truncate = static_cast<std::size_t>(*n);
    }
    return broker.get(caller(ctx), ctx.param("vhost"), ctx.param("name"),
                      static_cast<std::size_t>(std::min(*count, kMaxGet)), *mode);
}

boost::asio::awaitable<HandlerResult> get_messages(server::Broker& broker, RequestContext& ctx) {
    PayloadEncoding encoding = PayloadEncoding::auto_detect;
    std::optional<std::size_t> truncate;
    auto got = take(broker, ctx, encoding, truncate);
    if (!got) {
        co_return got.error();
    }
    // What the get did to stored messages (removed, or their delivery count raised) is
    // committed before the answer, so a message the client saw is never "new" after a crash.
    const bool stored =
        std::any_of(got->begin(), got->end(), [](const auto& g) { return g.stored; });
    if (stored) {
        auto committed = co_await wait_for_commit(broker);
        if (!committed) {
            co_return committed.error();
        }
    }
    json::array out;
    for (const auto& g : *got) {
        const auto& message = *g.message;
        json::object item;
        render_payload(item, *message.body, encoding, truncate);
        item["redelivered"] = g.delivery_count > 1;
        item["exchange"] = message.exchange;
        item["routing_key"] = message.routing_key;
        item["message_count"] = g.message_count;
        json::object properties = properties_to_json(message.properties);
        if (g.delivery_count > 1) {
            // As quorum queues (and LavinMQ) report it: earlier delivery attempts.
            auto& headers = properties["headers"];
            if (!headers.is_object()) {
                headers = json::object{};
            }
            headers.get_object()["x-delivery-count"] = g.delivery_count - 1;
        }
        item["properties"] = std::move(properties);
        out.push_back(std::move(item));
    }
    co_return json_response(out);
}

} // namespace

void register_queue_get_routes(ApiRouter& router, server::Broker& broker) {
    router.add_async(boost::beast::http::verb::post, "/api/queues/{vhost}/{name}/get",
                     [&broker](RequestContext& ctx) { return get_messages(broker, ctx); });
}

} // namespace warren::web
