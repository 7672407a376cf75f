// GET /api/whoami: the authenticated user, as RabbitMQ 3.9+ answers it (tags as an array).

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "web/handlers/handlers.hpp"

namespace warren::web {

void register_whoami_routes(ApiRouter& router) {
    router.add(boost::beast::http::verb::get, "/api/whoami",
               [](RequestContext& context) -> HandlerResult {
                   const Principal& who = *context.principal; // the route is authenticated
                   boost::json::array tags(who.tags.begin(), who.tags.end());
                   return json_response(boost::json::object{
                       {"name", who.name},
                       {"tags", std::move(tags)},
                       {"is_internal_user", who.is_internal_user},
                   });
               });
}

} // namespace warren::web
