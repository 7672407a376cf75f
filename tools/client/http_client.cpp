#include "tools/client/http_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "tools/client/codec.hpp"
#include "tools/client/transport_error.hpp"

namespace warren::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

std::string basic_authorization(const Credentials& credentials) {
    return "Basic " + base64_encode(credentials.user + ":" + credentials.password);
}

std::string HttpResponse::header(std::string_view name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : std::string(it->value());
}

HttpClient::HttpClient(ServerUrl url, std::optional<Credentials> credentials,
                       std::chrono::milliseconds timeout)
    : url_(std::move(url)), credentials_(std::move(credentials)), timeout_(timeout), ioc_(1),
      stream_(ioc_) {}

void HttpClient::close() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
    connected_ = false;
}

void HttpClient::connect() {
    tcp::resolver resolver(ioc_);
    error_code ec;
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(url_.host, std::to_string(url_.port),
                           [&](error_code e, tcp::resolver::results_type r) {
                               ec = e;
                               endpoints = std::move(r);
                           });
    ioc_.restart();
    ioc_.run();
    if (ec) {
        throw TransportError("cannot resolve " + url_.host + ": " + ec.message());
    }
    stream_.expires_after(timeout_);
    stream_.async_connect(endpoints, [&](error_code e, const tcp::endpoint&) { ec = e; });
    ioc_.restart();
    ioc_.run();
    if (ec) {
        stream_.close();
        throw TransportError(
            "cannot reach " + url_.display() + ": " +
            (ec == beast::error::timeout ? std::string("connect timed out") : ec.message()));
    }
    connected_ = true;
}

HttpResponse HttpClient::request(http::verb method, std::string_view path, std::string body,
                                 std::string_view content_type) {
    const std::string target = url_.target(path);
    const bool reused = connected_;
    if (!connected_) {
        connect();
    }
    try {
        return exchange(method, target, body, content_type);
    } catch (const TransportError&) {
        if (!reused) {
            throw;
        }
    }
    // The kept-alive connection had been closed by the server (idle timeout): once more, fresh.
    connect();
    return exchange(method, target, body, content_type);
}

HttpResponse HttpClient::exchange(http::verb method, const std::string& target,
                                  const std::string& body, std::string_view content_type) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, url_.authority());
    req.set(http::field::user_agent, "warrenctl");
    req.set(http::field::accept, "application/json");
    if (credentials_) {
        req.set(http::field::authorization, basic_authorization(*credentials_));
    }
    if (!body.empty() || method == http::verb::post || method == http::verb::put) {
        req.set(http::field::content_type, content_type);
        req.body() = body;
    }
    req.keep_alive(true);
    req.prepare_payload();

    error_code ec;
    stream_.expires_after(timeout_);
    http::async_write(stream_, req, [&](error_code e, std::size_t) { ec = e; });
    ioc_.restart();
    ioc_.run();
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t(1) << 30);
    if (!ec) {
        stream_.expires_after(timeout_);
        http::async_read(stream_, buffer_, parser, [&](error_code e, std::size_t) { ec = e; });
        ioc_.restart();
        ioc_.run();
    }
    if (ec) {
        close();
        throw TransportError(
            "lost the connection to " + url_.display() + ": " +
            (ec == beast::error::timeout ? std::string("no answer in time") : ec.message()));
    }
    auto res = parser.release();
    HttpResponse out;
    out.status = res.result_int();
    out.body = std::move(res.body());
    for (const auto& field : res) {
        out.headers.insert(field.name_string(), field.value());
    }
    if (!res.keep_alive()) {
        close();
    }
    return out;
}

} // namespace warren::client
