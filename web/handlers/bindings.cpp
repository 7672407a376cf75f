// Bindings in RabbitMQ's management API shape. A binding has no name of its own: the path names
// it by source, destination and its `props` key (web/binding_props), which clients read back from
// listings or from the Location header of the POST that made it.
// POST and DELETE answer after the journal committed them (DESIGN.md 2).

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>

#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/list_query.hpp"

namespace warren::web {

namespace http = boost::beast::http;

namespace {

// The path's source and destination (q: a queue, e: an exchange) as a filter.
server::BindingFilter between(const RequestContext& context, bool to_exchange) {
    server::BindingFilter filter;
    filter.vhost = context.param("vhost");
    filter.source = exchange_from_path(context.param("source"));
    const std::string& destination = context.param("destination");
    filter.destination = to_exchange ? exchange_from_path(destination) : destination;
    filter.to_exchange = to_exchange;
    return filter;
}

// The binding the path's {props} names, or an error (not_found when there is none).
Result<server::BindingView> find_binding(const server::Broker& broker,
                                         const RequestContext& context, bool to_exchange) {
    auto bindings = broker.list_bindings(caller(context), between(context, to_exchange), {});
    if (!bindings) {
        return bindings.error();
    }
    const std::string& props = context.param("props");
    for (auto& b : bindings->items) {
        if (binding_props(b.binding.routing_key, b.binding.arguments) == props) {
            return std::move(b);
        }
    }
    return make_error(Errc::not_found, "no binding '" + props + "'");
}

HandlerResult create_binding(server::Broker& broker, const RequestContext& context,
                             bool to_exchange) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    auto fields = binding_body_from_json(*body);
    if (!fields) {
        return fields.error();
    }
    const server::BindingFilter path = between(context, to_exchange);
    const server::BindingSpec binding{*path.source, *path.destination, to_exchange,
                                      std::move(fields->routing_key), std::move(fields->arguments)};
    auto bound = broker.bind(caller(context), context.param("vhost"), binding);
    if (!bound) {
        return bound.error();
    }
    // Relative to the request path (".../q/{queue}"), as RabbitMQ answers: "{queue}/{props}".
    Response res = empty_response(http::status::created);
    res.set(http::field::location,
            percent_encode(context.param("destination")) + "/" +
                percent_encode(binding_props(binding.routing_key, binding.arguments)));
    return res;
}

HandlerResult delete_binding(server::Broker& broker, const RequestContext& context,
                             bool to_exchange) {
    auto found = find_binding(broker, context, to_exchange);
    if (!found) {
        return missing_as_404(found.error());
    }
    auto unbound = broker.unbind(caller(context), context.param("vhost"), found->binding);
    if (!unbound) {
        return missing_as_404(unbound.error());
    }
    return empty_response(http::status::no_content);
}

void register_kind(ApiRouter& router, server::Broker& broker, bool to_exchange) {
    const std::string base = std::string("/api/bindings/{vhost}/e/{source}/") +
                             (to_exchange ? "e" : "q") + "/{destination}";
    router.add(http::verb::get, base, [&broker, to_exchange](RequestContext& context) {
        return binding_list_response(broker, context, between(context, to_exchange));
    });
    // Not coroutines themselves: each lambda makes the change, then hands the outcome to the
    // free coroutine after_commit (STYLE 2.8.7: no capturing lambda coroutines).
    router.add_async(http::verb::post, base, [&broker, to_exchange](RequestContext& context) {
        return after_commit(broker, create_binding(broker, context, to_exchange));
    });
    router.add(http::verb::get, base + "/{props}",
               [&broker, to_exchange](RequestContext& context) -> HandlerResult {
                   auto found = find_binding(broker, context, to_exchange);
                   if (!found) {
                       return missing_as_404(found.error());
                   }
                   return object_response(context, binding_json(*found));
               });
    router.add_async(http::verb::delete_, base + "/{props}",
                     [&broker, to_exchange](RequestContext& context) {
                         return after_commit(broker, delete_binding(broker, context, to_exchange));
                     });
}

} // namespace

void register_binding_routes(ApiRouter& router, server::Broker& broker) {
    router.add(http::verb::get, "/api/bindings", [&broker](RequestContext& context) {
        return binding_list_response(broker, context, {});
    });
    router.add(http::verb::get, "/api/bindings/{vhost}", [&broker](RequestContext& context) {
        server::BindingFilter filter;
        filter.vhost = context.param("vhost");
        return binding_list_response(broker, context, filter);
    });
    register_kind(router, broker, false);
    register_kind(router, broker, true);
}

} // namespace warren::web
