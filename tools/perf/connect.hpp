#pragma once

// connect: warren-perf's sockets to the broker. A Target is the parsed --url plus credentials;
// connect_tcp() opens a TCP connection (WsConnection, in ws_connection.hpp, upgrades it on /ws),
// HttpConnection is one kept-alive HTTP/1.1 connection. Both set TCP_NODELAY: latency is what we
// measure, and Nagle's algorithm would hold small frames back for the peer's delayed ACK.
// Failures throw ConnectError with a message that names the URL and the cause.
//
// Thread: a connection lives on the io_context that made it.

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace warren::perf {

class ConnectError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Target {
    std::string url; // as given, for messages
    std::string host;
    std::string port;
    std::string authorization; // "Basic ..."
};

// Parses http://host[:port][/]; throws ConnectError for anything else (https is not supported).
Target parse_target(const std::string& url, const std::string& user, const std::string& password);

// Connects `stream` to the target (10 s at most), with TCP_NODELAY.
boost::asio::awaitable<void> connect_tcp(const Target& target, boost::beast::tcp_stream& stream);

class HttpConnection {
public:
    using Response = boost::beast::http::response<boost::beast::http::string_body>;
    using Request = boost::beast::http::request<boost::beast::http::string_body>;

    HttpConnection(boost::asio::any_io_executor executor, const Target& target)
        : target_(target), stream_(executor) {}

    boost::asio::awaitable<void> connect();
    // A request with the auth, host and JSON headers set; fill in the body and send it.
    Request make_request(boost::beast::http::verb method, const std::string& path) const;
    // Sends `request` and reads the answer; reconnects once if the server closed the idle
    // connection. Throws ConnectError on network failure.
    boost::asio::awaitable<Response> send(Request& request);

private:
    const Target& target_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    bool connected_ = false;
};

} // namespace warren::perf
