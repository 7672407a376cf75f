// Queues in RabbitMQ's management API shape: list, show (with consumer_details), declare (PUT
// 201/204; x- arguments validated by the broker), delete (?if-empty / ?if-unused), purge
// (DELETE .../contents) and a queue's bindings, the implicit default-exchange one included.
// Changes answer after the journal committed them (DESIGN.md 2).

#include <boost/beast/http/verb.hpp>

#include "server/queue.hpp"
#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/list_query.hpp"

namespace warren::web {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// The fields a list can sort by without rendering the queue (DESIGN.md 3: 10 000 queues).
std::optional<json::value> queue_sort_key(const server::Queue& q, const server::RateTracker& stats,
                                          std::string_view field) {
    const auto counters = server::counters_of(q.stats());
    if (field == "name") {
        return json::value(q.name());
    }
    if (field == "vhost") {
        return json::value(q.vhost().name());
    }
    if (field == "messages") {
        return json::value(q.messages_ready() + q.messages_unacknowledged());
    }
    if (field == "messages_ready") {
        return json::value(q.messages_ready());
    }
    if (field == "messages_unacknowledged") {
        return json::value(q.messages_unacknowledged());
    }
    if (field == "message_bytes" || field == "message_bytes_ready") {
        return json::value(q.ready_bytes());
    }
    if (field == "consumers") {
        return json::value(q.consumers().size());
    }
    if (field == "durable") {
        return json::value(q.spec().durable);
    }
    if (field == "auto_delete") {
        return json::value(q.spec().auto_delete);
    }
    if (field == "exclusive") {
        return json::value(q.spec().exclusive);
    }
    if (field == "message_stats.publish") {
        return json::value(counters.publish);
    }
    if (field == "message_stats.deliver_get") {
        return json::value(counters.deliver_get);
    }
    if (field == "message_stats.ack") {
        return json::value(counters.ack);
    }
    if (field == "message_stats.redeliver") {
        return json::value(counters.redeliver);
    }
    if (field == "message_stats.publish_details.rate") {
        return json::value(stats.queue_rates(q).publish);
    }
    if (field == "message_stats.deliver_get_details.rate") {
        return json::value(stats.queue_rates(q).deliver_get);
    }
    return std::nullopt;
}

HandlerResult list_queues(const RequestContext& context, const server::RateTracker& stats,
                          const NodeInfo& node, const std::vector<const server::Vhost*>& vhosts) {
    std::vector<const server::Queue*> queues;
    for (const server::Vhost* vhost : vhosts) {
        for (const auto& [name, queue] : vhost->queues()) {
            queues.push_back(queue.get());
        }
    }
    ListSource source;
    source.size = queues.size();
    source.name = [&](std::size_t i) { return std::string_view(queues[i]->name()); };
    source.sort_key = [&](std::size_t i, std::string_view field) {
        return queue_sort_key(*queues[i], stats, field);
    };
    const QueueRender how{node.node, stats, false};
    source.render = [&](std::size_t i) { return queue_json(*queues[i], how); };
    return list_response(context, source);
}

const server::Queue* find_queue(const server::Core& broker, const RequestContext& context) {
    const server::Vhost* vhost = broker.find_vhost(context.param("vhost"));
    return vhost ? vhost->find_queue(context.param("name")).get() : nullptr;
}

HandlerResult put_queue(server::Core& broker, const RequestContext& context) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    auto spec = queue_spec_from_json(context.param("name"), *body);
    if (!spec) {
        return spec.error();
    }
    if (auto allowed = authorize(broker, context, server::Access::configure, "queue", spec->name);
        !allowed) {
        return allowed.error();
    }
    auto declared = broker.declare_queue(context.param("vhost"), *spec);
    if (!declared) {
        return declared.error();
    }
    return empty_response(*declared == server::Declared::created ? http::status::created
                                                                 : http::status::no_content);
}

HandlerResult delete_queue(server::Core& broker, const RequestContext& context) {
    if (auto allowed =
            authorize(broker, context, server::Access::configure, "queue", context.param("name"));
        !allowed) {
        return allowed.error();
    }
    auto deleted =
        broker.delete_queue(context.param("vhost"), context.param("name"),
                            query_flag(context, "if-unused"), query_flag(context, "if-empty"));
    if (!deleted) {
        return missing_as_404(deleted.error());
    }
    return empty_response(http::status::no_content);
}

HandlerResult purge_queue(server::Core& broker, const RequestContext& context) {
    if (auto allowed =
            authorize(broker, context, server::Access::read, "queue", context.param("name"));
        !allowed) {
        return allowed.error();
    }
    auto purged = broker.purge_queue(context.param("vhost"), context.param("name"));
    if (!purged) {
        return missing_as_404(purged.error());
    }
    return empty_response(http::status::no_content);
}

HandlerResult queue_bindings(const server::Core& broker, const RequestContext& context) {
    const server::Queue* queue = find_queue(broker, context);
    if (queue == nullptr) {
        return object_not_found();
    }
    const server::Vhost& vhost = queue->vhost();
    std::vector<VhostBinding> bindings{VhostBinding{&vhost, implicit_binding(queue->name())}};
    for (auto& b : vhost.router().bindings_to(routing::Destination::queue(queue->name()))) {
        bindings.push_back(VhostBinding{&vhost, std::move(b)});
    }
    sort_bindings(bindings);
    return binding_list_response(context, bindings);
}

} // namespace

void register_queue_routes(ApiRouter& router, server::Core& broker,
                           const server::RateTracker& stats, const NodeInfo& node) {
    router.add(http::verb::get, "/api/queues", [&broker, &stats, &node](RequestContext& context) {
        return list_queues(context, stats, node, visible_vhosts(broker, context));
    });
    router.add(http::verb::get, "/api/queues/{vhost}",
               [&broker, &stats, &node](RequestContext& context) {
                   const server::Vhost* vhost = broker.find_vhost(context.param("vhost"));
                   if (vhost == nullptr) {
                       return HandlerResult(object_not_found());
                   }
                   return list_queues(context, stats, node, {vhost});
               });
    router.add(http::verb::get, "/api/queues/{vhost}/{name}",
               [&broker, &stats, &node](RequestContext& context) -> HandlerResult {
                   const server::Queue* queue = find_queue(broker, context);
                   if (queue == nullptr) {
                       return object_not_found();
                   }
                   return object_response(context,
                                          queue_json(*queue, QueueRender{node.node, stats, true}));
               });
    // Not coroutines themselves: each lambda makes the change, then hands the outcome to the
    // free coroutine after_commit (STYLE 2.8.7: no capturing lambda coroutines).
    router.add_async(http::verb::put, "/api/queues/{vhost}/{name}",
                     [&broker](RequestContext& context) {
                         return after_commit(broker, put_queue(broker, context));
                     });
    router.add_async(http::verb::delete_, "/api/queues/{vhost}/{name}",
                     [&broker](RequestContext& context) {
                         return after_commit(broker, delete_queue(broker, context));
                     });
    router.add_async(http::verb::delete_, "/api/queues/{vhost}/{name}/contents",
                     [&broker](RequestContext& context) {
                         return after_commit(broker, purge_queue(broker, context));
                     });
    router.add(http::verb::get, "/api/queues/{vhost}/{name}/bindings",
               [&broker](RequestContext& context) { return queue_bindings(broker, context); });
}

} // namespace warren::web
