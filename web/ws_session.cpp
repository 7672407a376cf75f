// WsSession, its socket side: the handshake, the reader, writer and pinger loops, shutdown.
// What each client frame does is in ws_session_ops.cpp.

#include "web/ws_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>
#include <spdlog/spdlog.h>

#include "web/http_session.hpp"

namespace warren::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 64 * 1024; // read a message this much at a time

std::shared_ptr<spdlog::logger> logger() {
    auto log = spdlog::get("web");
    return log ? log : spdlog::default_logger();
}

// The client went away or closed properly, or we closed it: not worth more than a debug line.
bool is_disconnect(const error_code& ec) {
    return ec == websocket::error::closed || ec == asio::error::operation_aborted ||
           ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::connection_aborted || ec == asio::error::broken_pipe ||
           ec == asio::error::not_connected || ec == asio::error::bad_descriptor ||
           ec == beast::error::timeout;
}

std::string format_endpoint(const asio::ip::tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    const std::string host =
        address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return host + ":" + std::to_string(endpoint.port());
}

} // namespace

WsSession::WsSession(Transport stream, server::Broker& broker, Principal principal,
                     const WsLimits& limits)
    : ws_(std::move(stream)), broker_(broker), principal_(std::move(principal)), limits_(limits),
      outbox_(limits.outbox_bytes), writer_wake_(ws_.get_executor()),
      reader_wake_(ws_.get_executor()), ping_timer_(ws_.get_executor()),
      close_timer_(ws_.get_executor()) {
    error_code ec;
    remote_ = beast::get_lowest_layer(ws_).socket().remote_endpoint(ec);
    local_ = beast::get_lowest_layer(ws_).socket().local_endpoint(ec);
}

WsSession::~WsSession() {
    // Normally stop() already closed the Connection; this covers a frame destroyed early.
    connection_.reset();
}

std::string WsSession::connection_name() const {
    return format_endpoint(remote_) + " -> " + format_endpoint(local_);
}

asio::awaitable<void> WsSession::run(Request request) {
    auto self = shared_from_this();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = limits_.close_timeout;     // the opening and the closing handshake
    timeouts.idle_timeout = websocket::stream_base::none(); // ping_loop does this, pings included
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(beast::http::field::server, "warren"); }));
    ws_.read_message_max(0); // read_loop enforces the frame limit, answering before it closes
    ws_.control_callback([this](websocket::frame_type, beast::string_view) {
        last_received_ = SteadyClock::now(); // pings and pongs count as signs of life
    });

    auto [accept_ec] = co_await ws_.async_accept(request, kTuple);
    if (accept_ec || closing_) {
        logger()->debug("websocket handshake with {} failed: {}", format_endpoint(remote_),
                        accept_ec ? accept_ec.message() : "server closing");
        drop_socket();
        co_return;
    }
    open_ = true;
    last_received_ = SteadyClock::now();
    connection_ = broker_.open_connection(connection_name(), principal_.name);
    logger()->debug("websocket {} opened by user '{}'", connection_name(), principal_.name);
    spawn(write_loop(), "writer");
    spawn(ping_loop(), "pinger");
    try {
        co_await read_loop();
    } catch (const std::exception& e) {
        logger()->error("websocket {} failed: {}", connection_name(), e.what());
    }
    stop();
    logger()->debug("websocket {} closed", connection_name());
}

void WsSession::spawn(asio::awaitable<void> loop, const char* what) {
    asio::co_spawn(ws_.get_executor(), std::move(loop),
                   [self = shared_from_this(), what](std::exception_ptr error) {
                       if (!error) {
                           return;
                       }
                       try {
                           std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                           logger()->error("websocket {} {} failed: {}", self->connection_name(),
                                           what, e.what());
                       }
                       self->drop_socket(); // the reader ends, and stop() cleans up
                   });
}

asio::awaitable<void> WsSession::read_loop() {
    // The frame limit is ours, not Beast's read_message_max: Beast would fail the connection at
    // once, so the client would never learn why; here it gets an error frame, then a 1009 close.
    const std::size_t max_frame = body_limit_for(limits_.max_message_size);
    beast::flat_buffer buffer;
    for (;;) {
        // Backpressure on requests: while replies pile up unwritten (the client does not read)
        // or too many confirms wait for their commit, leave new frames in the socket.
        while (!stopped_ && !closing_ &&
               (outbox_.reader_should_pause() || confirms_.size() > limits_.max_pending_confirms)) {
            reader_wake_.expires_at(SteadyClock::time_point::max());
            co_await reader_wake_.async_wait(kTuple);
        }
        if (stopped_) {
            co_return;
        }
        bool too_large = false;
        do {
            auto [ec, n] = co_await ws_.async_read_some(buffer, kReadChunk, kTuple);
            (void)n;
            if (ec) {
                // Beast has already answered a protocol violation (invalid UTF-8 in a text
                // frame: 1007) with its close code before reporting it here.
                logger()->debug("websocket {} read: {}", connection_name(),
                                is_disconnect(ec) ? "closed" : ec.message());
                co_return;
            }
            last_received_ = SteadyClock::now();
            if (closing_ || too_large || buffer.size() > max_frame) {
                too_large = too_large || (!closing_ && buffer.size() > max_frame);
                buffer.consume(buffer.size()); // discard the rest of this message
            }
        } while (!ws_.is_message_done());
        if (closing_) {
            continue; // only the close handshake matters now
        }
        if (too_large) {
            send_error(make_error(Errc::too_large, "frame larger than the limit of " +
                                                       std::to_string(max_frame) + " bytes"));
            begin_close(websocket::close_code::too_big);
        } else if (!ws_.got_text()) {
            send_error(make_error(Errc::bad_request,
                                  "binary frames are not supported: send JSON text frames"));
        } else {
            const auto data = buffer.data();
            handle_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
        }
        buffer.consume(buffer.size());
        retired_.clear(); // no sink call is on the stack here
    }
}

asio::awaitable<void> WsSession::write_loop() {
    for (;;) {
        while (!stopped_ && !closing_ && outbox_.empty()) {
            writer_wake_.expires_at(SteadyClock::time_point::max());
            co_await writer_wake_.async_wait(kTuple);
        }
        if (stopped_) {
            co_return;
        }
        if (outbox_.empty()) {
            // Closing, and everything queued (error frames included) is written: now the close.
            const websocket::close_reason reason(close_code_);
            auto [ec] = co_await ws_.async_close(reason, kTuple);
            if (ec) {
                drop_socket();
            }
            co_return;
        }
        // Corked while it drains: each Beast write completes into the coalescer's buffer and the
        // frames go out together once the outbox is empty (or the buffer is full).
        ws_.next_layer().cork();
        const bool written = co_await drain_outbox();
        ws_.next_layer().uncork();
        if (!written) {
            co_return;
        }
    }
}

asio::awaitable<bool> WsSession::drain_outbox() {
    while (!outbox_.empty()) {
        ws_.text(true);
        auto [ec, n] = co_await ws_.async_write(asio::buffer(outbox_.front()), kTuple);
        (void)n;
        if (ec) {
            if (!stopped_ && !is_disconnect(ec)) {
                logger()->debug("websocket {} write: {}", connection_name(), ec.message());
            }
            drop_socket();
            co_return false;
        }
        outbox_.pop();
        if (stopped_) {
            co_return false;
        }
        if (outbox_.take_resume() && connection_) {
            connection_->resume(); // deliveries were held back for room: pull again
        }
        if (outbox_.below_low_water()) {
            reader_wake_.cancel();
        }
    }
    co_return true;
}

asio::awaitable<void> WsSession::ping_loop() {
    for (;;) {
        ping_timer_.expires_after(limits_.ping_interval);
        co_await ping_timer_.async_wait(kTuple);
        if (stopped_) {
            co_return;
        }
        const auto silent = SteadyClock::now() - last_received_;
        if (silent >= limits_.idle_timeout) {
            logger()->info("websocket {}: nothing received for {} s, closing", connection_name(),
                           std::chrono::duration_cast<std::chrono::seconds>(silent).count());
            drop_socket();
            co_return;
        }
        // Not awaited: a ping stuck behind a write to a client that does not read must not
        // stop this loop from noticing the silence.
        if (!ping_in_flight_ && !closing_ && silent >= limits_.ping_interval / 2) {
            ping_in_flight_ = true;
            ws_.async_ping(
                {}, [self = shared_from_this()](error_code) { self->ping_in_flight_ = false; });
        }
    }
}

void WsSession::close() {
    begin_close(websocket::close_code::going_away);
}

void WsSession::begin_close(websocket::close_code code) {
    if (stopped_ || closing_) {
        return;
    }
    closing_ = true;
    close_code_ = code;
    if (!open_) {
        drop_socket(); // still in the handshake
        return;
    }
    writer_wake_.cancel();
    reader_wake_.cancel();
    close_timer_.expires_after(limits_.close_timeout);
    close_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec && !self->stopped_) {
            self->drop_socket(); // the client did not finish the closing handshake in time
        }
    });
}

void WsSession::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    // Consumers go first (no delivery reaches a sink after this), then unacked deliveries are
    // requeued and exclusive queues deleted: all in Connection's destructor.
    connection_.reset();
    subs_.clear();
    retired_.clear();
    writer_wake_.cancel();
    reader_wake_.cancel();
    ping_timer_.cancel();
    close_timer_.cancel();
    drop_socket();
}

void WsSession::drop_socket() {
    error_code ec;
    auto& socket = beast::get_lowest_layer(ws_).socket();
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket.close(ec);
}

} // namespace warren::web
