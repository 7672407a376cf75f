#pragma once

// WsClient: a synchronous WebSocket client for warren's /ws (JSON text frames), over Beast's
// websocket::stream on a common/transport Transport: ws:// for an http:// URL, wss:// (TLS,
// certificate checked as for HttpClient) for https://. Connects with HTTP Basic credentials on
// the upgrade (or a token in the upgrade's query, WsOptions::path). One read stays outstanding
// across calls, so read(timeout) can time out and be called again, and the server's pings are
// answered while the caller waits. Every call has a deadline.
//
// Lifetime and thread: one thread per io_context. By default a client owns its io_context
// (exposed, so a caller can add a signal_set to the same loop); many clients may share one
// (WsOptions::context: a thousand sockets need not mean a thousand epoll instances), and then
// running it for one also completes the others' reads, which queue in their own inboxes. The
// destructor completes the client's pending operations before it returns, so a shared
// io_context never runs a handler of a destroyed client. Not copyable.

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
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

struct WsOptions {
    // Where to upgrade, under the URL's prefix; may carry a query ("/ws?token=...": a single-use
    // token from POST /api/auth/token instead of credentials).
    std::string path = "/ws";
    // Connect, upgrade and each write.
    std::chrono::milliseconds timeout = std::chrono::seconds(30);
    // An io_context shared with other clients run on the same thread; none: the client's own.
    std::shared_ptr<boost::asio::io_context> context;
};

class WsClient {
public:
    // Connects to url's host (over TLS for https, with `tls`, or the system's CAs when none is
    // given) and upgrades at url.target(options.path). Throws TransportError (CertificateError)
    // or UpgradeRefused.
    WsClient(const ServerUrl& url, const std::optional<Credentials>& credentials,
             TlsContext tls = {}, WsOptions options = {});
    ~WsClient();
    WsClient(const WsClient&) = delete;
    WsClient& operator=(const WsClient&) = delete;

    // Sends one text frame (should be valid UTF-8: the server closes with 1007 otherwise).
    // Throws TransportError.
    void send(std::string_view text);
    // Sends one binary frame. Throws TransportError.
    void send_binary(std::string_view bytes);
    // The next frame, or nullopt when none came within `timeout` (0: only what is ready now), or
    // when `interrupted()` turned true meanwhile. Throws TransportError once the connection is
    // closed or failed.
    std::optional<std::string> read(std::chrono::milliseconds timeout);
    // Starts the closing handshake and waits for it (up to 2 s); never throws.
    void close();
    // Drops the connection without a closing handshake (the server sees the TCP connection end);
    // never throws.
    void abort();
    // True once the connection is over: closed by the server or by us, or failed.
    bool closed() const { return !open_ || static_cast<bool>(read_error_); }
    // The code of the server's close frame (1000 normal, 1001 going away...), 0 before one came.
    std::uint16_t close_code() const;

    boost::asio::io_context& context() { return *ioc_; }
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
    void write(std::string_view bytes, bool text);
    [[noreturn]] void fail_closed();

    ServerUrl url_;
    TlsContext tls_; // outlives ws_, whose TLS stream uses it
    std::chrono::milliseconds timeout_;
    std::shared_ptr<boost::asio::io_context> ioc_; // outlives ws_ too
    boost::beast::websocket::stream<Transport> ws_;
    boost::beast::flat_buffer buffer_;
    std::deque<std::string> inbox_;
    bool read_pending_ = false;
    bool interrupted_ = false;
    boost::system::error_code read_error_;
    bool open_ = false;
};

} // namespace warren::client
