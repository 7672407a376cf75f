// WsSession, its socket side: the handshake, the reader, writer and pinger loops, closing.
// What each client frame does is in ws_session_ops.cpp.

#include "web/ws_session.hpp"

#include <algorithm>
#include <cstring>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "web/http_session.hpp"
#include "web/ws_handshake.hpp"

namespace warren::web {

namespace asio = boost::asio;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;
using ws_frame::Event;
using ws_frame::Opcode;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kFirstReadChunk = 4 * 1024; // an idle socket keeps little
constexpr std::size_t kMaxReadChunk = 64 * 1024;  // a busy one reads this much at a time
// What a socket may hold of client input before it reserves from the receive budget.
constexpr std::size_t kFreeReceiveBytes = 2 * kMaxReadChunk;

std::shared_ptr<spdlog::logger> logger() {
    auto log = spdlog::get("web");
    return log ? log : spdlog::default_logger();
}

// The client went away, or we closed it: not worth more than a debug line.
bool is_disconnect(const error_code& ec) {
    return ec == asio::error::operation_aborted || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
           ec == asio::error::broken_pipe || ec == asio::error::not_connected ||
           ec == asio::error::bad_descriptor;
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
    : stream_(std::move(stream)),
      frames_(ws_frame::Role::server, body_limit_for(limits.max_message_size)), broker_(broker),
      principal_(std::move(principal)), limits_(limits), outbox_(limits.outbox_bytes),
      writer_wake_(stream_.get_executor()), reader_wake_(stream_.get_executor()),
      drained_wake_(stream_.get_executor()), ping_timer_(stream_.get_executor()),
      close_timer_(stream_.get_executor()) {
    error_code ec;
    remote_ = stream_.socket().remote_endpoint(ec);
    local_ = stream_.socket().local_endpoint(ec);
}

WsSession::~WsSession() {
    // Normally stop() already closed the Session; this covers a frame destroyed early.
    session_.reset();
}

std::string WsSession::connection_name() const {
    return format_endpoint(remote_) + " -> " + format_endpoint(local_);
}

asio::awaitable<void> WsSession::run(Request request) {
    auto self = shared_from_this();
    if (!co_await handshake(request)) {
        drop_socket();
        co_return;
    }
    open_ = true;
    last_received_ = SteadyClock::now();
    session_ = broker_.open_session(principal_, server::SessionInfo{connection_name(), "WebSocket",
                                                                    remote_.address().to_string(),
                                                                    remote_.port(), 1});
    session_->on_close_request([weak = weak_from_this()](const std::string& reason) {
        // Posted: the request comes from inside a broker call (a user's deletion).
        if (auto session = weak.lock()) {
            asio::post(session->stream_.get_executor(),
                       [session, reason] { session->force_close(reason); });
        }
    });
    logger()->debug("websocket {} opened by user '{}'", connection_name(), principal_.name);
    spawn(write_loop(), "writer");
    spawn(ping_loop(), "pinger");
    try {
        co_await read_loop();
        co_await finish();
    } catch (const std::exception& e) {
        logger()->error("websocket {} failed: {}", connection_name(), e.what());
    }
    stop();
    logger()->debug("websocket {} closed", connection_name());
}

asio::awaitable<bool> WsSession::handshake(const Request& request) {
    // Admission checked the upgrade's headers; a client that does not take the 101 within the
    // close timeout is dropped.
    const std::string response = handshake_response(request);
    close_timer_.expires_after(limits_.close_timeout);
    close_timer_.async_wait([weak = weak_from_this()](error_code ec) {
        if (auto self = weak.lock(); self && !ec && !self->open_) {
            self->drop_socket();
        }
    });
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(response), kTuple);
    (void)n;
    close_timer_.cancel();
    if (ec || closing_) {
        logger()->debug("websocket handshake with {} failed: {}", format_endpoint(remote_),
                        ec ? ec.message() : "server closing");
        co_return false;
    }
    co_return true;
}

void WsSession::spawn(asio::awaitable<void> loop, const char* what) {
    asio::co_spawn(stream_.get_executor(), std::move(loop),
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
    read_buffer_.resize(kFirstReadChunk);
    for (;;) {
        // Every whole frame already read, unless replies pile up unwritten (the client does not
        // read) or too many confirms wait for their commit: then new frames stay in the buffer
        // and the socket until that drains.
        std::size_t wanted = 0;
        bool paused = false;
        while (!stopped_) {
            if (!closing_ && (outbox_.reader_should_pause() ||
                              confirms_.size() > limits_.max_pending_confirms)) {
                paused = true;
                break;
            }
            std::size_t consumed = 0;
            const Event event =
                frames_.next(read_buffer_.data() + read_begin_, read_end_ - read_begin_, consumed);
            const Next next = on_event(event); // its payload points into the buffer: drop after
            read_begin_ += consumed;
            retired_.clear(); // no sink call is on the stack here
            if (next == Next::end) {
                request_commit();
                co_return;
            }
            if (next == Next::more_bytes) {
                wanted = event.wanted;
                break;
            }
        }
        request_commit();
        if (stopped_) {
            co_return;
        }
        if (paused) {
            reader_waiting_ = true;
            reader_wake_.expires_at(SteadyClock::time_point::max());
            co_await reader_wake_.async_wait(kTuple);
            reader_waiting_ = false;
            continue;
        }
        if (!make_room(wanted)) {
            // Why first, then the close; nothing more is read (the big message cannot be held).
            send_error(make_error(Errc::resource_alarm,
                                  "the server is receiving too much at once (the limit is " +
                                      std::to_string(limits_.budget->limit() >> 20) +
                                      " MiB); retry later"));
            begin_close(ws_frame::close_code::try_again_later);
            co_return;
        }
        auto [ec, n] = co_await stream_.async_read_some(
            asio::buffer(read_buffer_.data() + read_end_, read_buffer_.size() - read_end_), kTuple);
        if (ec) {
            logger()->debug("websocket {} read: {}", connection_name(),
                            is_disconnect(ec) ? "closed" : ec.message());
            co_return;
        }
        read_filled_ = read_end_ + n == read_buffer_.size();
        read_end_ += n;
        last_received_ = SteadyClock::now();
    }
}

WsSession::Next WsSession::on_event(const Event& event) {
    switch (event.kind) {
    case Event::Kind::need_more:
        return Next::more_bytes;
    case Event::Kind::text:
        if (!closing_) {
            handle_frame(event.payload);
        }
        return Next::more_events;
    case Event::Kind::binary:
        if (!closing_) {
            send_error(make_error(Errc::bad_request,
                                  "binary frames are not supported: send JSON text frames"));
        }
        return Next::more_events;
    case Event::Kind::ping:
        if (!closing_) {
            outbox_.push_control(Opcode::pong, event.payload);
            wake_writer();
        }
        return Next::more_events;
    case Event::Kind::pong:
        return Next::more_events;
    case Event::Kind::close:
        // The client's close: answered with its code (a close without one with none), unless
        // ours went first and this is the answer.
        if (!closing_) {
            queue_close(event.code == ws_frame::close_code::no_status
                            ? std::string()
                            : ws_frame::close_payload(event.code, {}));
        }
        return Next::end;
    case Event::Kind::too_large:
        // Why first (peers.md pain point 9), then the close; the rest of the message is skipped
        // while the client's close is awaited.
        if (!closing_) {
            const std::size_t limit = body_limit_for(limits_.max_message_size);
            send_error(make_error(Errc::too_large, "frame larger than the limit of " +
                                                       std::to_string(limit) + " bytes"));
            begin_close(ws_frame::close_code::too_big);
        }
        return Next::more_events;
    case Event::Kind::failed:
        logger()->debug("websocket {}: {}", connection_name(), event.payload);
        begin_close(event.code);
        return Next::end; // nothing more can be read from a broken stream
    }
    return Next::end;
}

bool WsSession::make_room(std::size_t wanted) {
    // Drop what was parsed: move the unparsed tail to the front.
    const std::size_t left = read_end_ - read_begin_;
    if (read_begin_ > 0) {
        if (left > 0) {
            std::memmove(read_buffer_.data(), read_buffer_.data() + read_begin_, left);
        }
        read_begin_ = 0;
        read_end_ = left;
    }
    std::size_t size = read_buffer_.size();
    if (wanted > size) {
        size = wanted; // a frame bigger than the buffer (bounded by the reader's limit)
    } else if (read_filled_ && size < kMaxReadChunk) {
        size = std::min(2 * size, kMaxReadChunk); // the last read filled it: more is coming
    } else if (size > kMaxReadChunk && left <= kMaxReadChunk / 2) {
        size = kMaxReadChunk; // after a big frame, back to the usual bound
    }
    // Past a socket's free part, what it holds of client input (the buffer and a message being
    // assembled from fragments) is reserved from the server-wide budget first.
    if (limits_.budget != nullptr) {
        const std::size_t held = std::max(size, read_buffer_.size()) + frames_.assembling_bytes();
        const std::size_t over = held > kFreeReceiveBytes ? held - kFreeReceiveBytes : 0;
        if (over > receiving_.bytes() && !receiving_.resize(*limits_.budget, over)) {
            return false;
        }
    }
    if (size != read_buffer_.size()) {
        read_buffer_.resize(size);
        if (read_buffer_.capacity() > 2 * size) {
            read_buffer_.shrink_to_fit();
        }
    }
    if (limits_.budget != nullptr) {
        const std::size_t held = read_buffer_.capacity() + frames_.assembling_bytes();
        const std::size_t over = held > kFreeReceiveBytes ? held - kFreeReceiveBytes : 0;
        if (over < receiving_.bytes()) {
            receiving_.resize(*limits_.budget, over); // shrinking never fails
        }
    }
    return true;
}

asio::awaitable<void> WsSession::write_loop() {
    for (;;) {
        while (!stopped_ && outbox_.empty()) {
            if (outbox_.idle()) {
                drained_wake_.cancel(); // finish() waits for the close frame to be out
            }
            writer_waiting_ = true;
            writer_wake_.expires_at(SteadyClock::time_point::max());
            co_await writer_wake_.async_wait(kTuple);
            writer_waiting_ = false;
        }
        if (stopped_) {
            co_return;
        }
        // Everything queued goes in this one write; what is queued meanwhile waits for the next.
        const std::string_view data = outbox_.take();
        auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(data), kTuple);
        (void)n;
        outbox_.written();
        if (ec) {
            if (!stopped_ && !is_disconnect(ec)) {
                logger()->debug("websocket {} write: {}", connection_name(), ec.message());
            }
            write_failed_ = true;
            drained_wake_.cancel();
            drop_socket();
            co_return;
        }
        if (stopped_) {
            co_return;
        }
        if (outbox_.take_resume() && session_) {
            session_->resume(); // deliveries were held back for room: pull again
        }
        if (outbox_.below_low_water()) {
            wake_reader();
        }
    }
}

asio::awaitable<void> WsSession::finish() {
    if (!closing_ || stopped_) {
        co_return; // the client vanished or the socket failed: nothing to say goodbye to
    }
    // Our close frame (an answer, or ours after a protocol error) must be out before the
    // connection closes; close_timer_ bounds the wait.
    while (!outbox_.idle() && !write_failed_ && !stopped_) {
        drained_wake_.expires_at(SteadyClock::time_point::max());
        co_await drained_wake_.async_wait(kTuple);
    }
    if (stream_.is_tls() && !write_failed_ && !stopped_) {
        auto [ec] = co_await stream_.async_shutdown(kTuple); // close_notify
        (void)ec;
    }
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
        // Queued, not awaited: a ping stuck behind writes to a client that does not read must
        // not stop this loop from noticing the silence (nor pile up: one per bound's worth).
        if (!closing_ && silent >= limits_.ping_interval / 2 && outbox_.has_room()) {
            outbox_.push_control(Opcode::ping);
            wake_writer();
        }
    }
}

void WsSession::close() {
    begin_close(ws_frame::close_code::going_away);
}

void WsSession::force_close(const std::string& reason) {
    if (stopped_ || closing_) {
        return;
    }
    logger()->info("websocket {} of user '{}' closed by the broker: {}", connection_name(),
                   principal_.name, reason);
    send_error(make_error(Errc::connection_forced, reason));
    // The close frame's reason has room for 123 bytes: the error frame carries the whole one.
    queue_close(
        ws_frame::close_payload(ws_frame::close_code::policy_violation, "closed by the broker"));
}

void WsSession::begin_close(std::uint16_t code) {
    if (stopped_ || closing_) {
        return;
    }
    if (!open_) {
        closing_ = true;
        drop_socket(); // still in the handshake
        return;
    }
    queue_close(ws_frame::close_payload(code, {}));
}

void WsSession::queue_close(std::string_view payload) {
    closing_ = true;
    outbox_.push_control(Opcode::close, payload);
    wake_writer();
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
    // requeued and exclusive queues deleted: all in Session's destructor.
    session_.reset();
    subs_.clear();
    retired_.clear();
    writer_wake_.cancel();
    reader_wake_.cancel();
    drained_wake_.cancel();
    ping_timer_.cancel();
    close_timer_.cancel();
    drop_socket();
}

void WsSession::drop_socket() {
    stream_.abort();
}

void WsSession::wake_reader() {
    if (reader_waiting_) {
        reader_wake_.cancel();
    }
}

void WsSession::wake_writer() {
    if (writer_waiting_) {
        writer_wake_.cancel();
    }
}

} // namespace warren::web
