#pragma once

// HttpClient: a synchronous HTTP/1.1 client over Beast for warrenctl (and other tools), over
// plain TCP for http:// URLs and TLS for https:// (common/transport, opened by
// open_connection). One connection, kept alive across requests and reopened when the server
// closed it; every request has a deadline. A transport failure throws TransportError (a refused
// certificate CertificateError); an HTTP answer (any status) is returned as it came.
//
// Lifetime and thread: one thread; owns its io_context. Not copyable.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>

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

struct HttpResponse {
    unsigned status = 0;
    boost::beast::http::fields headers;
    std::string body;

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
    // is sent with `content_type`. A request on a reused connection that the server had closed
    // meanwhile is sent once more on a new one.
    HttpResponse request(boost::beast::http::verb method, std::string_view path,
                         std::string body = {}, std::string_view content_type = "application/json");
    HttpResponse get(std::string_view path) { return request(boost::beast::http::verb::get, path); }

    const ServerUrl& url() const { return url_; }

private:
    void connect();
    HttpResponse exchange(boost::beast::http::verb method, const std::string& target,
                          const std::string& body, std::string_view content_type);
    void close();

    ServerUrl url_;
    std::optional<Credentials> credentials_;
    TlsContext tls_;
    std::chrono::milliseconds timeout_;
    boost::asio::io_context ioc_;
    std::optional<Transport> stream_; // while connected
    boost::beast::flat_buffer buffer_;
};

} // namespace warren::client
