#include "web/ws_endpoint.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include "web/ws_handshake.hpp"

namespace warren::web {

namespace http = boost::beast::http;
namespace urls = boost::urls;

namespace {

// The decoded value of the first `key` in the target's query.
std::optional<std::string> query_param(std::string_view target, std::string_view key) {
    auto url = urls::parse_origin_form(target);
    if (!url) {
        return std::nullopt;
    }
    urls::encoding_opts query_opts(true); // '+' is a space, as in the API's own queries
    for (auto param : url->encoded_params()) {
        if (param.key.decode(query_opts) == key) {
            return param.value.decode(query_opts);
        }
    }
    return std::nullopt;
}

Response refuse(const Error& error) {
    return error_response(error);
}

} // namespace

WsEndpoint::WsEndpoint(server::Broker& broker, const BasicAuth& auth, TokenStore& tokens,
                       WsLimits limits)
    : broker_(broker), auth_(auth), tokens_(tokens), limits_(limits) {}

bool WsEndpoint::targets(const Request& request) {
    std::string_view target = request.target();
    return target.substr(0, target.find('?')) == "/ws";
}

WsEndpoint::Admission WsEndpoint::admit(const Request& request,
                                        const boost::asio::ip::tcp::endpoint& remote) const {
    if (request.method() != http::verb::get) {
        Response res = refuse(
            make_error(Errc::method_not_allowed, "Method " + std::string(request.method_string()) +
                                                     " is not allowed here; allowed: GET"));
        res.set(http::field::allow, "GET");
        return {std::nullopt, std::move(res)};
    }
    if (!boost::beast::websocket::is_upgrade(request)) {
        return {std::nullopt,
                refuse(make_error(Errc::bad_request, "expected a WebSocket upgrade"))};
    }
    if (auto refusal = check_upgrade(request)) {
        return {std::nullopt, std::move(*refusal)};
    }
    // Basic auth when the client sent the header (a failure is final: no fallback to a token).
    const auto authorization = request[http::field::authorization];
    if (!authorization.empty()) {
        auto principal = auth_.check(authorization, remote.address());
        if (!principal) {
            return {std::nullopt, refuse(principal.error())};
        }
        return {std::move(*principal), {}};
    }
    if (auto token = query_param(request.target(), "token")) {
        if (auto issued = tokens_.redeem(*token)) {
            // The user as it is now: a user deleted since the token was issued cannot log in
            // with it, and one whose tags changed logs in with the new ones.
            auto principal = broker_.current_principal(issued->name);
            if (!principal) {
                return {std::nullopt,
                        refuse(make_error(Errc::not_authorized, "Invalid or expired token"))};
            }
            return {std::move(*principal), {}};
        }
        return {std::nullopt, refuse(make_error(Errc::not_authorized, "Invalid or expired token"))};
    }
    return {std::nullopt, refuse(make_error(Errc::not_authorized, "Authentication required"))};
}

std::shared_ptr<WsSession> WsEndpoint::create(Transport stream, Principal principal) const {
    return std::make_shared<WsSession>(std::move(stream), broker_, std::move(principal), limits_);
}

} // namespace warren::web
