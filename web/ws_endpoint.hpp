#pragma once

// WsEndpoint: GET /ws, the door from HTTP to WebSocket. An HttpSession that reads a request for
// /ws asks admit() whether it may upgrade: a WebSocket upgrade (else 400 JSON, or 405 for another
// method) from an authenticated user (HTTP Basic through the same BasicAuth as /api, or a
// `token` query parameter from POST /api/auth/token; else 401 JSON, before any upgrade). Then
// create() makes the WsSession that takes the socket over.
//
// Lifetime: owned by main(), outliving the HTTP server; the broker, auth and token store outlive
// it. Thread: admit() and create() run on a session's strand (the core thread under model A);
// the token store is thread-safe.

#include <memory>
#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "server/broker.hpp"
#include "web/api_router.hpp"
#include "web/auth.hpp"
#include "web/token_store.hpp"
#include "web/transport.hpp"
#include "web/ws_session.hpp"

namespace warren::web {

class WsEndpoint {
public:
    WsEndpoint(server::Broker& broker, const BasicAuth& auth, TokenStore& tokens, WsLimits limits);

    // The request is for /ws (whatever its method and query).
    static bool targets(const Request& request);

    struct Admission {
        std::optional<Principal> principal; // set: upgrade
        Response refusal;                   // otherwise: answer this
    };
    Admission admit(const Request& request, const boost::asio::ip::tcp::endpoint& remote) const;

    // A session for an admitted request; the caller co_awaits its run(request).
    std::shared_ptr<WsSession> create(Transport transport, Principal principal) const;

    const WsLimits& limits() const { return limits_; }

private:
    server::Broker& broker_;
    const BasicAuth& auth_;
    TokenStore& tokens_;
    WsLimits limits_;
};

} // namespace warren::web
