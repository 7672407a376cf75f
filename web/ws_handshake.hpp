#pragma once

// ws_handshake: the server's half of the WebSocket opening handshake (RFC 6455 4.2), which
// WsSession writes itself since it frames the connection without Beast's websocket::stream.
// check_upgrade() refuses what a 101 must not answer (no key, a key that is not 16 bytes of
// base64, a version other than 13) with the JSON error every warren refusal has; accept_key()
// and handshake_response() make the 101.
//
// Thread: any; pure.

#include <optional>
#include <string>
#include <string_view>

#include "web/api_router.hpp"
#include "web/json_error.hpp"

namespace warren::web {

// nullopt when `request` (already known to be a GET asking for an upgrade to websocket) may be
// answered with 101; else the refusal: 400, or 426 naming the version we speak.
std::optional<Response> check_upgrade(const Request& request);

// base64(SHA-1(key + the RFC's GUID)).
std::string accept_key(std::string_view key);

// The whole 101 response for `request`.
std::string handshake_response(const Request& request);

} // namespace warren::web
