#include "amqp/amqp_connection.hpp"

#include <cstring>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

#include "amqp/amqp_channel.hpp"
#include "amqp/codec/reply_codes.hpp"
#include "amqp/server_properties.hpp"

namespace warren::amqp {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 64 * 1024;

std::string endpoint_text(const asio::ip::tcp::endpoint& e) {
    return e.address().to_string() + ":" + std::to_string(e.port());
}

std::string described(std::uint16_t code, const std::string& text) {
    return std::string(reply::name(code)) + " - " + text;
}

} // namespace

AmqpConnection::AmqpConnection(Transport transport, server::Broker& broker,
                               const AmqpLimits& limits)
    : transport_(std::move(transport)), broker_(broker), limits_(limits),
      writer_wake_(transport_.get_executor()), heartbeat_timer_(transport_.get_executor()),
      close_timer_(transport_.get_executor()) {
    boost::system::error_code ec;
    remote_ = transport_.socket().remote_endpoint(ec);
    const auto local = transport_.socket().local_endpoint(ec);
    name_ = endpoint_text(remote_) + " -> " + endpoint_text(local);
    last_received_ = last_sent_ = Clock::now();
}

AmqpConnection::~AmqpConnection() {
    channels_.clear(); // channels' sessions go before the connection's
    session_.reset();
}

void AmqpConnection::spawn(asio::awaitable<void> loop, const char* what) {
    asio::co_spawn(transport_.get_executor(), std::move(loop),
                   [self = shared_from_this(), what](std::exception_ptr error) {
                       if (!error) {
                           return;
                       }
                       try {
                           std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                           spdlog::error("amqp {} {}: {}", self->name_, what, e.what());
                       }
                       self->stop();
                   });
}

asio::awaitable<void> AmqpConnection::run() {
    auto self = shared_from_this();
    if (transport_.is_tls()) {
        transport_.expires_after(limits_.handshake_timeout);
        auto [ec] = co_await transport_.async_handshake(kTuple);
        transport_.expires_never();
        if (ec) {
            spdlog::debug("amqps {}: TLS handshake failed: {}", name_, ec.message());
            co_return;
        }
    }
    spawn(write_loop(), "writer");
    spawn(heartbeat_loop(), "heartbeat");
    co_await read_loop();
    if (!stopped_ && !outbox_.empty()) {
        // Reading ended on a framing error or a wrong header: what is queued (the close, our
        // protocol header) goes out first, within close_timeout.
        stop_after_write_ = true;
        wake_writer();
        close_timer_.expires_after(limits_.close_timeout);
        co_await close_timer_.async_wait(kTuple);
    }
    stop();
}

void AmqpConnection::close() {
    if (state_ == State::running || state_ == State::open) {
        connection_error(reply::kConnectionForced, "broker forced connection closure");
        return;
    }
    stop();
}

void AmqpConnection::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    channels_.clear(); // sessions closed: consumers cancelled, unacked requeued
    session_.reset();  // exclusive queues go
    writer_wake_.cancel();
    heartbeat_timer_.cancel();
    close_timer_.cancel();
    transport_.close();
}

void AmqpConnection::wake_writer() {
    if (writer_waiting_) {
        writer_wake_.cancel();
    }
}

asio::awaitable<void> AmqpConnection::read_loop() {
    // The handshake must complete within its timeout; afterwards heartbeats watch the peer.
    close_timer_.expires_after(limits_.handshake_timeout);
    close_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (!ec && self && self->state_ != State::running && self->state_ != State::closing) {
            self->stop();
        }
    });
    for (;;) {
        if (read_end_ > read_begin_ && !on_bytes()) {
            co_return;
        }
        if (stopped_) {
            co_return;
        }
        // Drop what was handled; keep the partial frame at the front. The buffer is not
        // zero-filled (a std::string resize would clear 64 KiB before every read).
        if (read_begin_ > 0) {
            std::memmove(read_buffer_.get(), read_buffer_.get() + read_begin_,
                         read_end_ - read_begin_);
            read_end_ -= read_begin_;
            read_begin_ = 0;
        }
        if (read_capacity_ - read_end_ < kReadChunk) {
            const std::size_t capacity = read_end_ + kReadChunk;
            auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
            if (read_end_ > 0) {
                std::memcpy(bigger.get(), read_buffer_.get(), read_end_);
            }
            read_buffer_ = std::move(bigger);
            read_capacity_ = capacity;
        }
        auto [ec, n] = co_await transport_.async_read_some(
            asio::buffer(read_buffer_.get() + read_end_, read_capacity_ - read_end_), kTuple);
        read_end_ += n;
        if (ec) {
            co_return;
        }
        last_received_ = Clock::now();
    }
}

bool AmqpConnection::on_bytes() {
    if (state_ == State::header) {
        if (read_end_ < kProtocolHeader.size()) {
            return true;
        }
        const std::string_view header(read_buffer_.get(), kProtocolHeader.size());
        read_begin_ = kProtocolHeader.size();
        // AMQP 0-9-1 only (RabbitMQ also speaks 0-9 and 0-8): anything else gets the header we
        // speak, and the socket closes.
        if (header != kProtocolHeader) {
            outbox_.append(kProtocolHeader);
            state_ = State::closing;
            wake_writer();
            return false;
        }
        ConnectionStart start;
        start.server_properties = server_properties(broker_);
        start.mechanisms = "AMQPLAIN PLAIN";
        start.locales = "en_US";
        send_method(0, start);
        state_ = State::start_ok;
    }
    while (!stopped_) {
        const std::string_view rest(read_buffer_.get() + read_begin_, read_end_ - read_begin_);
        const FrameCut cut = cut_frame(rest, frame_max_);
        if (cut.status == FrameCut::Status::need_more) {
            break;
        }
        if (cut.status == FrameCut::Status::error) {
            connection_error(reply::kFrameError, cut.reason);
            return false;
        }
        read_begin_ += cut.consumed;
        if (state_ == State::closing) {
            // After our connection.close only its close-ok counts.
            if (cut.frame.type == FrameType::method && cut.frame.channel == 0) {
                auto decoded = decode_method(cut.frame.payload);
                if (decoded.method && (std::holds_alternative<ConnectionCloseOk>(*decoded.method) ||
                                       std::holds_alternative<ConnectionClose>(*decoded.method))) {
                    if (std::holds_alternative<ConnectionClose>(*decoded.method)) {
                        send_method(0, ConnectionCloseOk{});
                    }
                    stop();
                    return false;
                }
            }
            continue;
        }
        on_frame(cut.frame);
    }
    for (auto& [number, channel] : channels_) {
        channel->after_frames();
    }
    std::erase_if(channels_, [](const auto& c) { return c.second->finished(); });
    return !stopped_;
}

void AmqpConnection::on_frame(const Frame& frame) {
    if (frame.type == FrameType::heartbeat) {
        if (frame.channel != 0) {
            connection_error(reply::kFrameError,
                             "heartbeat on channel " + std::to_string(frame.channel));
        }
        return;
    }
    if (frame.channel != 0) {
        if (state_ != State::running) {
            connection_error(reply::kCommandInvalid, "channel frame before the connection opened");
            return;
        }
        on_channel_frame(frame);
        return;
    }
    if (frame.type != FrameType::method) {
        connection_error(reply::kUnexpectedFrame,
                         "expected method frame, got non method frame instead");
        return;
    }
    auto decoded = decode_method(frame.payload);
    if (!decoded.method) {
        connection_error(decoded.error.reply_code, decoded.error.text, decoded.error.class_id,
                         decoded.error.method_id);
        return;
    }
    on_connection_method(*decoded.method);
}

void AmqpConnection::on_connection_method(Method& method) {
    const auto unexpected = [&] {
        connection_error(reply::kCommandInvalid,
                         "unexpected method " + std::string(name_of(method)) +
                             " on channel 0 in this connection state",
                         class_id_of(method), method_id_of(method));
    };
    if (auto* start_ok = std::get_if<ConnectionStartOk>(&method)) {
        state_ == State::start_ok ? on_start_ok(*start_ok) : unexpected();
    } else if (auto* tune_ok = std::get_if<ConnectionTuneOk>(&method)) {
        state_ == State::tune_ok ? on_tune_ok(*tune_ok) : unexpected();
    } else if (auto* open = std::get_if<ConnectionOpen>(&method)) {
        state_ == State::open ? on_open(*open) : unexpected();
    } else if (std::holds_alternative<ConnectionClose>(method)) {
        send_method(0, ConnectionCloseOk{});
        state_ = State::closing;
        stop_after_write_ = true;
        wake_writer();
    } else if (std::holds_alternative<ConnectionCloseOk>(method)) {
        stop();
    } else if (std::holds_alternative<ConnectionSecureOk>(method) ||
               std::holds_alternative<ConnectionUpdateSecret>(method)) {
        connection_error(reply::kNotImplemented, std::string(name_of(method)) + " is not supported",
                         class_id_of(method), method_id_of(method));
    } else {
        unexpected();
    }
}

void AmqpConnection::on_channel_frame(const Frame& frame) {
    auto it = channels_.find(frame.channel);
    if (it != channels_.end() && it->second->finished()) {
        // Closed earlier in this batch of frames (its close-ok came with what follows, often a
        // channel.open that reuses the number): gone now.
        channels_.erase(it);
        it = channels_.end();
    }
    if (it == channels_.end()) {
        if (frame.type != FrameType::method) {
            connection_error(reply::kChannelError, "expected 'channel.open'");
            return;
        }
        auto decoded = decode_method(frame.payload);
        if (!decoded.method) {
            connection_error(decoded.error.reply_code, decoded.error.text, decoded.error.class_id,
                             decoded.error.method_id);
            return;
        }
        if (!std::holds_alternative<ChannelOpen>(*decoded.method)) {
            connection_error(reply::kChannelError, "expected 'channel.open'",
                             class_id_of(*decoded.method), method_id_of(*decoded.method));
            return;
        }
        if (channels_.size() >= channel_max_) {
            connection_error(reply::kNotAllowed,
                             "number of channels opened (" + std::to_string(channels_.size()) +
                                 ") has reached the negotiated channel_max (" +
                                 std::to_string(channel_max_) + ")",
                             ChannelOpen::kClass, ChannelOpen::kMethod);
            return;
        }
        channels_.emplace(frame.channel, std::make_unique<AmqpChannel>(*this, frame.channel));
        send_method(frame.channel, ChannelOpenOk{});
        return;
    }
    it->second->on_frame(frame);
}

void AmqpConnection::send_method(std::uint16_t channel, const Method& method) {
    append_method(outbox_, channel, method);
    wake_writer();
}

void AmqpConnection::connection_error(std::uint16_t code, const std::string& text,
                                      std::uint16_t class_id, std::uint16_t method_id) {
    if (state_ == State::closing || stopped_) {
        return;
    }
    spdlog::debug("amqp {}: closing the connection: {} - {}", name_, reply::name(code), text);
    send_method(0,
                ConnectionClose{code, described(code, text).substr(0, 255), class_id, method_id});
    state_ = State::closing;
    channels_.clear();
    // The client answers with close-ok; one that does not is dropped after close_timeout.
    close_timer_.expires_after(limits_.close_timeout);
    close_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        if (auto self = weak.lock(); self && !ec) {
            self->stop();
        }
    });
}

asio::awaitable<void> AmqpConnection::write_loop() {
    auto self = shared_from_this();
    std::string writing;
    for (;;) {
        while (!stopped_ && outbox_.empty()) {
            if (stop_after_write_) {
                stop();
                co_return;
            }
            writer_waiting_ = true;
            writer_wake_.expires_at(Clock::time_point::max());
            co_await writer_wake_.async_wait(kTuple);
            writer_waiting_ = false;
        }
        if (stopped_) {
            co_return;
        }
        const bool was_full = outbox_.size() >= limits_.outbox_bytes;
        writing.clear();
        writing.swap(outbox_);
        auto [ec, n] = co_await asio::async_write(transport_, asio::buffer(writing), kTuple);
        (void)n;
        if (ec) {
            stop();
            co_return;
        }
        last_sent_ = Clock::now();
        if (writing.capacity() > 4 * limits_.outbox_bytes) {
            writing = std::string(); // a burst's buffer is not kept
        }
        if (was_full && !stopped_) {
            for (auto& [number, channel] : channels_) {
                channel->resume();
            }
        }
    }
}

asio::awaitable<void> AmqpConnection::heartbeat_loop() {
    auto self = shared_from_this();
    while (!stopped_) {
        if (heartbeat_s_ == 0) {
            heartbeat_timer_.expires_at(Clock::time_point::max());
            co_await heartbeat_timer_.async_wait(kTuple);
            continue;
        }
        const auto interval = std::chrono::seconds(heartbeat_s_);
        heartbeat_timer_.expires_after(interval / 2);
        co_await heartbeat_timer_.async_wait(kTuple);
        if (stopped_) {
            co_return;
        }
        const auto now = Clock::now();
        if (now - last_received_ > 2 * interval) {
            spdlog::info("amqp {}: missed heartbeats from the client, closing", name_);
            stop();
            co_return;
        }
        if (now - last_sent_ >= interval / 2 && outbox_.empty()) {
            append_heartbeat(outbox_);
            wake_writer();
        }
    }
}

} // namespace warren::amqp
