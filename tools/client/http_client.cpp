#include "tools/client/http_client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
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

namespace {

// The server closed (or reset) the connection: the end of it, not a failure to report.
bool closed_by_peer(const error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == http::error::partial_message;
}

} // namespace

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
    closing_ = false;
    buffer_.clear();
}

void HttpClient::connect() {
    close();
    stream_.emplace(open_connection(ioc_, url_, tls_.get(), timeout_));
    ++connects_;
}

void HttpClient::ensure_connection() {
    if (!stream_ || closing_) {
        connect();
    }
}

void HttpClient::fail(const error_code& ec) {
    close();
    throw TransportError(
        "lost the connection to " + url_.display() + ": " +
        (ec == beast::error::timeout ? std::string("no answer in time") : ec.message()));
}

HttpResponse HttpClient::request(http::verb method, std::string_view path, std::string body,
                                 std::string_view content_type, const Headers& headers) {
    const std::string target = url_.target(path);
    const bool reused = stream_ && !closing_;
    ensure_connection();
    try {
        return exchange(method, target, body, content_type, headers);
    } catch (const TransportError&) {
        if (!reused) {
            throw;
        }
    }
    // The kept-alive connection had been closed by the server (idle timeout): once more, fresh.
    connect();
    return exchange(method, target, body, content_type, headers);
}

HttpResponse HttpClient::exchange(http::verb method, const std::string& target,
                                  const std::string& body, std::string_view content_type,
                                  const Headers& headers) {
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
    for (const auto& [name, value] : headers) {
        req.set(name, value);
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
    if (ec) {
        fail(ec);
    }
    HttpResponse out;
    if (error_code read = read_one(out, method == http::verb::head)) {
        fail(read);
    }
    return out;
}

void HttpClient::send_raw(std::string_view bytes) {
    ensure_connection();
    error_code ec;
    bool done = false;
    stream_->expires_after(timeout_);
    asio::async_write(*stream_, asio::buffer(bytes.data(), bytes.size()),
                      [&](error_code e, std::size_t) {
                          ec = e;
                          done = true;
                      });
    run_until_done(ioc_, [&] { return done; });
    if (ec) {
        fail(ec);
    }
}

error_code HttpClient::read_one(HttpResponse& out, bool to_head) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t(1) << 30);
    parser.skip(to_head);
    error_code ec;
    bool done = false;
    stream_->expires_after(timeout_);
    http::async_read(*stream_, buffer_, parser, [&](error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    run_until_done(ioc_, [&] { return done; });
    if (ec) {
        return ec;
    }
    auto res = parser.release();
    out.status = res.result_int();
    out.body = std::move(res.body());
    out.keep_alive = res.keep_alive();
    for (const auto& field : res) {
        out.headers.insert(field.name_string(), field.value());
    }
    // Read on until the server closes (wait_closed), but never write on it again.
    closing_ = closing_ || !out.keep_alive;
    return {};
}

std::optional<HttpResponse> HttpClient::read_response(bool to_head) {
    if (!stream_) {
        return std::nullopt;
    }
    HttpResponse out;
    if (error_code ec = read_one(out, to_head)) {
        if (closed_by_peer(ec)) {
            close();
            return std::nullopt;
        }
        fail(ec);
    }
    return out;
}

bool HttpClient::wait_closed(std::chrono::milliseconds timeout) {
    if (!stream_) {
        return true;
    }
    char scratch[4096];
    stream_->expires_after(timeout);
    while (stream_) {
        error_code ec;
        bool done = false;
        stream_->async_read_some(asio::buffer(scratch), [&](error_code e, std::size_t) {
            ec = e;
            done = true;
        });
        run_until_done(ioc_, [&] { return done; });
        if (ec) {
            // A timeout has closed the socket too: open or not, the connection is gone.
            close();
            return ec != beast::error::timeout;
        }
    }
    return true;
}

} // namespace warren::client
