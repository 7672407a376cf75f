#include "web/request_framing.hpp"

#include <boost/beast/http/field.hpp>

namespace warren::web {

namespace http = boost::beast::http;

std::optional<std::string> framing_refusal(const http::request<http::string_body>& request,
                                           bool chunked) {
    if (request.find(http::field::transfer_encoding) == request.end()) {
        return std::nullopt;
    }
    if (request.version() < 11) {
        return "Transfer-Encoding is not allowed in an HTTP/1.0 request";
    }
    if (!chunked) {
        return "Transfer-Encoding must end in chunked (RFC 9112 section 6.3); the body's length "
               "is unknown, so the connection is closed";
    }
    if (request.find(http::field::content_length) != request.end()) {
        return "a request must not have both Transfer-Encoding and Content-Length (RFC 9112 "
               "section 6.1)";
    }
    return std::nullopt;
}

} // namespace warren::web
