// POST /api/exchanges/{vhost}/{name}/publish: RabbitMQ's HTTP publish, answered only after the
// message is durable (persistent message, durable queue: the store has committed it). warren's
// extension: a JSON array of messages is one request, one commit, and an array of answers.

#include <string>
#include <vector>

#include <boost/json/monotonic_resource.hpp>

#include "web/commit.hpp"
#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/message_codec.hpp"

namespace warren::web {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

const Error kRejected{Errc::rejected, "Unable to publish message. Check queue limits."};

// The request's messages, checked (a batch goes in whole or not at all).
struct Parsed {
    std::vector<MessagePtr> messages;
    bool batch = false;
};

// Not a coroutine, so that the JSON tree lives in an arena on this function's stack: a single
// publish (properties, routing key, payload) fits, and nothing of it is freed piece by piece.
// The messages copy what they keep out of it.
Result<Parsed> parse_messages(const RequestContext& ctx, std::string_view exchange,
                              std::string_view user, const PublishLimits& limits) {
    unsigned char arena[4096];
    json::monotonic_resource resource(arena, sizeof arena);
    auto body = parse_client_json(ctx.request.body(), "the body", &resource);
    if (!body) {
        return body.error();
    }
    Parsed parsed;
    parsed.batch = body->is_array();
    if (!parsed.batch && !body->is_object()) {
        return make_error(Errc::bad_request,
                          "the body must be a message object or an array of them");
    }
    if (!parsed.batch) {
        auto message = parse_publish(body->get_object(), exchange, user, limits);
        if (!message) {
            return message.error();
        }
        parsed.messages.push_back(std::move(*message));
        return parsed;
    }
    const auto& items = body->get_array();
    if (items.empty()) {
        return make_error(Errc::bad_request, "the batch is empty");
    }
    parsed.messages.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (!items[i].is_object()) {
            return make_error(Errc::bad_request,
                              "batch item " + std::to_string(i) + " is not an object");
        }
        auto message = parse_publish(items[i].get_object(), exchange, user, limits);
        if (!message) {
            Error e = message.error();
            e.reason = "batch item " + std::to_string(i) + ": " + e.reason;
            return e;
        }
        parsed.messages.push_back(std::move(*message));
    }
    return parsed;
}

// One answer as boost::json::serialize writes {"routed":r} or {"routed":r,"rejected":true},
// appended by hand: building and serializing a json::object cost allocations on every publish.
void append_answer(std::string& out, const server::PublishOutcome& outcome) {
    out += outcome.routed ? R"({"routed":true)" : R"({"routed":false)";
    if (outcome.rejected) {
        out += R"(,"rejected":true)";
    }
    if (outcome.duplicate) {
        out += R"(,"duplicate":true)";
    }
    out += '}';
}

asio::awaitable<HandlerResult> publish(server::Broker& broker, PublishLimits limits,
                                       RequestContext& ctx) {
    const std::string& vhost = ctx.param("vhost");
    const std::string exchange = exchange_from_path(ctx.param("name"));
    const server::Principal& who = caller(ctx);
    const std::string& user = who.name;
    // Refused before the body is read (the broker's publish checks again, as it must for every
    // edge).
    if (auto allowed =
            broker.check_permission(who, vhost, server::Access::write, "exchange", exchange);
        !allowed) {
        co_return allowed.error();
    }
    auto parsed = parse_messages(ctx, exchange, user, limits);
    if (!parsed) {
        co_return parsed.error();
    }
    const bool batch = parsed->batch;
    std::string answers;
    if (batch) {
        answers += '[';
    }
    // Idempotency-Key: the dedup key of the message; in a batch, item i's key is "<key>/<i>", so
    // a retried batch is deduplicated item by item.
    const auto idempotency = ctx.request.find("Idempotency-Key");
    std::string_view idempotency_key;
    if (idempotency != ctx.request.end()) {
        idempotency_key =
            std::string_view(idempotency->value().data(), idempotency->value().size());
    }
    std::string item_key;
    bool stored = false;
    std::size_t index = 0;
    for (auto& message : parsed->messages) {
        server::PublishOptions options;
        if (!idempotency_key.empty()) {
            if (batch) {
                item_key.assign(idempotency_key).append("/").append(std::to_string(index));
                options.idempotency_key = item_key;
            } else {
                options.idempotency_key = idempotency_key;
            }
        }
        ++index;
        auto outcome = broker.publish(who, vhost, exchange, std::move(message), options);
        if (!outcome) {
            co_return outcome.error();
        }
        stored = stored || outcome->stored;
        if (outcome->rejected && !batch) {
            co_return kRejected;
        }
        if (answers.size() > 1) {
            answers += ',';
        }
        append_answer(answers, *outcome);
    }
    if (batch) {
        answers += ']';
    }
    if (stored) {
        auto committed = co_await wait_for_commit(broker);
        if (!committed) {
            co_return committed.error();
        }
    }
    co_return json_text_response(std::move(answers));
}

} // namespace

void register_publish_routes(ApiRouter& router, server::Broker& broker, PublishLimits limits) {
    router.add_async(
        boost::beast::http::verb::post, "/api/exchanges/{vhost}/{name}/publish",
        [&broker, limits](RequestContext& ctx) { return publish(broker, limits, ctx); });
}

} // namespace warren::web
