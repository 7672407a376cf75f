// Users and permissions in RabbitMQ 3.10's management API shape, for administrators only:
//   GET /api/users, GET /api/users/without-permissions, GET|PUT|DELETE /api/users/{name},
//   GET /api/users/{name}/permissions, POST /api/users/bulk-delete,
//   GET /api/permissions, GET /api/vhosts/{vhost}/permissions,
//   GET|PUT|DELETE /api/permissions/{vhost}/{user}.
// Changes answer after their commit, like every other definition.

#include <boost/beast/http/verb.hpp>
#include <boost/json/array.hpp>

#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/list_query.hpp"
#include "web/user_codec.hpp"

namespace warren::web {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr RouteOptions kAdministrators{.authenticated = true, .administrator = true};

HandlerResult list_users(const server::Broker& broker, const RequestContext& context,
                         bool without_permissions) {
    return list_response(
        context,
        [&](const server::ListQuery& query) {
            return broker.list_users(caller(context), query, without_permissions);
        },
        [](const server::User& u) { return user_json(u); });
}

HandlerResult list_permissions(const server::Broker& broker, const RequestContext& context,
                               const server::PermissionFilter& filter) {
    return list_response(
        context,
        [&](const server::ListQuery& query) {
            return broker.list_permissions(caller(context), filter, query);
        },
        [](const server::Permission& p) { return permission_json(p); });
}

HandlerResult created_or_not(const Result<server::Declared>& declared) {
    if (!declared) {
        return declared.error();
    }
    return empty_response(*declared == server::Declared::created ? http::status::created
                                                                 : http::status::no_content);
}

HandlerResult put_user(server::Broker& broker, const RequestContext& context) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    auto user = user_spec_from_json(context.param("name"), *body);
    if (!user) {
        return user.error();
    }
    return created_or_not(broker.put_user(caller(context), *user));
}

HandlerResult delete_user(server::Broker& broker, const RequestContext& context) {
    if (auto deleted = broker.delete_user(caller(context), context.param("name")); !deleted) {
        return missing_as_404(deleted.error());
    }
    return empty_response(http::status::no_content);
}

HandlerResult bulk_delete_users(server::Broker& broker, const RequestContext& context) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    const json::value* users = body->if_contains("users");
    if (users == nullptr || !users->is_array()) {
        return make_error(Errc::bad_request, "'users' must be an array of user names");
    }
    std::vector<std::string> names;
    for (const auto& name : users->get_array()) {
        if (!name.is_string()) {
            return make_error(Errc::bad_request, "'users' must hold only strings");
        }
        names.emplace_back(name.get_string());
    }
    if (auto deleted = broker.delete_users(caller(context), names); !deleted) {
        return deleted.error();
    }
    return empty_response(http::status::no_content);
}

HandlerResult put_permission(server::Broker& broker, const RequestContext& context) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    auto permission = permission_from_json(context.param("user"), context.param("vhost"), *body);
    if (!permission) {
        return permission.error();
    }
    return created_or_not(broker.set_permission(caller(context), *permission));
}

} // namespace

void register_user_routes(ApiRouter& router, server::Broker& broker) {
    router.add(
        http::verb::get, "/api/users",
        [&broker](RequestContext& context) { return list_users(broker, context, false); },
        kAdministrators);
    router.add(
        http::verb::get, "/api/users/without-permissions",
        [&broker](RequestContext& context) { return list_users(broker, context, true); },
        kAdministrators);
    router.add(
        http::verb::get, "/api/users/{name}",
        [&broker](RequestContext& context) -> HandlerResult {
            auto user = broker.user(caller(context), context.param("name"));
            if (!user) {
                return missing_as_404(user.error());
            }
            return object_response(context, user_json(*user));
        },
        kAdministrators);
    router.add(
        http::verb::get, "/api/users/{name}/permissions",
        [&broker](RequestContext& context) {
            server::PermissionFilter filter;
            filter.user = context.param("name");
            return list_permissions(broker, context, filter);
        },
        kAdministrators);
    router.add_async(
        http::verb::put, "/api/users/{name}",
        [&broker](RequestContext& context) {
            return after_commit(broker, put_user(broker, context));
        },
        kAdministrators);
    router.add_async(
        http::verb::delete_, "/api/users/{name}",
        [&broker](RequestContext& context) {
            return after_commit(broker, delete_user(broker, context));
        },
        kAdministrators);
    router.add_async(
        http::verb::post, "/api/users/bulk-delete",
        [&broker](RequestContext& context) {
            return after_commit(broker, bulk_delete_users(broker, context));
        },
        kAdministrators);

    router.add(
        http::verb::get, "/api/permissions",
        [&broker](RequestContext& context) { return list_permissions(broker, context, {}); },
        kAdministrators);
    router.add(
        http::verb::get, "/api/vhosts/{vhost}/permissions",
        [&broker](RequestContext& context) {
            server::PermissionFilter filter;
            filter.vhost = context.param("vhost");
            return list_permissions(broker, context, filter);
        },
        kAdministrators);
    router.add(
        http::verb::get, "/api/permissions/{vhost}/{user}",
        [&broker](RequestContext& context) -> HandlerResult {
            auto p =
                broker.permission(caller(context), context.param("user"), context.param("vhost"));
            if (!p) {
                return missing_as_404(p.error());
            }
            return object_response(context, permission_json(*p));
        },
        kAdministrators);
    router.add_async(
        http::verb::put, "/api/permissions/{vhost}/{user}",
        [&broker](RequestContext& context) {
            return after_commit(broker, put_permission(broker, context));
        },
        kAdministrators);
    router.add_async(
        http::verb::delete_, "/api/permissions/{vhost}/{user}",
        [&broker](RequestContext& context) -> boost::asio::awaitable<HandlerResult> {
            auto cleared = broker.clear_permission(caller(context), context.param("user"),
                                                   context.param("vhost"));
            return after_commit(broker,
                                cleared ? HandlerResult(empty_response(http::status::no_content))
                                        : missing_as_404(cleared.error()));
        },
        kAdministrators);
}

} // namespace warren::web
