// Exchanges in RabbitMQ's management API shape: list, show, declare (PUT 201/204), delete
// (?if-unused=true) and the bindings an exchange is the source or destination of. Declares and
// deletes answer after the journal committed them (DESIGN.md 2).

#include <boost/beast/http/verb.hpp>

#include "web/handlers/common.hpp"
#include "web/handlers/handlers.hpp"
#include "web/json_codec.hpp"
#include "web/list_query.hpp"

namespace warren::web {

namespace http = boost::beast::http;

namespace {

HandlerResult list_exchanges(const server::Broker& broker, const RequestContext& context,
                             std::optional<std::string_view> vhost) {
    return list_response(
        context,
        [&](const server::ListQuery& query) {
            return broker.list_exchanges(caller(context), vhost, query);
        },
        [](const server::ExchangeView& e) { return exchange_json(e); });
}

HandlerResult put_exchange(server::Broker& broker, const RequestContext& context) {
    auto body = parse_body_object(context.request.body());
    if (!body) {
        return body.error();
    }
    auto spec = exchange_spec_from_json(exchange_from_path(context.param("name")), *body);
    if (!spec) {
        return spec.error();
    }
    auto declared = broker.declare_exchange(caller(context), context.param("vhost"), *spec);
    if (!declared) {
        return declared.error();
    }
    return empty_response(*declared == server::Declared::created ? http::status::created
                                                                 : http::status::no_content);
}

HandlerResult delete_exchange(server::Broker& broker, const RequestContext& context) {
    auto deleted = broker.delete_exchange(caller(context), context.param("vhost"),
                                          exchange_from_path(context.param("name")),
                                          query_flag(context, "if-unused"));
    if (!deleted) {
        return missing_as_404(deleted.error());
    }
    return empty_response(http::status::no_content);
}

// Bindings whose source (or, for e2e, destination) is the exchange in the path.
HandlerResult exchange_bindings(const server::Broker& broker, const RequestContext& context,
                                bool as_source) {
    server::BindingFilter filter;
    filter.vhost = context.param("vhost");
    (as_source ? filter.source : filter.destination) = exchange_from_path(context.param("name"));
    filter.to_exchange = !as_source;
    return binding_list_response(broker, context, filter);
}

} // namespace

void register_exchange_routes(ApiRouter& router, server::Broker& broker) {
    router.add(http::verb::get, "/api/exchanges", [&](RequestContext& context) {
        return list_exchanges(broker, context, std::nullopt);
    });
    router.add(http::verb::get, "/api/exchanges/{vhost}", [&](RequestContext& context) {
        return list_exchanges(broker, context, context.param("vhost"));
    });
    router.add(http::verb::get, "/api/exchanges/{vhost}/{name}",
               [&](RequestContext& context) -> HandlerResult {
                   auto exchange = broker.exchange(caller(context), context.param("vhost"),
                                                   exchange_from_path(context.param("name")));
                   if (!exchange) {
                       return missing_as_404(exchange.error());
                   }
                   return object_response(context, exchange_json(*exchange));
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
