#include "web/handlers/common.hpp"

#include <algorithm>
#include <tuple>

#include <boost/json/serialize.hpp>

#include "web/commit.hpp"
#include "web/json_codec.hpp"
#include "web/list_query.hpp"
#include "web/permissions.hpp"

namespace warren::web {

std::string exchange_from_path(std::string_view segment) {
    return segment == "amq.default" ? std::string() : std::string(segment);
}

bool query_flag(const RequestContext& context, std::string_view key) {
    return context.query_param(key) == "true";
}

HandlerResult missing_as_404(const Error& error) {
    if (error.code == Errc::not_found) {
        return object_not_found();
    }
    return error;
}

boost::asio::awaitable<HandlerResult> after_commit(server::Core& broker, HandlerResult result) {
    if (!result) {
        co_return result;
    }
    Result<void> committed = co_await wait_for_commit(broker);
    if (!committed) {
        co_return HandlerResult(committed.error());
    }
    co_return result;
}

std::vector<const server::Vhost*> visible_vhosts(const server::Core& broker,
                                                 const RequestContext& context) {
    std::vector<const server::Vhost*> vhosts = broker.vhosts();
    if (context.principal && !sees_all_vhosts(*context.principal)) {
        std::erase_if(vhosts, [&](const server::Vhost* v) {
            return !broker.users().can_access(context.principal->name, v->name());
        });
    }
    return vhosts;
}

Result<void> authorize(const server::Core& broker, const RequestContext& context,
                       server::Access access, std::string_view kind, std::string_view name) {
    const std::string& vhost = context.param("vhost");
    if (broker.find_vhost(vhost) == nullptr) {
        return {}; // the handler answers 404
    }
    return check_permission(broker.users(), *context.principal, vhost, access, kind, name);
}

std::vector<VhostBinding> bindings_of(const server::Vhost& vhost) {
    std::vector<VhostBinding> out;
    for (const auto& [name, queue] : vhost.queues()) {
        out.push_back(VhostBinding{&vhost, implicit_binding(name)});
    }
    for (const auto& [name, exchange] : vhost.exchanges()) {
        for (const auto& binding : vhost.router().bindings_from(name)) {
            out.push_back(VhostBinding{&vhost, binding});
        }
    }
    sort_bindings(out);
    return out;
}

void sort_bindings(std::vector<VhostBinding>& bindings) {
    // RabbitMQ keeps bindings ordered as (source, key, destination, arguments); an exchange
    // destination sorts before a queue one there ('exchange' < 'queue').
    auto key = [](const VhostBinding& b) {
        const int kind = b.binding.destination.kind == routing::Destination::Kind::exchange ? 0 : 1;
        return std::make_tuple(std::string_view(b.vhost->name()),
                               std::string_view(b.binding.source),
                               std::string_view(b.binding.routing_key), kind,
                               std::string_view(b.binding.destination.name));
    };
    std::stable_sort(bindings.begin(), bindings.end(),
                     [&](const VhostBinding& a, const VhostBinding& b) {
                         auto ka = key(a);
                         auto kb = key(b);
                         if (ka != kb) {
                             return ka < kb;
                         }
                         return boost::json::serialize(a.binding.arguments) <
                                boost::json::serialize(b.binding.arguments);
                     });
}

HandlerResult binding_list_response(const RequestContext& context,
                                    const std::vector<VhostBinding>& bindings) {
    ListSource source;
    source.size = bindings.size();
    source.render = [&](std::size_t i) {
        return binding_json(bindings[i].vhost->name(), bindings[i].binding);
    };
    return list_response(context, source);
}

} // namespace warren::web
