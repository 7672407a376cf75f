#include "tools/warrenctl/ws_frames.hpp"

#include <boost/json/parse.hpp>

namespace warren::ctl {

namespace json = boost::json;

std::unique_ptr<client::WsClient> connect_ws(Context& ctx) {
    try {
        return std::make_unique<client::WsClient>(ctx.settings().url, ctx.settings().credentials,
                                                  ctx.tls());
    } catch (const client::UpgradeRefused& refused) {
        client::HttpResponse response;
        response.status = refused.status;
        response.body = refused.body;
        throw failure_of(response, {});
    }
}

json::object parse_frame(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) {
        throw Failure{kExitError, "the server sent a frame that is not a JSON object"};
    }
    return std::move(v.get_object());
}

Failure failure_of_frame(const json::object& frame) {
    auto text = [&](std::string_view key) {
        const json::value* v = frame.if_contains(key);
        return v && v->is_string() ? std::string(v->get_string()) : std::string();
    };
    const std::string error = text("error").empty() ? "error" : text("error");
    return Failure{error == "not_found" ? kExitNotFound : kExitError,
                   error + ": " + text("reason")};
}

} // namespace warren::ctl
