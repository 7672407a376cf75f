// POST /api/auth/token: a short-lived, single-use token for GET /ws?token=... (browsers cannot
// set an Authorization header on a WebSocket). The request itself is authenticated by Basic auth;
// the token logs in as the same user. Answer: {"token":"<64 hex>","expires_in":60}.

#include <boost/json/object.hpp>

#include "web/handlers/handlers.hpp"
#include "web/token_store.hpp"

namespace warren::web {

void register_auth_token_routes(ApiRouter& router, TokenStore& tokens) {
    router.add(boost::beast::http::verb::post, "/api/auth/token",
               [&tokens](RequestContext& context) -> HandlerResult {
                   auto token = tokens.issue(*context.principal); // the route is authenticated
                   if (!token) {
                       return token.error();
                   }
                   return json_response(boost::json::object{
                       {"token", std::move(*token)},
                       {"expires_in", tokens.lifetime().count()},
                   });
               });
}

} // namespace warren::web
