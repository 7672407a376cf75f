// Queues in RabbitMQ's management API shape: list, show (with consumer_details), declare (PUT
// 201/204; x- arguments validated by the broker), delete (?if-empty / ?if-unused), purge
// (DELETE .../contents) and a queue's bindings, the implicit default-exchange one included.
// Changes answer after the journal committed them (DESIGN.md 2).

#include <boost/beast/http/verb.hpp>

#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/list_query.hpp"

namespace warren::web {

namespace http = boost::beast::http;

namespace {

HandlerResult list_queues(const server::Broker& broker, const NodeInfo& node,
                          const RequestContext& context, std::optional<std::string_view> vhost) {
    return list_response(
        context,
        [&](const server::ListQuery& query) {
            return broker.list_queues(caller(context), vhost, query);
        },
        [&](const server::QueueView& q) { return queue_json(q, node.node); });
}

HandlerResult put_queue(server::Broker& broker, const RequestContext& context) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    auto spec = queue_spec_from_json(context.param("name"), *body);
    if (!spec) {
        return spec.error();
    }
    auto declared = broker.declare_queue(caller(context), context.param("vhost"), *spec);
    if (!declared) {
        return declared.error();
    }
    return empty_response(*declared == server::Declared::created ? http::status::created
                                                                 : http::status::no_content);
}

HandlerResult delete_queue(server::Broker& broker, const RequestContext& context) {
    auto deleted =
        broker.delete_queue(caller(context), context.param("vhost"), context.param("name"),
                            query_flag(context, "if-unused"), query_flag(context, "if-empty"));
    if (!deleted) {
        return missing_as_404(deleted.error());
    }
    return empty_response(http::status::no_content);
}

HandlerResult purge_queue(server::Broker& broker, const RequestContext& context) {
    auto purged =
        broker.purge_queue(caller(context), context.param("vhost"), context.param("name"));
    if (!purged) {
        return missing_as_404(purged.error());
    }
    return empty_response(http::status::no_content);
}

} // namespace

void register_queue_routes(ApiRouter& router, server::Broker& broker, const NodeInfo& node) {
    router.add(http::verb::get, "/api/queues", [&broker, &node](RequestContext& context) {
        return list_queues(broker, node, context, std::nullopt);
    });
    router.add(http::verb::get, "/api/queues/{vhost}", [&broker, &node](RequestContext& context) {
        return list_queues(broker, node, context, context.param("vhost"));
    });
    router.add(http::verb::get, "/api/queues/{vhost}/{name}",
               [&broker, &node](RequestContext& context) -> HandlerResult {
                   auto queue =
                       broker.queue(caller(context), context.param("vhost"), context.param("name"));
                   if (!queue) {
                       return missing_as_404(queue.error());
                   }
                   return object_response(context, queue_json(*queue, node.node, true));
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
               [&broker](RequestContext& context) {
                   server::BindingFilter filter;
                   filter.vhost = context.param("vhost");
                   filter.destination = context.param("name");
                   return binding_list_response(broker, context, filter);
               });
}

} // namespace warren::web
