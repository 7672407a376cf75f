#include "web/handlers/common.hpp"

#include "web/commit.hpp"
#include "web/json_codec.hpp"
#include "web/list_query.hpp"

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

const server::Principal& caller(const RequestContext& context) {
    return *context.principal;
}

boost::asio::awaitable<HandlerResult> after_commit(server::Broker& broker, HandlerResult result) {
    if (!result) {
        co_return result;
    }
    Result<void> committed = co_await wait_for_commit(broker);
    if (!committed) {
        co_return HandlerResult(committed.error());
    }
    co_return result;
}

HandlerResult binding_list_response(const server::Broker& broker, const RequestContext& context,
                                    const server::BindingFilter& filter) {
    return list_response(
        context,
        [&](const server::ListQuery& query) {
            return broker.list_bindings(caller(context), filter, query);
        },
        [](const server::BindingView& b) { return binding_json(b); });
}

} // namespace warren::web
