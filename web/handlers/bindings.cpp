// Bindings in RabbitMQ's management API shape. A binding has no name of its own: the path names
// it by source, destination and its `props` key (web/json_codec: binding_props), which clients
// read back from listings or from the Location header of the POST that made it.
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

using Kind = routing::Destination::Kind;

// The bindings from the path's source to its destination (in RabbitMQ's order), or nothing when
// the vhost, the source or the destination does not exist.
std::optional<std::vector<VhostBinding>>
bindings_between(const server::Core& broker, const RequestContext& context, Kind kind) {
    const server::Vhost* vhost = broker.find_vhost(context.param("vhost"));
    if (vhost == nullptr) {
        return std::nullopt;
    }
    const std::string source = exchange_from_path(context.param("source"));
    const std::string destination = kind == Kind::queue
                                        ? context.param("destination")
                                        : exchange_from_path(context.param("destination"));
    const bool destination_exists = kind == Kind::queue
                                        ? vhost->find_queue(destination) != nullptr
                                        : vhost->find_exchange(destination) != nullptr;
    if (vhost->find_exchange(source) == nullptr || !destination_exists) {
        return std::nullopt;
    }
    std::vector<VhostBinding> out;
    if (source.empty() && kind == Kind::queue) {
        out.push_back(VhostBinding{vhost, implicit_binding(destination)});
    }
    for (const auto& b : vhost->router().bindings_from(source)) {
        if (b.destination.kind == kind && b.destination.name == destination) {
            out.push_back(VhostBinding{vhost, b});
        }
    }
    sort_bindings(out);
    return out;
}

std::optional<VhostBinding> find_binding(const server::Core& broker, const RequestContext& context,
                                         Kind kind) {
    auto bindings = bindings_between(broker, context, kind);
    if (!bindings) {
        return std::nullopt;
    }
    const std::string& props = context.param("props");
    for (auto& b : *bindings) {
        if (binding_props(b.binding.routing_key, b.binding.arguments) == props) {
            return std::move(b);
        }
    }
    return std::nullopt;
}

HandlerResult list_between(const server::Core& broker, const RequestContext& context, Kind kind) {
    auto bindings = bindings_between(broker, context, kind);
    if (!bindings) {
        return object_not_found();
    }
    return binding_list_response(context, *bindings);
}

// As RabbitMQ's queue.bind / exchange.bind: write on the destination, read on the source.
Result<void> authorize_binding(const server::Core& broker, const RequestContext& context,
                               const routing::Binding& binding) {
    const bool to_queue = binding.destination.kind == Kind::queue;
    if (auto allowed = authorize(broker, context, server::Access::write,
                                 to_queue ? "queue" : "exchange", binding.destination.name);
        !allowed) {
        return allowed;
    }
    return authorize(broker, context, server::Access::read, "exchange", binding.source);
}

HandlerResult create_binding(server::Core& broker, const RequestContext& context, Kind kind) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    auto fields = binding_body_from_json(*body);
    if (!fields) {
        return fields.error();
    }
    const std::string& destination_segment = context.param("destination");
    routing::Binding binding{
        exchange_from_path(context.param("source")),
        routing::Destination{kind, kind == Kind::queue ? destination_segment
                                                       : exchange_from_path(destination_segment)},
        std::move(fields->routing_key), std::move(fields->arguments)};
    if (auto allowed = authorize_binding(broker, context, binding); !allowed) {
        return allowed.error();
    }
    auto bound = broker.bind(context.param("vhost"), binding);
    if (!bound) {
        return bound.error();
    }
    // Relative to the request path (".../q/{queue}"), as RabbitMQ answers: "{queue}/{props}".
    Response res = empty_response(http::status::created);
    res.set(http::field::location,
            percent_encode(destination_segment) + "/" +
                percent_encode(binding_props(binding.routing_key, binding.arguments)));
    return res;
}

HandlerResult delete_binding(server::Core& broker, const RequestContext& context, Kind kind) {
    auto found = find_binding(broker, context, kind);
    if (!found) {
        return object_not_found();
    }
    if (auto allowed = authorize_binding(broker, context, found->binding); !allowed) {
        return allowed.error();
    }
    auto unbound = broker.unbind(context.param("vhost"), found->binding);
    if (!unbound) {
        return missing_as_404(unbound.error());
    }
    return empty_response(http::status::no_content);
}

void register_kind(ApiRouter& router, server::Core& broker, Kind kind) {
    const std::string base = std::string("/api/bindings/{vhost}/e/{source}/") +
                             (kind == Kind::queue ? "q" : "e") + "/{destination}";
    router.add(http::verb::get, base, [&broker, kind](RequestContext& context) {
        return list_between(broker, context, kind);
    });
    // Not coroutines themselves: each lambda makes the change, then hands the outcome to the
    // free coroutine after_commit (STYLE 2.8.7: no capturing lambda coroutines).
    router.add_async(http::verb::post, base, [&broker, kind](RequestContext& context) {
        return after_commit(broker, create_binding(broker, context, kind));
    });
    router.add(http::verb::get, base + "/{props}",
               [&broker, kind](RequestContext& context) -> HandlerResult {
                   auto found = find_binding(broker, context, kind);
                   if (!found) {
                       return object_not_found();
                   }
                   return object_response(context,
                                          binding_json(found->vhost->name(), found->binding));
               });
    router.add_async(http::verb::delete_, base + "/{props}",
                     [&broker, kind](RequestContext& context) {
                         return after_commit(broker, delete_binding(broker, context, kind));
                     });
}

} // namespace

void register_binding_routes(ApiRouter& router, server::Core& broker) {
    router.add(http::verb::get, "/api/bindings", [&broker](RequestContext& context) {
        std::vector<VhostBinding> all;
        for (const server::Vhost* vhost : visible_vhosts(broker, context)) {
            auto bindings = bindings_of(*vhost);
            all.insert(all.end(), std::make_move_iterator(bindings.begin()),
                       std::make_move_iterator(bindings.end()));
        }
        return binding_list_response(context, all);
    });
    router.add(http::verb::get, "/api/bindings/{vhost}", [&broker](RequestContext& context) {
        const server::Vhost* vhost = broker.find_vhost(context.param("vhost"));
        if (vhost == nullptr) {
            return HandlerResult(object_not_found());
        }
        return binding_list_response(context, bindings_of(*vhost));
    });
    register_kind(router, broker, Kind::queue);
    register_kind(router, broker, Kind::exchange);
}

} // namespace warren::web
