#include "tools/perf/connect.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include "common/base64.hpp"

namespace warren::perf {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

} // namespace

Target parse_target(const std::string& url, const std::string& user, const std::string& password) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        throw ConnectError("--url '" + url + "' is not a URL");
    }
    if (parsed->scheme() != "http") {
        throw ConnectError("--url '" + url + "': only http:// is supported");
    }
    Target t;
    t.url = url;
    t.host = parsed->host();
    if (t.host.size() > 2 && t.host.front() == '[') {
        t.host = t.host.substr(1, t.host.size() - 2);
    }
    t.port = parsed->has_port() ? std::string(parsed->port()) : "80";
    t.authorization = "Basic " + base64_encode(user + ":" + password);
    return t;
}

asio::awaitable<void> connect_tcp(const Target& target, beast::tcp_stream& stream) {
    tcp::resolver resolver(stream.get_executor());
    auto [resolve_ec, results] = co_await resolver.async_resolve(target.host, target.port, kTuple);
    if (resolve_ec) {
        throw ConnectError("cannot resolve " + target.url + ": " + resolve_ec.message());
    }
    stream.expires_after(std::chrono::seconds(10));
    auto [ec, endpoint] = co_await stream.async_connect(results, kTuple);
    (void)endpoint;
    if (ec) {
        throw ConnectError("cannot connect to " + target.url + ": " + ec.message());
    }
    stream.expires_never();
    stream.socket().set_option(tcp::no_delay(true));
}

asio::awaitable<void> HttpConnection::connect() {
    co_await connect_tcp(target_, stream_);
    connected_ = true;
}

HttpConnection::Request HttpConnection::make_request(http::verb method,
                                                     const std::string& path) const {
    Request req{method, path, 11};
    req.set(http::field::host, target_.host + ":" + target_.port);
    req.set(http::field::authorization, target_.authorization);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::user_agent, "warren-perf");
    req.keep_alive(true);
    return req;
}

asio::awaitable<HttpConnection::Response> HttpConnection::send(Request& request) {
    request.prepare_payload();
    for (int attempt = 0;; ++attempt) {
        if (!connected_) {
            co_await connect();
        }
        auto [write_ec, written] = co_await http::async_write(stream_, request, kTuple);
        (void)written;
        Response response;
        boost::system::error_code ec = write_ec;
        if (!ec) {
            auto [read_ec, read] = co_await http::async_read(stream_, buffer_, response, kTuple);
            (void)read;
            ec = read_ec;
        }
        if (!ec) {
            if (!response.keep_alive()) {
                connected_ = false;
                buffer_.clear();
                boost::system::error_code ignored;
                stream_.socket().close(ignored);
            }
            co_return response;
        }
        connected_ = false;
        buffer_.clear();
        boost::system::error_code ignored;
        stream_.socket().close(ignored);
        // The server may close an idle kept-alive connection between our requests: retry once.
        if (attempt > 0 ||
            !(ec == http::error::end_of_stream || ec == asio::error::eof ||
              ec == asio::error::connection_reset || ec == asio::error::broken_pipe)) {
            throw ConnectError("HTTP " + std::string(request.method_string()) + " " +
                               std::string(request.target()) + " at " + target_.url +
                               " failed: " + ec.message());
        }
    }
}

} // namespace warren::perf
