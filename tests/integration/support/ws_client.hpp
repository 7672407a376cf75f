#pragma once

// WsClient: a small synchronous WebSocket client for integration tests, over Beast. Every call
// has a deadline, so a misbehaving server fails a test instead of hanging it. Reading keeps one
// read outstanding across calls: read(timeout) that times out leaves the stream usable, so tests
// can check that nothing arrives ("no message within 200 ms") and go on.
//
// Many clients may share one io_context (1 000 sockets need not mean 1 000 epoll instances);
// running it for one client also completes the others' pending reads, which queue in their own
// inboxes.
//
// Lifetime and thread: one test thread per io_context. Not copyable.

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "tests/integration/support/http_client.hpp"

namespace warren::test {

using namespace std::chrono_literals;

// The server refused the upgrade: its HTTP answer.
class WsRefused : public std::runtime_error {
public:
    WsRefused(unsigned http_status, std::string http_body)
        : std::runtime_error("websocket upgrade refused: " + std::to_string(http_status) + " " +
                             http_body),
          status(http_status), body(std::move(http_body)) {}
    unsigned status;
    std::string body;
};

class WsClient {
public:
    // Connects to 127.0.0.1:port and upgrades at `target`, with Basic auth when `auth` is set.
    // Throws WsRefused when the server answers the upgrade with an HTTP error, or
    // boost::system::system_error on a network failure or timeout.
    explicit WsClient(std::uint16_t port, std::string target = "/ws",
                      std::optional<Credentials> auth = kGuest,
                      std::shared_ptr<boost::asio::io_context> ioc = nullptr);
    ~WsClient();
    WsClient(const WsClient&) = delete;
    WsClient& operator=(const WsClient&) = delete;

    // How long one write may wait for the server to read (5 s by default).
    void set_write_timeout(std::chrono::milliseconds timeout) { write_timeout_ = timeout; }

    void send(const boost::json::value& frame);
    void send_text(std::string_view text);
    void send_binary(std::string_view bytes);

    // The next frame as JSON, or nullopt when none came in time or the socket closed.
    std::optional<boost::json::object> read(std::chrono::milliseconds timeout = 5s);
    std::optional<std::string> read_text(std::chrono::milliseconds timeout = 5s);
    // The next frame, which must be of `type` (throws otherwise, with the frame).
    boost::json::object expect(std::string_view type, std::chrono::milliseconds timeout = 5s);
    // Sends a ping op and reads up to its pong: every frame before it is returned in order.
    // (The server handles a socket's frames in order, so the pong proves the earlier ones done.)
    std::vector<boost::json::object> sync(std::chrono::milliseconds timeout = 5s);

    // Closing handshake started by us (1000 normal).
    void close();
    // Drops the TCP connection without a closing handshake.
    void drop();
    // True once the server closed (or the socket failed); then close_code() says how.
    bool closed() const { return static_cast<bool>(read_error_); }
    // Waits until the server closes the socket, discarding frames; false on timeout.
    bool wait_closed(std::chrono::milliseconds timeout = 5s);
    std::uint16_t close_code() const;

private:
    // Runs the io_context until `done` or the deadline; false on timeout.
    template <class Done>
    bool run_until(Done&& done, std::chrono::steady_clock::time_point deadline);
    void start_read();
    void write(std::string_view bytes, bool text);

    std::shared_ptr<boost::asio::io_context> ioc_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    boost::beast::flat_buffer buffer_;
    std::deque<std::string> inbox_;
    bool read_pending_ = false;
    boost::system::error_code read_error_;
    bool open_ = false;
    std::chrono::milliseconds write_timeout_ = 5s;
    // Completions of operations started by this client check this, so a client destroyed with an
    // operation pending on a shared io_context is never touched.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace warren::test
