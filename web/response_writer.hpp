#pragma once

// response_writer: how a session finishes a response (version, keep-alive, Server, length) and
// renders it for one gather write, without Beast's generic serializer (whose buffers_cat_view
// iterators took ~5 % of the core thread on the publish benchmark). The bytes are exactly the
// serializer's after finish_response(): status line, the fields in their stored order, a blank
// line, the body (tests/unit/web/response_writer_test compares them).
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

using ResponseBuffers = std::array<boost::asio::const_buffer, 2>;

// Sets what every response carries: the request's version (1.0 or 1.1), keep-alive or close,
// "Server: warren", and Content-Length (none on a 304, RFC 9110 8.6). Throws (Beast's
// prepare_payload) for a 1xx/204/304 with a body.
void finish_response(Response& response, unsigned version, bool keep_alive);

// Appends "HTTP/x.y nnn reason\r\n", every "name: value\r\n" and the final "\r\n" to `out`.
void render_head(const Response& response, std::string& out);

// Replaces `out` with the head (and a body up to kInlineBodyBytes) and returns what to write:
// `out`, then the body when it was not copied (else an empty buffer). The buffers refer to `out`
// and to the response's body: both must live until the write completes. Not for a chunked
// response (Beast's serializer writes those; warren sends none).
ResponseBuffers render_response(const Response& response, std::string& out);

// The common case without touching the response's fields (each one set is an allocation): true
// when it has none of the fields finish_response() sets (Connection, Server, Content-Length,
// Transfer-Encoding) and a status whose length is its body's (not 1xx, 204 or 304).
bool can_render_finished(const Response& response);

// render_response() of the response as finish_response(version, keep_alive) would have left it.
// Only when can_render_finished().
ResponseBuffers render_finished(const Response& response, unsigned version, bool keep_alive,
                                std::string& out);

// What to write for a response to HEAD (RFC 9110 9.3.2), from the buffers render_response() or
// render_finished() returned for it: the head alone, its Content-Length still the body's (what a
// GET would have got). A body there would be read as the start of the next response on the
// connection.
ResponseBuffers without_body(const ResponseBuffers& buffers, const Response& response);

} // namespace warren::web
