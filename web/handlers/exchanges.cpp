// Exchanges in RabbitMQ's management API shape: list, show, declare (PUT 201/204), delete
// (?if-unused=true) and the bindings an exchange is the source or destination of. Declares and
// deletes answer after the journal committed them (DESIGN.md 2).

#include <boost/beast/http/verb.hpp>
#include <boost/json/serialize.hpp>

#include "server/names.hpp"
#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/list_query.hpp"

namespace warren::web {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

struct ExchangeRef {
    const server::Vhost* vhost;
    const server::ExchangeState* exchange;
};

HandlerResult list_exchanges(const RequestContext& context, const server::RateTracker& stats,
                             const std::vector<const server::Vhost*>& vhosts) {
    std::vector<ExchangeRef> refs;
    for (const server::Vhost* vhost : vhosts) {
        for (const auto& [name, exchange] : vhost->exchanges()) {
            refs.push_back(ExchangeRef{vhost, &exchange});
        }
    }
    ListSource source;
    source.size = refs.size();
    source.name = [&](std::size_t i) { return std::string_view(refs[i].exchange->spec.name); };
    source.sort_key = [&](std::size_t i, std::string_view field) -> std::optional<json::value> {
        const server::ExchangeState& e = *refs[i].exchange;
        if (field == "name") {
            return json::value(e.spec.name);
        }
        if (field == "vhost") {
            return json::value(refs[i].vhost->name());
        }
        if (field == "type") {
            return json::value(routing::to_string(e.spec.type));
        }
        if (field == "message_stats.publish_in") {
            return json::value(e.stats.publish_in);
        }
        if (field == "message_stats.publish_out") {
            return json::value(e.stats.publish_out);
        }
        return std::nullopt;
    };
    source.render = [&](std::size_t i) {
        const ExchangeRef& ref = refs[i];
        return exchange_json(ref.vhost->name(), *ref.exchange,
                             stats.exchange_rates(ref.vhost->name(), ref.exchange->spec.name));
    };
    return list_response(context, source);
}

bool same_declaration(const server::ExchangeSpec& a, const server::ExchangeSpec& b) {
    return a.type == b.type && a.durable == b.durable && a.auto_delete == b.auto_delete &&
           a.internal == b.internal && a.arguments == b.arguments;
}

HandlerResult put_exchange(server::Core& broker, const RequestContext& context) {
    const std::string& vhost = context.param("vhost");
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    auto spec = exchange_spec_from_json(exchange_from_path(context.param("name")), *body);
    if (!spec) {
        return spec.error();
    }
    if (auto allowed =
            authorize(broker, context, server::Access::configure, "exchange", spec->name);
        !allowed) {
        return allowed.error();
    }
    // Redeclaring a built-in exchange exactly as it is is allowed (RabbitMQ answers 204); any
    // other declare of an "amq." name is refused by the broker.
    if (const server::Vhost* v = broker.find_vhost(vhost);
        v != nullptr && server::is_reserved_name(spec->name)) {
        const server::ExchangeState* existing = v->find_exchange(spec->name);
        if (existing != nullptr && same_declaration(existing->spec, *spec)) {
            return empty_response(http::status::no_content);
        }
    }
    auto declared = broker.declare_exchange(vhost, *spec);
    if (!declared) {
        return declared.error();
    }
    return empty_response(*declared == server::Declared::created ? http::status::created
                                                                 : http::status::no_content);
}

HandlerResult delete_exchange(server::Core& broker, const RequestContext& context) {
    if (auto allowed = authorize(broker, context, server::Access::configure, "exchange",
                                 exchange_from_path(context.param("name")));
        !allowed) {
        return allowed.error();
    }
    auto deleted =
        broker.delete_exchange(context.param("vhost"), exchange_from_path(context.param("name")),
                               query_flag(context, "if-unused"));
    if (!deleted) {
        return missing_as_404(deleted.error());
    }
    return empty_response(http::status::no_content);
}

// Bindings whose source (or, for e2e, destination) is the exchange in the path.
HandlerResult exchange_bindings(const server::Core& broker, const RequestContext& context,
                                bool as_source) {
    const server::Vhost* vhost = broker.find_vhost(context.param("vhost"));
    const std::string name = exchange_from_path(context.param("name"));
    if (vhost == nullptr || vhost->find_exchange(name) == nullptr) {
        return object_not_found();
    }
    std::vector<VhostBinding> bindings;
    if (as_source) {
        if (name.empty()) {
            for (const auto& [queue, q] : vhost->queues()) {
                bindings.push_back(VhostBinding{vhost, implicit_binding(queue)});
            }
        }
        for (const auto& b : vhost->router().bindings_from(name)) {
            bindings.push_back(VhostBinding{vhost, b});
        }
    } else {
        for (auto& b : vhost->router().bindings_to(routing::Destination::exchange(name))) {
            bindings.push_back(VhostBinding{vhost, std::move(b)});
        }
    }
    sort_bindings(bindings);
    return binding_list_response(context, bindings);
}

} // namespace

void register_exchange_routes(ApiRouter& router, server::Core& broker,
                              const server::RateTracker& stats) {
    router.add(http::verb::get, "/api/exchanges", [&](RequestContext& context) {
        return list_exchanges(context, stats, visible_vhosts(broker, context));
    });
    router.add(http::verb::get, "/api/exchanges/{vhost}", [&](RequestContext& context) {
        const server::Vhost* vhost = broker.find_vhost(context.param("vhost"));
        if (vhost == nullptr) {
            return HandlerResult(object_not_found());
        }
        return list_exchanges(context, stats, {vhost});
    });
    router.add(http::verb::get, "/api/exchanges/{vhost}/{name}",
               [&](RequestContext& context) -> HandlerResult {
                   const server::Vhost* vhost = broker.find_vhost(context.param("vhost"));
                   const std::string name = exchange_from_path(context.param("name"));
                   const server::ExchangeState* exchange =
                       vhost ? vhost->find_exchange(name) : nullptr;
                   if (exchange == nullptr) {
                       return object_not_found();
                   }
                   return object_response(context,
                                          exchange_json(vhost->name(), *exchange,
                                                        stats.exchange_rates(vhost->name(), name)));
               });
    // Not coroutines themselves: each lambda makes the change, then hands the outcome to the
    // free coroutine after_commit (STYLE 2.8.7: no capturing lambda coroutines).
    router.add_async(http::verb::put, "/api/exchanges/{vhost}/{name}",
                     [&](RequestContext& context) {
                         return after_commit(broker, put_exchange(broker, context));
                     });
    router.add_async(http::verb::delete_, "/api/exchanges/{vhost}/{name}",
                     [&](RequestContext& context) {
                         return after_commit(broker, delete_exchange(broker, context));
                     });
    router.add(http::verb::get, "/api/exchanges/{vhost}/{name}/bindings/source",
               [&](RequestContext& context) { return exchange_bindings(broker, context, true); });
    router.add(http::verb::get, "/api/exchanges/{vhost}/{name}/bindings/destination",
               [&](RequestContext& context) { return exchange_bindings(broker, context, false); });
}

} // namespace warren::web
