// Vhosts in RabbitMQ's management API shape: list, show, create (PUT 201, or 204 when it exists)
// and delete (204, or 404). Creating or deleting a vhost answers after the journal committed it.

#include <boost/beast/http/verb.hpp>

#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/list_query.hpp"

namespace warren::web {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

HandlerResult list_vhosts(const server::Core& broker, const server::RateTracker& stats,
                          const NodeInfo& node, const RequestContext& context) {
    const std::vector<const server::Vhost*> vhosts = visible_vhosts(broker, context);
    ListSource source;
    source.size = vhosts.size();
    source.name = [&](std::size_t i) { return std::string_view(vhosts[i]->name()); };
    source.sort_key = [&](std::size_t i, std::string_view field) -> std::optional<json::value> {
        if (field == "name") {
            return json::value(vhosts[i]->name());
        }
        return std::nullopt; // few vhosts: the others render
    };
    source.render = [&](std::size_t i) { return vhost_json(*vhosts[i], stats, node.node); };
    return list_response(context, source);
}

HandlerResult put_vhost(server::Core& broker, const RequestContext& context) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    // description, tags, default_queue_type and tracing are checked but not kept yet.
    if (auto ok = check_vhost_body(*body); !ok) {
        return ok.error();
    }
    const std::string& name = context.param("vhost");
    auto declared = broker.declare_vhost(name);
    if (!declared) {
        return declared.error();
    }
    if (*declared == server::Declared::created) {
        // As RabbitMQ: whoever creates a vhost gets every permission on it.
        (void)broker.users().set_permission(
            server::Permission{context.principal->name, name, ".*", ".*", ".*"});
    }
    return empty_response(*declared == server::Declared::created ? http::status::created
                                                                 : http::status::no_content);
}

HandlerResult delete_vhost(server::Core& broker, const RequestContext& context) {
    auto deleted = broker.delete_vhost(context.param("vhost"));
    if (!deleted) {
        return missing_as_404(deleted.error());
    }
    return empty_response(http::status::no_content);
}

} // namespace

void register_vhost_routes(ApiRouter& router, server::Core& broker,
                           const server::RateTracker& stats, const NodeInfo& node) {
    router.add(http::verb::get, "/api/vhosts", [&broker, &stats, &node](RequestContext& context) {
        return list_vhosts(broker, stats, node, context);
    });
    router.add(http::verb::get, "/api/vhosts/{vhost}",
               [&broker, &stats, &node](RequestContext& context) -> HandlerResult {
                   const server::Vhost* vhost = broker.find_vhost(context.param("vhost"));
                   if (vhost == nullptr) {
                       return object_not_found();
                   }
                   return object_response(context, vhost_json(*vhost, stats, node.node));
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
