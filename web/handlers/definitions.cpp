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

HandlerResult import_definitions(server::Broker& broker, const RequestContext& context,
                                 bool per_vhost) {
    auto parsed = parse_client_json(context.request.body(), "the definitions document");
    if (!parsed) {
        return parsed.error();
    }
    const json::value& doc = *parsed;
    if (!doc.is_object()) {
        return make_error(Errc::bad_request, "the definitions must be a JSON object");
    }
    std::optional<std::string_view> vhost;
    if (per_vhost) {
        vhost = context.param("vhost");
        if (!broker.vhost(caller(context), *vhost)) {
            return object_not_found();
        }
    }
    auto definitions =
        definitions_from_json(doc.get_object(), per_vhost ? &context.param("vhost") : nullptr);
    if (!definitions) {
        return definitions.error();
    }
    if (auto imported = broker.import_definitions(caller(context), *definitions, vhost);
        !imported) {
        return missing_as_404(imported.error());
    }
    return empty_response(http::status::no_content);
}

HandlerResult export_definitions(const server::Broker& broker, const RequestContext& context,
                                 bool per_vhost) {
    std::optional<std::string_view> vhost;
    if (per_vhost) {
        vhost = context.param("vhost");
    }
    auto definitions = broker.export_definitions(caller(context), vhost);
    if (!definitions) {
        return missing_as_404(definitions.error());
    }
    return json_response(definitions_document(*definitions, per_vhost));
}

} // namespace

void register_definition_routes(ApiRouter& router, server::Broker& broker) {
    router.add(
        http::verb::get, "/api/definitions",
        [&broker](RequestContext& context) { return export_definitions(broker, context, false); },
        kAdministrators);
    router.add(
        http::verb::get, "/api/definitions/{vhost}",
        [&broker](RequestContext& context) { return export_definitions(broker, context, true); },
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
