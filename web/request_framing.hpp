#pragma once

// request_framing: the RFC 9112 section 6 rules on how a request's body is framed that Beast's
// parser leaves to its user. Beast reads a body as chunked when Transfer-Encoding ends in
// "chunked", by Content-Length otherwise, and as empty when neither applies; a request whose
// Transfer-Encoding ends in anything else ("gzip", "identity", "xchunked", "chunked, identity")
// would then have its body read as the next request on the connection: request smuggling behind
// any proxy that frames the body the other way. Such requests are refused (400) and the
// connection closed (section 6.3), as are a Transfer-Encoding next to a Content-Length (6.1) and
// a Transfer-Encoding on HTTP/1.0 (6.1).
//
// Pure; called once per request, after its header is parsed and before any of its body is read.

#include <optional>
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace warren::web {

// nullopt: the framing is unambiguous. Otherwise the reason to refuse it (the caller answers
// 400 and closes the connection without reading on).
std::optional<std::string>
framing_refusal(const boost::beast::http::request<boost::beast::http::string_body>& request,
                bool chunked);

} // namespace warren::web
