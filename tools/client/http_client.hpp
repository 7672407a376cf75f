#pragma once

// HttpClient: a synchronous HTTP/1.1 client over Beast for warrenctl (and other tools), over
// plain TCP for http:// URLs and TLS for https:// (common/transport, opened by
// open_connection). One connection, kept alive across requests and reopened when the server
// closed it; every request has a deadline. A transport failure throws TransportError (a refused
// certificate CertificateError); an HTTP answer (any status) is returned as it came.
//
// Below request(), the connection can be driven by hand: send_raw() writes bytes as they are
// (pipelined requests, or ones this class would not build) and read_response() reads the next
// answer; the integration tests probe the server's HTTP parser that way.
//
// Lifetime and thread: one thread; owns its io_context. Not copyable.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/system/error_code.hpp>

#include "common/transport.hpp"
#include "tools/client/server_url.hpp"
#include "tools/client/tls.hpp"

namespace warren::client {

struct Credentials {
    std::string user;
    std::string password;
};

// "Basic base64(user:password)".
std::string basic_authorization(const Credentials& credentials);

// Header fields a request adds to (or replaces among) the client's own.
using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
    unsigned status = 0;
    boost::beast::http::fields headers;
    std::string body;
    bool keep_alive = true; // false: the server closes the connection after this answer

    std::string header(std::string_view name) const;
};

class HttpClient {
public:
    // `tls` is used for an https URL; none means make_tls_context({}) (the system's CAs).
    HttpClient(ServerUrl url, std::optional<Credentials> credentials, TlsContext tls = {},
               std::chrono::milliseconds timeout = std::chrono::seconds(30));
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // `path` is the server's path ("/api/queues/%2F/q"); the URL's prefix goes in front. A body
    // is sent with `content_type`. `headers` come last, so they replace the client's own (an
    // Authorization other than the credentials', another Content-Type). A request on a reused
    // connection that the server had closed meanwhile is sent once more on a new one.
    HttpResponse request(boost::beast::http::verb method, std::string_view path,
                         std::string body = {}, std::string_view content_type = "application/json",
                         const Headers& headers = {});
    HttpResponse get(std::string_view path) { return request(boost::beast::http::verb::get, path); }

    // Writes `bytes` as they are on the connection, opening one first if there is none (or the
    // server said it closes the last one). Throws TransportError.
    void send_raw(std::string_view bytes);
    // Reads the next answer on the connection (an interim 100 Continue is one too); nullopt when
    // the server closed the connection before an answer, or there is no connection. Throws
    // TransportError on any other failure (a timeout, a malformed answer). `to_head`: it answers
    // a HEAD, so it has no body whatever its Content-Length says.
    std::optional<HttpResponse> read_response(bool to_head = false);
    // Waits up to `timeout` for the server to close the connection, discarding what it sends
    // meanwhile (as a client lingers after "Connection: close", so that no reset loses the
    // server's last bytes); false when it is still open then. True at once with no connection.
    bool wait_closed(std::chrono::milliseconds timeout);
    // Closes the connection now, without waiting for anything; the next request opens another.
    void close();

    const ServerUrl& url() const { return url_; }
    // How long each later connect, write and read may take.
    void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
    // How many connections this client has opened (1 while keep-alive holds).
    std::size_t connects() const { return connects_; }

private:
    void connect();
    // The connection to write on: the open one, unless the server said it closes it.
    void ensure_connection();
    HttpResponse exchange(boost::beast::http::verb method, const std::string& target,
                          const std::string& body, std::string_view content_type,
                          const Headers& headers);
    // Reads one answer into `out`: the read's error, if any.
    boost::system::error_code read_one(HttpResponse& out, bool to_head);
    // Closes the connection and throws the TransportError that says why.
    [[noreturn]] void fail(const boost::system::error_code& ec);

    ServerUrl url_;
    std::optional<Credentials> credentials_;
    TlsContext tls_;
    std::chrono::milliseconds timeout_;
    boost::asio::io_context ioc_;
    std::optional<Transport> stream_; // while connected
    // The server answered with "Connection: close": the stream stays open for reading (its close
    // is the server's to make) but is not written on again.
    bool closing_ = false;
    std::size_t connects_ = 0;
    boost::beast::flat_buffer buffer_;
};

} // namespace warren::client
