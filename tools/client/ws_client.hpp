#pragma once

// WsClient: a synchronous WebSocket client for warren's /ws (JSON text frames), over Beast's
// websocket::stream on a common/transport Transport: ws:// for an http:// URL, wss:// (TLS,
// certificate checked as for HttpClient) for https://. Connects with HTTP Basic credentials on
// the upgrade. One read stays outstanding across calls,
// so read(timeout) can time out and be called again, and the server's pings are answered while
// the caller waits. Every call has a deadline.
//
// Lifetime and thread: one thread; owns its io_context (exposed, so a caller can add a
// signal_set to the same loop). Not copyable.

#include <chrono>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "common/transport.hpp"
#include "tools/client/http_client.hpp"
#include "tools/client/server_url.hpp"
#include "tools/client/tls.hpp"

namespace warren::client {

// The server answered the upgrade request with an HTTP error (401, 403...).
class UpgradeRefused : public std::runtime_error {
public:
    UpgradeRefused(unsigned http_status, std::string http_body)
        : std::runtime_error("websocket upgrade refused with HTTP " + std::to_string(http_status)),
          status(http_status), body(std::move(http_body)) {}
    unsigned status;
    std::string body;
};

class WsClient {
public:
    // Connects to url's host (over TLS for https, with `tls`, or the system's CAs when none is
    // given) and upgrades at url.target("/ws"). Throws TransportError (CertificateError) or
    // UpgradeRefused.
    WsClient(const ServerUrl& url, const std::optional<Credentials>& credentials,
             TlsContext tls = {}, std::chrono::milliseconds timeout = std::chrono::seconds(30));
    ~WsClient();
    WsClient(const WsClient&) = delete;
    WsClient& operator=(const WsClient&) = delete;

    // Sends one text frame (must be valid UTF-8). Throws TransportError.
    void send(std::string_view text);
    // The next frame, or nullopt when none came within `timeout` (0: only what is ready now), or
    // when `interrupted()` turned true meanwhile. Throws TransportError once the connection is
    // closed or failed.
    std::optional<std::string> read(std::chrono::milliseconds timeout);
    // Starts the closing handshake and waits for it (up to 2 s); never throws.
    void close();

    boost::asio::io_context& context() { return ioc_; }
    // The socket, for poll(2) next to other descriptors.
    int native_handle();
    // Set (by a signal handler on context()) to make a waiting read() return early.
    void interrupt() { interrupted_ = true; }
    bool interrupted() const { return interrupted_; }
    void reset_interrupt() { interrupted_ = false; }

private:
    template <class Done>
    bool run_until(Done&& done, std::chrono::steady_clock::time_point deadline);
    void start_read();
    [[noreturn]] void fail_closed();

    ServerUrl url_;
    TlsContext tls_; // outlives ws_, whose TLS stream uses it
    std::chrono::milliseconds timeout_;
    boost::asio::io_context ioc_;
    boost::beast::websocket::stream<Transport> ws_;
    boost::beast::flat_buffer buffer_;
    std::deque<std::string> inbox_;
    bool read_pending_ = false;
    bool interrupted_ = false;
    boost::system::error_code read_error_;
    bool open_ = false;
};

} // namespace warren::client
