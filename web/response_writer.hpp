#pragma once

// response_writer: renders a Response for one gather write, without Beast's generic serializer
// (whose buffers_cat_view iterators took ~5 % of the core thread on the publish benchmark). The
// bytes are exactly the serializer's: status line, the fields in their stored order, a blank
// line, the body. Beast's serializer is still needed for chunked bodies, which warren never
// sends (every body is a sized string): callers check chunked() first.
//
// Pure functions; `out` is the caller's scratch buffer, reused across the responses of one
// connection so that rendering allocates nothing in the steady state.

#include <array>
#include <cstddef>
#include <string>

#include <boost/asio/buffer.hpp>

#include "web/json_error.hpp"

namespace warren::web {

// Bodies up to this size are copied behind the head, so that the response is one buffer.
inline constexpr std::size_t kInlineBodyBytes = 4096;

// Appends "HTTP/x.y nnn reason\r\n", every "name: value\r\n" and the final "\r\n" to `out`.
void render_head(const Response& response, std::string& out);

// Replaces `out` with the head (and a body up to kInlineBodyBytes) and returns what to write:
// `out`, then the body when it was not copied (else an empty buffer). The buffers refer to `out`
// and to the response's body: both must live until the write completes. Not for chunked().
std::array<boost::asio::const_buffer, 2> render_response(const Response& response,
                                                         std::string& out);

} // namespace warren::web
