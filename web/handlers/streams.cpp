// Streams over HTTP (DESIGN.md section 7), a Kafka-style poll loop with no socket:
//   GET /api/streams/{vhost}/{name}                      the log: offsets, size, retention,
//                                                        named consumers and their lag
//   GET /api/streams/{vhost}/{name}/messages?offset=first|last|next|N|timestamp:MS&count=N
//   GET|PUT /api/streams/{vhost}/{name}/consumers/{consumer}   a named consumer's stored offset
// Reads answer only what is committed; a PUT answers after its commit, so what a GET shows
// survives a kill -9 that follows.

#include <memory>

#include <boost/beast/http/verb.hpp>

#include "common/decimal.hpp"
#include "common/properties_json.hpp"
#include "web/await_callback.hpp"
#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"

namespace warren::web {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr std::size_t kDefaultCount = 100;
constexpr std::size_t kMaxCount = 1000;

Error bad(std::string reason) {
    return make_error(Errc::bad_request, std::move(reason));
}

// An offset or a time: decimal, and within what the store keeps (a signed 64-bit integer).
std::optional<std::uint64_t> decimal(std::string_view text) {
    auto n = parse_decimal(text);
    if (n && *n > static_cast<std::uint64_t>(INT64_MAX)) {
        return std::nullopt;
    }
    return n;
}

// ?offset=first|last|next|N|timestamp:MS (default next).
Result<server::StreamStart> start_of(const RequestContext& context) {
    using Kind = server::StreamStart::Kind;
    const auto text = context.query_param("offset");
    if (!text || *text == "next") {
        return server::StreamStart{Kind::next, 0};
    }
    if (*text == "first") {
        return server::StreamStart{Kind::first, 0};
    }
    if (*text == "last") {
        return server::StreamStart{Kind::last, 0};
    }
    if (text->starts_with("timestamp:")) {
        if (auto ms = decimal(text->substr(10))) {
            return server::StreamStart{Kind::timestamp, *ms};
        }
    } else if (auto n = decimal(*text)) {
        return server::StreamStart{Kind::offset, *n};
    }
    return bad("'offset' must be first, last, next, an offset (an integer from 0) or "
               "timestamp:MS");
}

json::object message_json(const server::StreamMessage& m) {
    const Message& message = *m.message;
    json::object item{
        {"offset", m.offset},
        {"timestamp", m.timestamp},
        {"exchange", message.exchange},
        {"routing_key", message.routing_key},
        {"properties", properties_to_json(message.properties)},
    };
    render_payload(item, message.body ? std::string_view(*message.body) : std::string_view(),
                   PayloadEncoding::auto_detect);
    return item;
}

boost::asio::awaitable<HandlerResult> get_messages(server::Broker& broker,
                                                   RequestContext& context) {
    auto start = start_of(context);
    if (!start) {
        co_return start.error();
    }
    std::size_t count = kDefaultCount;
    if (auto text = context.query_param("count")) {
        auto n = decimal(*text);
        if (!n || *n == 0 || *n > kMaxCount) {
            co_return bad("'count' must be an integer from 1 to 1000");
        }
        count = static_cast<std::size_t>(*n);
    }
    const server::Principal& who = caller(context);
    const std::string vhost(context.param("vhost"));
    const std::string name(context.param("name"));
    const server::StreamStart from = *start;
    Result<server::StreamMessages> read = co_await await_callback<Result<server::StreamMessages>>(
        [&](std::function<void(Result<server::StreamMessages>)> done) {
            broker.read_stream(who, vhost, name, from, count, std::move(done));
        });
    if (!read) {
        co_return missing_as_404(read.error());
    }
    json::array messages;
    for (const auto& m : read->messages) {
        messages.push_back(message_json(m));
    }
    co_return json_response(
        json::object{{"messages", std::move(messages)}, {"next_offset", read->next_offset}});
}

HandlerResult get_stream(const server::Broker& broker, const RequestContext& context) {
    auto view = broker.stream(caller(context), context.param("vhost"), context.param("name"));
    if (!view) {
        return missing_as_404(view.error());
    }
    json::object out = stream_json(*view);
    out["name"] = context.param("name");
    out["vhost"] = context.param("vhost");
    return json_response(out);
}

HandlerResult get_consumer(const server::Broker& broker, const RequestContext& context) {
    auto offset = broker.stream_consumer(caller(context), context.param("vhost"),
                                         context.param("name"), context.param("consumer"));
    if (!offset) {
        return missing_as_404(offset.error());
    }
    return json_response(
        json::object{{"name", offset->name}, {"offset", offset->offset}, {"lag", offset->lag}});
}

HandlerResult put_consumer(server::Broker& broker, const RequestContext& context) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    const json::value* offset = body->if_contains("offset");
    std::optional<std::uint64_t> n;
    if (offset != nullptr && offset->is_int64() && offset->get_int64() >= 0) {
        n = static_cast<std::uint64_t>(offset->get_int64());
    } else if (offset != nullptr && offset->is_uint64() &&
               offset->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        n = offset->get_uint64();
    }
    if (!n || body->size() != 1) {
        return bad("the body must be {\"offset\": N} with N an integer from 0");
    }
    auto stored = broker.set_stream_offset(caller(context), context.param("vhost"),
                                           context.param("name"), context.param("consumer"), *n);
    if (!stored) {
        return stored.error();
    }
    return empty_response(http::status::no_content);
}

} // namespace

void register_stream_routes(ApiRouter& router, server::Broker& broker) {
    // The offsets these two show are read first and answered once the commit that covers them
    // is done: acks move offsets in memory at once and in the store with the next commit.
    router.add_async(http::verb::get, "/api/streams/{vhost}/{name}",
                     [&broker](RequestContext& context) {
                         return after_commit(broker, get_stream(broker, context));
                     });
    router.add_async(http::verb::get, "/api/streams/{vhost}/{name}/messages",
                     [&broker](RequestContext& context) { return get_messages(broker, context); });
    router.add_async(http::verb::get, "/api/streams/{vhost}/{name}/consumers/{consumer}",
                     [&broker](RequestContext& context) {
                         return after_commit(broker, get_consumer(broker, context));
                     });
    // A free coroutine after_commit (STYLE 2.8.7: no capturing lambda coroutines).
    router.add_async(http::verb::put, "/api/streams/{vhost}/{name}/consumers/{consumer}",
                     [&broker](RequestContext& context) {
                         return after_commit(broker, put_consumer(broker, context));
                     });
}

} // namespace warren::web
