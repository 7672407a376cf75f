#pragma once

// json_error: the one place where a warren::Error (or a protocol-level failure of the HTTP layer
// itself) becomes an HTTP status, the headers that go with it and the RabbitMQ-style body
// {"error": "<short_code>", "reason": "<sentence>"} with content-type application/json.
// Pure functions; no state, callable from any thread.

#include <string_view>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include "common/error.hpp"
#include "server/list_query.hpp"
#include "server/principal.hpp"

namespace warren::web {

using Response = boost::beast::http::response<boost::beast::http::string_body>;

// Reasons whose `error` RabbitMQ spells "not_authorised" (with an s): authenticated, but refused.
// A wrong or missing login is spelled "not_authorized". Auth uses these constants.
inline constexpr std::string_view kLoopbackOnlyReason = server::kLoopbackOnlyReason;
inline constexpr std::string_view kNotManagementUserReason = "Not management user";

// Reasons (prefixes) of list-parameter errors, whose `error` RabbitMQ spells with codes of their
// own: "invalid_pagination_parameters" and "page_out_of_range" (status 400). web/list_query and
// the broker's lists build them.
using server::kInvalidPaginationReason;
using server::kPageOutOfRangeReason;

// The status an error code is answered with.
boost::beast::http::status status_of(Errc code);

// The `error` field for an Error: to_string(code) except where RabbitMQ spells it otherwise.
std::string_view wire_error(const Error& error);

// A complete error response: status, JSON body, content-type and any header the code implies
// (WWW-Authenticate for 401, Retry-After for 503). The session sets version and keep-alive.
Response error_response(const Error& error);

// An error response for failures of HTTP itself, which have no Errc (431, the 404 of an unknown
// path spelled as RabbitMQ spells it). Same body shape.
Response error_response(boost::beast::http::status status, std::string_view error,
                        std::string_view reason);

// RabbitMQ's body for any 404 without details: {"error":"Object Not Found","reason":"Not Found"}.
Response object_not_found();

} // namespace warren::web
