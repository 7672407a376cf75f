#pragma once

// Helpers the resource handlers share: RabbitMQ's path and query conventions, answering a change
// only after its commit, and binding lists (which three resources show).

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "routing/router.hpp"
#include "server/core.hpp"
#include "server/vhost.hpp"
#include "web/api_router.hpp"

namespace warren::web {

// The default exchange "" is written "amq.default" in exchange, source and destination paths.
std::string exchange_from_path(std::string_view segment);

// "?if-unused=true" and the like.
bool query_flag(const RequestContext& context, std::string_view key);

// A GET or DELETE of something missing answers RabbitMQ's plain 404 body
// {"error":"Object Not Found","reason":"Not Found"}; any other error stays as it is.
HandlerResult missing_as_404(const Error& error);

// Answers `result` once everything the broker changed so far is committed (DESIGN.md 2), or the
// store's error if the commit failed. Errors are answered at once: they changed nothing.
boost::asio::awaitable<HandlerResult> after_commit(server::Core& broker, HandlerResult result);

// The vhosts a list shows the requesting user: all of them to administrators and monitoring
// users, else those it has permissions on (RabbitMQ's rule).
std::vector<const server::Vhost*> visible_vhosts(const server::Core& broker,
                                                 const RequestContext& context);

// The caller's permission for `access` on a queue or exchange (kind "queue" / "exchange") of the
// request's vhost; see web/permissions.
Result<void> authorize(const server::Core& broker, const RequestContext& context,
                       server::Access access, std::string_view kind, std::string_view name);

struct VhostBinding {
    const server::Vhost* vhost;
    routing::Binding binding;
};

// Every binding of a vhost in RabbitMQ's order (source, routing key, destination), including
// each queue's implicit binding from the default exchange.
std::vector<VhostBinding> bindings_of(const server::Vhost& vhost);
// Sorts in that order.
void sort_bindings(std::vector<VhostBinding>& bindings);
// A list answer (list_query parameters apply) of binding objects.
HandlerResult binding_list_response(const RequestContext& context,
                                    const std::vector<VhostBinding>& bindings);

} // namespace warren::web
