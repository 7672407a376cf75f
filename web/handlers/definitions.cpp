// Definitions in RabbitMQ's format, for administrators:
//   GET  /api/definitions          users, vhosts, permissions, exchanges, queues, bindings
//   POST /api/definitions          imports such a document (RabbitMQ's exports included)
//   GET|POST /api/definitions/{vhost}   one vhost's exchanges, queues and bindings, without the
//                                       "vhost" fields
// Export leaves out what cannot be declared again: the built-in "amq." exchanges, exclusive
// queues and the default exchange's implicit bindings.
// Import checks the whole document first (JSON types, names, vhosts that exist or are in the
// document, users of permissions, regexes, password hashes) and changes nothing when any of it is
// wrong. Then it declares in dependency order; an object that already exists is kept as it is,
// as RabbitMQ's import does. Sections warren has no counterpart for (policies, parameters, topic
// permissions) are ignored with a warning in the log. The answer waits for the commit.

#include <boost/beast/http/verb.hpp>
#include <boost/json/parse.hpp>

#include "web/handlers/common.hpp"
#include "web/handlers/definitions_export.hpp"
#include "web/handlers/definitions_import.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"

namespace warren::web {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr RouteOptions kAdministrators{.authenticated = true, .administrator = true};

HandlerResult import_definitions(server::Core& broker, const RequestContext& context,
                                 bool per_vhost) {
    auto parsed = parse_client_json(context.request.body(), "the definitions document");
    if (!parsed) {
        return parsed.error();
    }
    const json::value& doc = *parsed;
    if (!doc.is_object()) {
        return make_error(Errc::bad_request, "the definitions must be a JSON object");
    }
    const std::string* path_vhost = nullptr;
    if (per_vhost) {
        path_vhost = &context.param("vhost");
        if (broker.find_vhost(*path_vhost) == nullptr) {
            return object_not_found();
        }
    }
    auto plan = plan_import(broker, doc.get_object(), path_vhost);
    if (!plan) {
        return plan.error();
    }
    return apply_import(broker, *plan, *context.principal);
}

} // namespace

void register_definition_routes(ApiRouter& router, server::Core& broker) {
    router.add(
        http::verb::get, "/api/definitions",
        [&broker](RequestContext&) -> HandlerResult {
            return json_response(definitions_document(broker, nullptr));
        },
        kAdministrators);
    router.add(
        http::verb::get, "/api/definitions/{vhost}",
        [&broker](RequestContext& context) -> HandlerResult {
            const server::Vhost* vhost = broker.find_vhost(context.param("vhost"));
            if (vhost == nullptr) {
                return object_not_found();
            }
            return json_response(definitions_document(broker, vhost));
        },
        kAdministrators);
    router.add_async(
        http::verb::post, "/api/definitions",
        [&broker](RequestContext& context) {
            return after_commit(broker, import_definitions(broker, context, false));
        },
        kAdministrators);
    router.add_async(
        http::verb::post, "/api/definitions/{vhost}",
        [&broker](RequestContext& context) {
            return after_commit(broker, import_definitions(broker, context, true));
        },
        kAdministrators);
}

} // namespace warren::web
