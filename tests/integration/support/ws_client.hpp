#pragma once

// WsClient: the integration tests' WebSocket client, a thin adapter over the tools' own
// (tools/client, warren_client), so the tests speak /ws exactly as warrenctl does. Every call has
// a deadline, so a misbehaving server fails a test instead of hanging it; one read stays
// outstanding across calls, so read(timeout) that times out leaves the socket usable and tests
// can check that nothing arrives ("no message within 200 ms") and go on. What the adapter adds:
// 127.0.0.1:port as the server, JSON frames (read, expect, sync), and a closed socket read as
// "nothing" rather than an exception, so tests can assert on the close itself.
//
// Many clients may share one io_context (client::WsOptions::context).
//
// Lifetime and thread: one test thread per io_context. Not copyable.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "tests/integration/support/http_client.hpp"
#include "tools/client/ws_client.hpp"

namespace warren::test {

using namespace std::chrono_literals;

// The server refused the upgrade: its HTTP answer (status, body).
using WsRefused = client::UpgradeRefused;

class WsClient {
public:
    // Connects to 127.0.0.1:port and upgrades at `target`, with Basic auth when `auth` is set.
    // Throws WsRefused when the server answers the upgrade with an HTTP error, or
    // client::TransportError on a network failure or timeout.
    explicit WsClient(std::uint16_t port, std::string target = "/ws",
                      std::optional<Credentials> auth = kGuest,
                      std::shared_ptr<boost::asio::io_context> ioc = nullptr);

    void send(const boost::json::value& frame);
    void send_text(std::string_view text) { ws_.send(text); }
    void send_binary(std::string_view bytes) { ws_.send_binary(bytes); }

    // The next frame as JSON, or nullopt when none came in time or the socket closed.
    std::optional<boost::json::object> read(std::chrono::milliseconds timeout = 5s);
    std::optional<std::string> read_text(std::chrono::milliseconds timeout = 5s);
    // The next frame, which must be of `type` (throws otherwise, with the frame).
    boost::json::object expect(std::string_view type, std::chrono::milliseconds timeout = 5s);
    // Sends a ping op and reads up to its pong: every frame before it is returned in order.
    // (The server handles a socket's frames in order, so the pong proves the earlier ones done.)
    std::vector<boost::json::object> sync(std::chrono::milliseconds timeout = 5s);

    // Closing handshake started by us (1000 normal).
    void close() { ws_.close(); }
    // Drops the TCP connection without a closing handshake.
    void drop() { ws_.abort(); }
    // True once the server closed (or the socket failed); then close_code() says how.
    bool closed() const { return ws_.closed(); }
    // Waits until the server closes the socket, discarding frames; false on timeout.
    bool wait_closed(std::chrono::milliseconds timeout = 5s);
    std::uint16_t close_code() const { return ws_.close_code(); }

private:
    client::WsClient ws_;
    std::string closed_how_; // why the last read found the socket closed
};

} // namespace warren::test
