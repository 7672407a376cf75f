#pragma once

// connect: warren-perf's sockets to the broker. A Target is the parsed --url plus credentials;
// connect_ws() opens a WebSocket on /ws with Basic auth, HttpConnection is one kept-alive HTTP/1.1
// connection. Both set TCP_NODELAY: latency is what we measure, and Nagle's algorithm would hold
// small frames back for the peer's delayed ACK. Failures throw ConnectError with a message that
// names the URL and the cause.
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
#include <boost/beast/websocket/stream.hpp>

#include "common/buffered_stream.hpp"

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

// Frames go through a BufferedStream: a publisher's burst of frames (or a consumer's acks) in one
// socket write, the broker's bursts in few reads; warren-perf shares the machine it measures, so
// its own system calls count.
using WsStream = boost::beast::websocket::stream<BufferedStream<boost::beast::tcp_stream>>;

boost::asio::awaitable<void> connect_ws(const Target& target, WsStream& ws);

// A connection's reader: each frame's text to `on_frame` until the socket ends. The end is
// quiet when `closing` (we closed it), else a ConnectError: "<who> connection lost: ...".
boost::asio::awaitable<void> read_frames(WsStream& ws, const bool& closing, const char* who,
                                         std::function<void(std::string_view)> on_frame);

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
