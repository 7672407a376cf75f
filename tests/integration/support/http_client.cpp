#include "tests/integration/support/http_client.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <boost/system/system_error.hpp>

namespace warren::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

// Starts one async operation and runs the private io_context until it completes (the stream's
// timeout guarantees it does).
template <class Start> error_code run_op(asio::io_context& ioc, Start&& start) {
    error_code result = asio::error::would_block;
    start([&result](error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
}

bool is_closed(const error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == http::error::partial_message;
}

} // namespace

std::string HttpReply::header(std::string_view name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string{} : std::string(it->value());
}

boost::json::value HttpReply::json() const {
    return boost::json::parse(body);
}

HttpClient::HttpClient(std::uint16_t port, std::string host)
    : host_(std::move(host)), port_(port), stream_(ioc_) {}

HttpClient::~HttpClient() {
    disconnect();
}

void HttpClient::disconnect() {
    error_code ec;
    stream_.socket().close(ec);
    connected_ = false;
}

void HttpClient::ensure_connected() {
    if (connected_) {
        return;
    }
    disconnect();
    buffer_.clear();
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address(host_), port_);
    stream_.expires_after(timeout_);
    error_code ec =
        run_op(ioc_, [&](auto handler) { stream_.async_connect(endpoint, std::move(handler)); });
    if (ec) {
        throw boost::system::system_error(ec, "connect");
    }
    connected_ = true;
    ++connects_;
}

HttpReply HttpClient::request(http::verb method, std::string_view target, std::string body,
                              const Headers& headers, std::optional<Credentials> auth) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, host_ + ":" + std::to_string(port_));
    req.set(http::field::user_agent, "warren-integration-tests");
    for (const auto& [name, value] : headers) {
        req.set(name, value);
    }
    if (auth) {
        req.set(http::field::authorization, basic_auth(*auth));
    }
    req.body() = std::move(body);
    if (!req.body().empty() || method == http::verb::post || method == http::verb::put) {
        req.prepare_payload();
    }
    ensure_connected();
    stream_.expires_after(timeout_);
    error_code ec =
        run_op(ioc_, [&](auto handler) { http::async_write(stream_, req, std::move(handler)); });
    if (ec) {
        connected_ = false;
        throw boost::system::system_error(ec, "write request");
    }
    auto reply = read_reply();
    if (!reply) {
        throw boost::system::system_error(asio::error::eof, "server closed before responding");
    }
    return std::move(*reply);
}

void HttpClient::send_raw(std::string_view bytes) {
    ensure_connected();
    stream_.expires_after(timeout_);
    error_code ec = run_op(ioc_, [&](auto handler) {
        asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()), std::move(handler));
    });
    if (ec) {
        connected_ = false;
        throw boost::system::system_error(ec, "send raw bytes");
    }
}

std::optional<HttpReply> HttpClient::read_reply() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    stream_.expires_after(timeout_);
    error_code ec = run_op(ioc_, [&](auto handler) {
        http::async_read(stream_, buffer_, parser, std::move(handler));
    });
    if (ec) {
        connected_ = false;
        if (is_closed(ec)) {
            return std::nullopt;
        }
        throw boost::system::system_error(ec, "read response");
    }
    auto res = parser.release();
    HttpReply reply;
    reply.status = res.result_int();
    reply.headers = static_cast<const http::fields&>(res);
    reply.keep_alive = res.keep_alive();
    reply.body = std::move(res.body());
    if (!reply.keep_alive) {
        connected_ = false;
    }
    return reply;
}

bool HttpClient::wait_closed_by_peer(std::chrono::milliseconds timeout) {
    char scratch[4096];
    stream_.expires_after(timeout);
    for (;;) {
        error_code ec = run_op(ioc_, [&](auto handler) {
            stream_.async_read_some(asio::buffer(scratch), std::move(handler));
        });
        if (!ec) {
            continue;
        }
        connected_ = false;
        return is_closed(ec) || ec == asio::error::operation_aborted ||
               ec == asio::error::bad_descriptor;
    }
}

std::string HttpClient::basic_auth(const Credentials& credentials) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string in = credentials.user + ":" + credentials.password;
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                     (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += kAlphabet[v & 63];
    }
    if (i + 1 == in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                     (static_cast<unsigned char>(in[i + 1]) << 8);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += kAlphabet[(v >> 6) & 63];
        out += '=';
    }
    return "Basic " + out;
}

} // namespace warren::test
