#pragma once

// ServerUrl: where a warren server is, parsed from `http://host[:port][/prefix]` or
// `https://host[:port][/prefix]` (the scheme may be left out: `host:port` is plain HTTP). The
// prefix (a reverse proxy's mount point) goes before every API path and /ws. User info in the URL
// (`http://user:pass@host`) is kept for the caller to use as credentials. Pure; no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace warren::client {

struct ServerUrl {
    std::string host;        // a name or an address; IPv6 without brackets
    std::uint16_t port = 80; // 80 (443 for https) when the URL names none, as URLs mean
    bool tls = false;        // https: the API over TLS, and /ws as wss
    std::string prefix;      // "" or "/path" without a trailing slash, still percent-encoded
    std::optional<std::string> user;
    std::optional<std::string> password;

    // "host:port" for the Host header ("[::1]:port" for IPv6).
    std::string authority() const;
    // "http" or "https".
    std::string_view scheme() const { return tls ? "https" : "http"; }
    // "http://host:port/prefix" (or https://...), without the user info: for messages.
    std::string display() const;
    // prefix + path ("/api/overview" -> "/mq/api/overview").
    std::string target(std::string_view path) const;
};

// A sentence saying what is wrong when `text` is not such a URL.
boost::system::result<ServerUrl, std::string> parse_server_url(std::string_view text);

// Percent-encodes every byte but RFC 3986's unreserved ones: one path segment ("/" -> "%2F").
std::string encode_segment(std::string_view segment);

// Percent-encodes a query value ('+' stays out: a space becomes %20).
inline std::string encode_query_value(std::string_view value) {
    return encode_segment(value);
}

} // namespace warren::client
