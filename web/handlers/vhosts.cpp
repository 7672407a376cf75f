// Vhosts in RabbitMQ's management API shape: list, show, create (PUT 201, or 204 when it exists)
// and delete (204, or 404). Creating or deleting a vhost answers after the journal committed it.

#include <boost/beast/http/verb.hpp>

#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/list_query.hpp"

namespace warren::web {

namespace http = boost::beast::http;

namespace {

HandlerResult put_vhost(server::Broker& broker, const RequestContext& context) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    // description, tags, default_queue_type and tracing are checked but not kept yet.
    if (auto ok = check_vhost_body(*body); !ok) {
        return ok.error();
    }
    auto declared = broker.declare_vhost(caller(context), context.param("vhost"));
    if (!declared) {
        return declared.error();
    }
    return empty_response(*declared == server::Declared::created ? http::status::created
                                                                 : http::status::no_content);
}

HandlerResult delete_vhost(server::Broker& broker, const RequestContext& context) {
    auto deleted = broker.delete_vhost(caller(context), context.param("vhost"));
    if (!deleted) {
        return missing_as_404(deleted.error());
    }
    return empty_response(http::status::no_content);
}

} // namespace

void register_vhost_routes(ApiRouter& router, server::Broker& broker, const NodeInfo& node) {
    router.add(http::verb::get, "/api/vhosts", [&broker, &node](RequestContext& context) {
        return list_response(
            context,
            [&](const server::ListQuery& query) {
                return broker.list_vhosts(caller(context), query);
            },
            [&](const server::VhostView& v) { return vhost_json(v, node.node); });
    });
    router.add(http::verb::get, "/api/vhosts/{vhost}",
               [&broker, &node](RequestContext& context) -> HandlerResult {
                   auto vhost = broker.vhost(caller(context), context.param("vhost"));
                   if (!vhost) {
                       return missing_as_404(vhost.error());
                   }
                   return object_response(context, vhost_json(*vhost, node.node));
               });
    // Not coroutines themselves: each lambda makes the change, then hands the outcome to the
    // free coroutine after_commit (STYLE 2.8.7: no capturing lambda coroutines).
    constexpr RouteOptions kAdministrators{.authenticated = true, .administrator = true};
    router.add_async(
        http::verb::put, "/api/vhosts/{vhost}",
        [&broker](RequestContext& context) {
            return after_commit(broker, put_vhost(broker, context));
        },
        kAdministrators);
    router.add_async(
        http::verb::delete_, "/api/vhosts/{vhost}",
        [&broker](RequestContext& context) {
            return after_commit(broker, delete_vhost(broker, context));
        },
        kAdministrators);
}

} // namespace warren::web
