#pragma once

// Helpers the resource handlers share: RabbitMQ's path and query conventions, answering a change
// only after its commit, and binding lists (which three resources show).

#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "server/broker.hpp"
#include "web/api_router.hpp"

namespace warren::web {

// The default exchange "" is written "amq.default" in exchange, source and destination paths.
std::string exchange_from_path(std::string_view segment);

// "?if-unused=true" and the like.
bool query_flag(const RequestContext& context, std::string_view key);

// A GET or DELETE of something missing answers RabbitMQ's plain 404 body
// {"error":"Object Not Found","reason":"Not Found"}; any other error stays as it is.
HandlerResult missing_as_404(const Error& error);

// The caller of an authenticated route.
const server::Principal& caller(const RequestContext& context);

// Answers `result` once everything the broker changed so far is committed (DESIGN.md 2), or the
// store's error if the commit failed. Errors are answered at once: they changed nothing.
boost::asio::awaitable<HandlerResult> after_commit(server::Broker& broker, HandlerResult result);

// A list answer (list_query parameters apply) of the bindings the filter selects.
HandlerResult binding_list_response(const server::Broker& broker, const RequestContext& context,
                                    const server::BindingFilter& filter);

} // namespace warren::web
