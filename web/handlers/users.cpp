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

HandlerResult list_users(const RequestContext& context, std::vector<const server::User*> users) {
    ListSource source;
    source.size = users.size();
    source.name = [&](std::size_t i) { return std::string_view(users[i]->name); };
    source.render = [&](std::size_t i) { return user_json(*users[i]); };
    return list_response(context, source);
}

HandlerResult list_permissions(const RequestContext& context,
                               const std::vector<const server::Permission*>& permissions) {
    ListSource source;
    source.size = permissions.size();
    source.render = [&](std::size_t i) { return permission_json(*permissions[i]); };
    return list_response(context, source);
}

HandlerResult put_user(server::Core& broker, const RequestContext& context) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    auto user = user_from_json(context.param("name"), *body);
    if (!user) {
        return user.error();
    }
    bool created = broker.users().put_user(std::move(*user));
    return empty_response(created ? http::status::created : http::status::no_content);
}

HandlerResult delete_user(server::Core& broker, const RequestContext& context) {
    if (auto deleted = broker.users().delete_user(context.param("name")); !deleted) {
        return missing_as_404(deleted.error());
    }
    return empty_response(http::status::no_content);
}

HandlerResult bulk_delete_users(server::Core& broker, const RequestContext& context) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    const json::value* users = body->if_contains("users");
    if (users == nullptr || !users->is_array()) {
        return make_error(Errc::bad_request, "'users' must be an array of user names");
    }
    for (const auto& name : users->get_array()) {
        if (!name.is_string()) {
            return make_error(Errc::bad_request, "'users' must hold only strings");
        }
    }
    for (const auto& name : users->get_array()) {
        (void)broker.users().delete_user(name.get_string()); // absent names are ignored
    }
    return empty_response(http::status::no_content);
}

HandlerResult put_permission(server::Core& broker, const RequestContext& context) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    const std::string& vhost = context.param("vhost");
    const std::string& user = context.param("user");
    auto permission = permission_from_json(user, vhost, *body);
    if (!permission) {
        return permission.error();
    }
    if (broker.find_vhost(vhost) == nullptr) {
        return make_error(Errc::bad_request, "vhost_or_user_not_found: no vhost '" + vhost + "'");
    }
    if (broker.users().find_user(user) == nullptr) {
        return make_error(Errc::bad_request, "vhost_or_user_not_found: no user '" + user + "'");
    }
    auto set = broker.users().set_permission(*permission);
    if (!set) {
        return set.error();
    }
    return empty_response(*set ? http::status::created : http::status::no_content);
}

} // namespace

void register_user_routes(ApiRouter& router, server::Core& broker) {
    router.add(
        http::verb::get, "/api/users",
        [&broker](RequestContext& context) { return list_users(context, broker.users().users()); },
        kAdministrators);
    router.add(
        http::verb::get, "/api/users/without-permissions",
        [&broker](RequestContext& context) {
            std::vector<const server::User*> users;
            for (const server::User* user : broker.users().users()) {
                if (broker.users().permissions(user->name).empty()) {
                    users.push_back(user);
                }
            }
            return list_users(context, std::move(users));
        },
        kAdministrators);
    router.add(
        http::verb::get, "/api/users/{name}",
        [&broker](RequestContext& context) -> HandlerResult {
            const server::User* user = broker.users().find_user(context.param("name"));
            if (user == nullptr) {
                return object_not_found();
            }
            return object_response(context, user_json(*user));
        },
        kAdministrators);
    router.add(
        http::verb::get, "/api/users/{name}/permissions",
        [&broker](RequestContext& context) -> HandlerResult {
            const std::string& name = context.param("name");
            if (broker.users().find_user(name) == nullptr) {
                return object_not_found();
            }
            return list_permissions(context, broker.users().permissions(name));
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
        [&broker](RequestContext& context) {
            return list_permissions(context, broker.users().permissions());
        },
        kAdministrators);
    router.add(
        http::verb::get, "/api/vhosts/{vhost}/permissions",
        [&broker](RequestContext& context) -> HandlerResult {
            const std::string& vhost = context.param("vhost");
            if (broker.find_vhost(vhost) == nullptr) {
                return object_not_found();
            }
            return list_permissions(context, broker.users().permissions(std::nullopt, vhost));
        },
        kAdministrators);
    router.add(
        http::verb::get, "/api/permissions/{vhost}/{user}",
        [&broker](RequestContext& context) -> HandlerResult {
            const server::Permission* p =
                broker.users().find_permission(context.param("user"), context.param("vhost"));
            if (p == nullptr) {
                return object_not_found();
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
            auto cleared =
                broker.users().clear_permission(context.param("user"), context.param("vhost"));
            return after_commit(broker,
                                cleared ? HandlerResult(empty_response(http::status::no_content))
                                        : missing_as_404(cleared.error()));
        },
        kAdministrators);
}

} // namespace warren::web
