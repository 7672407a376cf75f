#pragma once

// Transport: one connection, plain TCP or TLS, behind one type, for both ends of warren's
// sockets: the server's HttpSession and WsSession (TLS server role) and the tools' HTTP and
// WebSocket clients (TLS client role), so that Beast's HTTP and WebSocket algorithms over it
// are written once. It models Asio's AsyncReadStream / AsyncWriteStream: each operation goes to
// the TLS stream when there is one, else to the TCP stream; both branches return the same type
// for the completion tokens we use (handlers -> void, use_awaitable -> the same awaitable), so
// the choice is a plain `if`.
//
// The TCP stream (timeouts, close) and the TLS state live on the heap, so moving a Transport
// (from the HTTP session to the WebSocket session at an upgrade, or out of the function that
// connected it) keeps the TLS stream's reference to its TCP stream valid.
//
// Thread: the connection's strand (or the one thread of a synchronous client), like the stream
// it wraps.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>

namespace warren {

// Which side of the TLS handshake a Transport takes.
enum class TlsRole { server, client };

class Transport {
public:
    using executor_type = boost::beast::tcp_stream::executor_type;
    using next_layer_type = boost::beast::tcp_stream;
    using lowest_layer_type = boost::beast::tcp_stream;

    // Plain TCP (an accepted socket, or one a client is about to connect).
    explicit Transport(boost::asio::ip::tcp::socket socket)
        : state_(std::make_unique<State>(std::move(socket))) {}
    // TLS over the socket in `role`; async_handshake() must complete before anything else (for a
    // client, after the TCP connect and expect_server_name()).
    Transport(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& tls, TlsRole role)
        : state_(std::make_unique<State>(std::move(socket))), role_(role) {
        state_->tls.emplace(state_->tcp, tls);
    }

    Transport(Transport&&) noexcept = default;
    Transport& operator=(Transport&&) noexcept = default;

    // False once moved from (the HTTP session after a WebSocket upgrade).
    bool valid() const { return state_ != nullptr; }
    bool is_tls() const { return state_->tls.has_value(); }
    executor_type get_executor() { return state_->tcp.get_executor(); }
    boost::beast::tcp_stream& next_layer() { return state_->tcp; }
    boost::asio::ip::tcp::socket& socket() { return state_->tcp.socket(); }
    void expires_after(std::chrono::steady_clock::duration d) { state_->tcp.expires_after(d); }
    void expires_never() { state_->tcp.expires_never(); }
    void close() {
        if (state_) {
            state_->tcp.close();
        }
    }
    // Shuts the TCP connection down both ways and closes it (no TLS close_notify).
    void abort() {
        if (state_) {
            boost::system::error_code ec;
            state_->tcp.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
            state_->tcp.close();
        }
    }

    // TLS client role, before the handshake: the server's name as the URL gives it. A DNS name
    // is sent as SNI and is the name the certificate must carry (subjectAltName, else CN); an
    // IP address is not sent (SNI cannot carry one) and must be among the certificate's IP
    // addresses. The check is made only when the context verifies peers (verify_peer); a
    // mismatch fails the handshake with X509_V_ERR_HOSTNAME_MISMATCH / _IP_ADDRESS_MISMATCH.
    boost::system::error_code expect_server_name(const std::string& host);

    // After a TLS client handshake failed: OpenSSL's verdict on the server's certificate
    // (X509_V_OK when the certificate was not what failed).
    long peer_verify_result();

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        if (state_->tls) {
            return state_->tls->async_read_some(buffers, std::forward<Token>(token));
        }
        return state_->tcp.async_read_some(buffers, std::forward<Token>(token));
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        if (state_->tls) {
            return state_->tls->async_write_some(buffers, std::forward<Token>(token));
        }
        return state_->tcp.async_write_some(buffers, std::forward<Token>(token));
    }

    // The TLS handshake in this Transport's role (a no-op completion for plain TCP is not
    // offered: call it only when is_tls()).
    template <class Token> auto async_handshake(Token&& token) {
        return state_->tls->async_handshake(role_ == TlsRole::server
                                                ? boost::asio::ssl::stream_base::server
                                                : boost::asio::ssl::stream_base::client,
                                            std::forward<Token>(token));
    }

    // The TLS stream; call only when is_tls().
    boost::asio::ssl::stream<boost::beast::tcp_stream&>& tls() { return *state_->tls; }

    // TLS close_notify; call only when is_tls().
    template <class Token> auto async_shutdown(Token&& token) {
        return state_->tls->async_shutdown(std::forward<Token>(token));
    }

private:
    struct State {
        explicit State(boost::asio::ip::tcp::socket socket) : tcp(std::move(socket)) {}
        boost::beast::tcp_stream tcp;
        std::optional<boost::asio::ssl::stream<boost::beast::tcp_stream&>> tls;
    };
    std::unique_ptr<State> state_;
    TlsRole role_ = TlsRole::server;
};

// Beast's WebSocket closes the underlying connection through these (found by ADL): over TLS
// with a close_notify first (Beast's TLS teardown), else the TCP teardown.
void teardown(boost::beast::role_type role, Transport& transport, boost::system::error_code& ec);

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, Transport& transport, TeardownHandler&& handler) {
    if (transport.is_tls()) {
        boost::beast::async_teardown(role, transport.tls(), std::forward<TeardownHandler>(handler));
        return;
    }
    boost::beast::websocket::async_teardown(role, transport.socket(),
                                            std::forward<TeardownHandler>(handler));
}

} // namespace warren
