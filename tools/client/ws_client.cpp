#include "tools/client/ws_client.hpp"

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>

#include "tools/client/connection.hpp"
#include "tools/client/transport_error.hpp"

namespace warren::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

template <class Done> bool WsClient::run_until(Done&& done, SteadyClock::time_point deadline) {
    while (!done()) {
        if (ioc_->stopped()) {
            ioc_->restart();
        }
        const auto now = SteadyClock::now();
        if (now >= deadline) {
            ioc_->poll();
            return done();
        }
        ioc_->run_one_until(deadline);
    }
    return true;
}

WsClient::WsClient(const ServerUrl& url, const std::optional<Credentials>& credentials,
                   TlsContext tls, WsOptions options)
    : url_(url), tls_(tls_context_for(url, std::move(tls))), timeout_(options.timeout),
      ioc_(options.context ? std::move(options.context)
                           : std::make_shared<boost::asio::io_context>(1)),
      ws_(open_connection(*ioc_, url_, tls_.get(), timeout_)) {
    auto& tcp_stream = beast::get_lowest_layer(ws_);
    tcp_stream.expires_after(timeout_);
    ws_.set_option(websocket::stream_base::decorator([credentials](websocket::request_type& req) {
        req.set(beast::http::field::user_agent, "warrenctl");
        if (credentials) {
            req.set(beast::http::field::authorization, basic_authorization(*credentials));
        }
    }));
    websocket::response_type response;
    std::optional<error_code> handshaken;
    ws_.async_handshake(response, url_.authority(), url_.target(options.path),
                        [&](error_code e) { handshaken = e; });
    run_until([&] { return handshaken.has_value(); }, SteadyClock::time_point::max());
    if (*handshaken == websocket::error::upgrade_declined) {
        throw UpgradeRefused(response.result_int(), response.body());
    }
    if (*handshaken) {
        throw TransportError("websocket handshake with " + url_.display() +
                             " failed: " + handshaken->message());
    }
    tcp_stream.expires_never(); // from here on the deadlines are ours
    ws_.read_message_max(std::uint64_t(256) << 20);
    open_ = true;
}

WsClient::~WsClient() {
    error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    // Let the cancelled operations complete while the state they use (buffer_, inbox_) is still
    // alive; on a shared io_context the other clients' ready handlers run too, which is harmless.
    ioc_->restart();
    ioc_->poll();
}

int WsClient::native_handle() {
    return beast::get_lowest_layer(ws_).socket().native_handle();
}

void WsClient::send(std::string_view text) {
    write(text, true);
}

void WsClient::send_binary(std::string_view bytes) {
    write(bytes, false);
}

void WsClient::write(std::string_view bytes, bool text) {
    if (read_error_ || !open_) {
        fail_closed();
    }
    ws_.text(text);
    std::optional<error_code> written;
    ws_.async_write(asio::buffer(bytes.data(), bytes.size()),
                    [&written](error_code ec, std::size_t) { written = ec; });
    if (!run_until([&] { return written.has_value(); }, SteadyClock::now() + timeout_)) {
        error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        run_until([&] { return written.has_value(); }, SteadyClock::time_point::max());
        open_ = false;
        throw TransportError("lost the connection to " + url_.display() +
                             ": the server did not read in time");
    }
    if (*written) {
        open_ = false;
        throw TransportError("lost the connection to " + url_.display() + ": " +
                             written->message());
    }
}

void WsClient::start_read() {
    read_pending_ = true;
    ws_.async_read(buffer_, [this](error_code ec, std::size_t) {
        read_pending_ = false;
        if (ec) {
            read_error_ = ec;
            return;
        }
        inbox_.push_back(beast::buffers_to_string(buffer_.data()));
        buffer_.consume(buffer_.size());
    });
}

void WsClient::fail_closed() {
    if (read_error_ == websocket::error::closed) {
        const auto& reason = ws_.reason();
        std::string how = "the server closed the connection (code " +
                          std::to_string(static_cast<unsigned>(reason.code));
        if (!reason.reason.empty()) {
            how += ": " + std::string(reason.reason.c_str());
        }
        throw TransportError(how + ")");
    }
    throw TransportError("lost the connection to " + url_.display() +
                         (read_error_ ? ": " + read_error_.message() : std::string()));
}

std::optional<std::string> WsClient::read(std::chrono::milliseconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    for (;;) {
        if (!inbox_.empty()) {
            std::string frame = std::move(inbox_.front());
            inbox_.pop_front();
            return frame;
        }
        if (read_error_ || !open_) {
            fail_closed();
        }
        if (interrupted_) {
            return std::nullopt;
        }
        if (!read_pending_) {
            start_read();
        }
        if (!run_until([&] { return !inbox_.empty() || read_error_ || interrupted_; }, deadline)) {
            return std::nullopt;
        }
    }
}

void WsClient::close() {
    if (!open_ || read_error_) {
        return;
    }
    open_ = false;
    std::optional<error_code> closed;
    ws_.async_close(websocket::close_code::normal, [&closed](error_code ec) { closed = ec; });
    const auto deadline = SteadyClock::now() + std::chrono::seconds(2);
    if (!run_until([&] { return closed.has_value(); }, deadline)) {
        error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        run_until([&] { return closed.has_value(); }, SteadyClock::time_point::max());
        return;
    }
    // The close completes when the server's close frame is read by the pending read (or by the
    // close itself); drain so the pending read finishes before the stream goes away.
    run_until([&] { return !read_pending_; }, deadline);
}

void WsClient::abort() {
    open_ = false;
    ws_.next_layer().abort();
    // The pending read fails now (operation aborted): let it, so closed() and read() say so.
    run_until([&] { return !read_pending_; }, SteadyClock::now() + timeout_);
}

std::uint16_t WsClient::close_code() const {
    return ws_.reason().code;
}

} // namespace warren::client
