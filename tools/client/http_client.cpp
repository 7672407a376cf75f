#include "tools/client/http_client.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "common/base64.hpp"
#include "tools/client/connection.hpp"
#include "tools/client/transport_error.hpp"

namespace warren::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

std::string basic_authorization(const Credentials& credentials) {
    return "Basic " + base64_encode(credentials.user + ":" + credentials.password);
}

std::string HttpResponse::header(std::string_view name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : std::string(it->value());
}

HttpClient::HttpClient(ServerUrl url, std::optional<Credentials> credentials, TlsContext tls,
                       std::chrono::milliseconds timeout)
    : url_(std::move(url)), credentials_(std::move(credentials)), tls_(std::move(tls)),
      timeout_(timeout), ioc_(1) {
    tls_ = tls_context_for(url_, std::move(tls_));
}

void HttpClient::close() {
    if (stream_) {
        stream_->abort();
        stream_.reset();
    }
    buffer_.clear();
}

void HttpClient::connect() {
    stream_.emplace(open_connection(ioc_, url_, tls_.get(), timeout_));
}

HttpResponse HttpClient::request(http::verb method, std::string_view path, std::string body,
                                 std::string_view content_type) {
    const std::string target = url_.target(path);
    const bool reused = stream_.has_value();
    if (!stream_) {
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
    bool done = false;
    stream_->expires_after(timeout_);
    http::async_write(*stream_, req, [&](error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    run_until_done(ioc_, [&] { return done; });
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t(1) << 30);
    if (!ec) {
        done = false;
        stream_->expires_after(timeout_);
        http::async_read(*stream_, buffer_, parser, [&](error_code e, std::size_t) {
            ec = e;
            done = true;
        });
        run_until_done(ioc_, [&] { return done; });
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
