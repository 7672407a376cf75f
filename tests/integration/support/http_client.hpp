#pragma once

// HttpClient: the integration tests' HTTP client, a thin adapter over the tools' own
// (tools/client, warren_client), so the tests speak HTTP exactly as warrenctl does. One
// connection kept alive across requests, reopened only when the server closed it, connects
// counted so tests can prove reuse; raw bytes (garbage, pipelined or half requests) on the same
// connection, answers read separately. What the adapter adds: credentials per request (guest by
// default, none, or wrong ones), 127.0.0.1:port as the server, a 5 s deadline on everything
// (so a misbehaving server fails a test instead of hanging it), JSON bodies, and a network
// failure or timeout as boost::system::system_error.
//
// Lifetime and thread: one test thread; owns its own io_context (inside client::HttpClient).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include "tools/client/http_client.hpp"

namespace warren::test {

using Credentials = client::Credentials;
using Headers = client::Headers;

inline const Credentials kGuest{"guest", "guest"};

struct HttpReply : client::HttpResponse {
    // The body parsed as JSON; throws if it is not JSON.
    boost::json::value json() const;
};

class HttpClient {
public:
    explicit HttpClient(std::uint16_t port, std::string host = "127.0.0.1");

    // One request/response on the kept-alive connection, with `auth`'s Basic credentials (none
    // for nullopt; an Authorization in `headers` then goes as it is). Throws
    // boost::system::system_error on a network failure or timeout.
    HttpReply request(boost::beast::http::verb method, std::string_view target,
                      std::string body = {}, const Headers& headers = {},
                      std::optional<Credentials> auth = kGuest);
    HttpReply get(std::string_view target, std::optional<Credentials> auth = kGuest) {
        return request(boost::beast::http::verb::get, target, {}, {}, std::move(auth));
    }

    // Raw bytes on the connection (connecting first if needed).
    void send_raw(std::string_view bytes);
    // Reads one response (to a HEAD: without a body); nullopt when the server closed the
    // connection first.
    std::optional<HttpReply> read_reply(bool to_head = false);
    // True when the server closes the connection within the timeout (reads and discards bytes).
    bool wait_closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Drops the connection.
    void disconnect() { client_.close(); }

    std::size_t connects() const { return client_.connects(); }
    void set_timeout(std::chrono::milliseconds timeout) { client_.set_timeout(timeout); }

    // "Basic base64(user:password)".
    static std::string basic_auth(const Credentials& credentials) {
        return client::basic_authorization(credentials);
    }

private:
    client::HttpClient client_;
};

} // namespace warren::test
