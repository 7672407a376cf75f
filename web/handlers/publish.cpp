// POST /api/exchanges/{vhost}/{name}/publish: RabbitMQ's HTTP publish, answered only after the
// message is durable (persistent message, durable queue: the store has committed it). warren's
// extension: a JSON array of messages is one request, one commit, and an array of answers.

#include <boost/json/parse.hpp>

#include "web/commit.hpp"
#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/message_codec.hpp"

namespace warren::web {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

std::string exchange_from_path(const std::string& name) {
    return name == "amq.default" ? std::string() : name;
}

Result<json::value> parse_body(const Request& request) {
    return parse_client_json(request.body(), "the body");
}

const Error kRejected{Errc::rejected, "Unable to publish message. Check queue limits."};

asio::awaitable<HandlerResult> publish(server::Broker& broker, PublishLimits limits,
                                       RequestContext& ctx) {
    const std::string& vhost = ctx.param("vhost");
    const std::string exchange = exchange_from_path(ctx.param("name"));
    const std::string user = ctx.principal ? ctx.principal->name : std::string();
    if (auto allowed = authorize(broker, ctx, server::Access::write, "exchange", exchange);
        !allowed) {
        co_return allowed.error();
    }
    auto body = parse_body(ctx.request);
    if (!body) {
        co_return body.error();
    }
    const bool batch = body->is_array();
    if (!batch && !body->is_object()) {
        co_return make_error(Errc::bad_request,
                             "the body must be a message object or an array of them");
    }
    // Every message is checked before any is published: a batch goes in whole or not at all.
    std::vector<routing::MessagePtr> messages;
    if (batch) {
        const auto& items = body->get_array();
        if (items.empty()) {
            co_return make_error(Errc::bad_request, "the batch is empty");
        }
        messages.reserve(items.size());
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (!items[i].is_object()) {
                co_return make_error(Errc::bad_request,
                                     "batch item " + std::to_string(i) + " is not an object");
            }
            auto message = parse_publish(items[i].get_object(), exchange, user, limits);
            if (!message) {
                Error e = message.error();
                e.reason = "batch item " + std::to_string(i) + ": " + e.reason;
                co_return e;
            }
            messages.push_back(std::move(*message));
        }
    } else {
        auto message = parse_publish(body->get_object(), exchange, user, limits);
        if (!message) {
            co_return message.error();
        }
        messages.push_back(std::move(*message));
    }

    json::array answers;
    bool stored = false;
    for (auto& message : messages) {
        auto outcome = broker.publish(vhost, exchange, std::move(message));
        if (!outcome) {
            co_return outcome.error();
        }
        stored = stored || outcome->stored;
        json::object answer{{"routed", outcome->routed}};
        if (outcome->rejected) {
            if (!batch) {
                co_return kRejected;
            }
            answer["rejected"] = true;
        }
        answers.push_back(std::move(answer));
    }
    if (stored) {
        auto committed = co_await wait_for_commit(broker);
        if (!committed) {
            co_return committed.error();
        }
    }
    if (batch) {
        co_return json_response(answers);
    }
    co_return json_response(answers.front());
}

} // namespace

void register_publish_routes(ApiRouter& router, server::Broker& broker, PublishLimits limits) {
    router.add_async(
        boost::beast::http::verb::post, "/api/exchanges/{vhost}/{name}/publish",
        [&broker, limits](RequestContext& ctx) { return publish(broker, limits, ctx); });
}

} // namespace warren::web
