#include "tools/perf/amqp_connection.hpp"

#include <cstring>
#include <iostream>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "amqp/codec/reply_codes.hpp"
#include "amqp/codec/wire.hpp"

namespace warren::perf {

namespace asio = boost::asio;
using amqp::Frame;
using amqp::FrameCut;
using amqp::FrameType;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 64 * 1024;
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);

bool has_word(std::string_view words, std::string_view word) {
    std::size_t at = 0;
    while (at < words.size()) {
        std::size_t end = words.find(' ', at);
        if (end == std::string_view::npos) {
            end = words.size();
        }
        if (words.substr(at, end - at) == word) {
            return true;
        }
        at = end + 1;
    }
    return false;
}

// channel.close (20.40) on a method frame, told from its ids without decoding the rest.
bool is_channel_close(const Frame& frame) {
    return frame.type == FrameType::method && frame.payload.size() >= 4 &&
           amqp::get_u16(frame.payload) == amqp::ChannelClose::kClass &&
           amqp::get_u16(frame.payload.substr(2)) == amqp::ChannelClose::kMethod;
}

// "406 PRECONDITION_FAILED - ..." (RabbitMQ's and warren's texts start with the code's name).
std::string reply_text(std::uint16_t code, const std::string& text) {
    return std::to_string(code) + " " + text;
}

} // namespace

AmqpConnection::AmqpConnection(asio::any_io_executor executor, const char* who)
    : ClientStream(executor, who), reader_done_(executor) {}

asio::awaitable<void> AmqpConnection::open(const Target& target, const PerfOptions& options) {
    co_await connect_tcp(target, stream_);
    in_.resize(kReadChunk);
    stream_.expires_after(kHandshakeTimeout);
    out_.append(amqp::kProtocolHeader);
    co_await flush();
    const auto start = co_await expect_connection_method<amqp::ConnectionStart>();
    if (!has_word(start.mechanisms, "PLAIN")) {
        throw ConnectError("the broker at " + target.url + " offers no PLAIN login (only '" +
                           start.mechanisms + "')");
    }
    amqp::ConnectionStartOk start_ok;
    // As the client libraries: the capabilities the broker may use with us. With
    // authentication_failure_close a refused login is a connection.close that says so rather
    // than a dropped socket.
    start_ok.client_properties = {
        {"product", "warren-perf"},
        {"information", "a load generator in the manner of RabbitMQ PerfTest"},
        {"connection_name", std::string("warren-perf ") + who_},
        {"capabilities", amqp::FieldTable{{"publisher_confirms", true},
                                          {"basic.nack", true},
                                          {"consumer_cancel_notify", true},
                                          {"connection.blocked", true},
                                          {"authentication_failure_close", true}}}};
    start_ok.mechanism = "PLAIN";
    start_ok.response = std::string(1, '\0') + options.user + '\0' + options.password;
    start_ok.locale = "en_US";
    amqp::append_method(out_, 0, start_ok);
    co_await flush();
    const auto tune = co_await expect_connection_method<amqp::ConnectionTune>();
    // The broker's limits stand. Heartbeat 0: a run is never quiet for long, and one the broker
    // sends anyway is answered (on_channel_zero).
    frame_max_ = tune.frame_max;
    amqp::append_method(out_, 0, amqp::ConnectionTuneOk{tune.channel_max, tune.frame_max, 0});
    amqp::ConnectionOpen open;
    open.virtual_host = options.vhost;
    amqp::append_method(out_, 0, open);
    co_await flush();
    co_await expect_connection_method<amqp::ConnectionOpenOk>();
    const amqp::Method opened = co_await call(amqp::ChannelOpen{});
    if (!std::holds_alternative<amqp::ChannelOpenOk>(opened)) {
        fail("channel.open answered with " + std::string(amqp::name_of(opened)));
    }
    stream_.expires_never();
}

template <class M> asio::awaitable<M> AmqpConnection::expect_connection_method() {
    for (;;) {
        const Frame frame = co_await next_frame();
        if (frame.channel != 0) {
            fail("a frame on channel " + std::to_string(frame.channel) + " during the handshake");
        }
        auto method = on_channel_zero(frame);
        if (!method) {
            continue;
        }
        if (auto* m = std::get_if<M>(&*method)) {
            co_return std::move(*m);
        }
        fail("expected " + std::string(M::kName) + ", got " + std::string(amqp::name_of(*method)));
    }
}

std::optional<amqp::Method> AmqpConnection::on_channel_zero(const Frame& frame) {
    if (frame.type == FrameType::heartbeat) {
        amqp::append_heartbeat(out_); // the writer's next flush sends it
        return std::nullopt;
    }
    if (frame.type != FrameType::method) {
        fail("a content frame on channel 0");
    }
    auto decoded = amqp::decode_method(frame.payload);
    if (!decoded.method) {
        fail("a method from the broker that does not decode: " + decoded.error.text);
    }
    if (auto* close = std::get_if<amqp::ConnectionClose>(&*decoded.method)) {
        throw ConnectError(std::string(who_) + " connection closed by the broker: " +
                           reply_text(close->reply_code, close->reply_text));
    }
    // A resource alarm: the broker stops reading our socket until it clears, so publishers
    // simply wait in their socket writes. Said on stderr, or a stalled run would be a puzzle.
    if (auto* blocked = std::get_if<amqp::ConnectionBlocked>(&*decoded.method)) {
        std::cerr << "warren-perf: the broker blocked a " << who_
                  << " connection (a resource alarm: " << blocked->reason << ")\n";
        return std::nullopt;
    }
    if (std::holds_alternative<amqp::ConnectionUnblocked>(*decoded.method)) {
        std::cerr << "warren-perf: the broker unblocked a " << who_ << " connection\n";
        return std::nullopt;
    }
    return std::move(decoded.method);
}

asio::awaitable<Frame> AmqpConnection::next_frame() {
    for (;;) {
        const std::string_view rest(in_.data() + in_begin_, in_end_ - in_begin_);
        FrameCut cut = amqp::cut_frame(rest, frame_max_);
        if (cut.status == FrameCut::Status::frame) {
            in_begin_ += cut.consumed;
            co_return cut.frame;
        }
        if (cut.status == FrameCut::Status::error) {
            // A broker that speaks another AMQP version answers our header with its own.
            if (rest.starts_with("AMQP")) {
                fail("the broker does not speak AMQP 0-9-1 (it answered with another protocol "
                     "header)");
            }
            fail("a bad frame from the broker: " + cut.reason);
        }
        if (!co_await read_more()) {
            fail("the connection ended");
        }
    }
}

asio::awaitable<amqp::Method> AmqpConnection::call(const amqp::Method& method) {
    queue_method(method);
    co_await flush();
    for (;;) {
        const Frame frame = co_await next_frame();
        if (frame.channel == 0) {
            if (auto other = on_channel_zero(frame)) {
                fail("unexpected " + std::string(amqp::name_of(*other)));
            }
            continue;
        }
        if (frame.channel != kChannel || frame.type != FrameType::method) {
            fail("unexpected frame on channel " + std::to_string(frame.channel) + " after " +
                 std::string(amqp::name_of(method)));
        }
        auto decoded = amqp::decode_method(frame.payload);
        if (!decoded.method) {
            fail("a method from the broker that does not decode: " + decoded.error.text);
        }
        if (auto* close = std::get_if<amqp::ChannelClose>(&*decoded.method)) {
            throw ConnectError(std::string(who_) + " channel closed by the broker on " +
                               std::string(amqp::name_of(method)) + ": " +
                               reply_text(close->reply_code, close->reply_text));
        }
        co_return std::move(*decoded.method);
    }
}

asio::awaitable<void>
AmqpConnection::read_frames(std::function<void(const amqp::Frame&)> on_frame) {
    // However the reader ends, close() must not wait for it.
    struct Ended {
        AmqpConnection& c;
        ~Ended() {
            c.reader_ended_ = true;
            c.reader_done_.cancel();
        }
    } ended{*this};
    reader_started_ = true;
    for (;;) {
        const std::string_view rest(in_.data() + in_begin_, in_end_ - in_begin_);
        FrameCut cut = amqp::cut_frame(rest, frame_max_);
        if (cut.status == FrameCut::Status::need_more) {
            if (!co_await read_more()) {
                co_return;
            }
            continue;
        }
        if (cut.status == FrameCut::Status::error) {
            fail("a bad frame from the broker: " + cut.reason);
        }
        in_begin_ += cut.consumed; // the payload stays put until the next read_more
        const Frame& frame = cut.frame;
        if (closing_) {
            // After our connection.close only its close-ok (or a crossing close) counts.
            if (frame.channel == 0 && frame.type == FrameType::method) {
                auto decoded = amqp::decode_method(frame.payload);
                if (decoded.method &&
                    (std::holds_alternative<amqp::ConnectionCloseOk>(*decoded.method) ||
                     std::holds_alternative<amqp::ConnectionClose>(*decoded.method))) {
                    co_return;
                }
            }
            continue;
        }
        if (frame.channel == 0) {
            if (auto other = on_channel_zero(frame)) {
                fail("unexpected " + std::string(amqp::name_of(*other)));
            }
            continue;
        }
        if (frame.channel != kChannel) {
            fail("a frame on channel " + std::to_string(frame.channel));
        }
        if (is_channel_close(frame)) {
            auto decoded = amqp::decode_method(frame.payload);
            const auto* close =
                decoded.method ? std::get_if<amqp::ChannelClose>(&*decoded.method) : nullptr;
            throw ConnectError(
                std::string(who_) + " channel closed by the broker: " +
                (close ? reply_text(close->reply_code, close->reply_text) : decoded.error.text));
        }
        on_frame(frame);
    }
}

asio::awaitable<void> AmqpConnection::close(std::chrono::milliseconds timeout) {
    if (!closing_) {
        closing_ = true;
        amqp::append_method(out_, 0, amqp::ConnectionClose{amqp::reply::kSuccess, "bye", 0, 0});
        co_await flush();
    }
    if (!reader_started_) {
        // No reader (a connection that only declared): wait for the close-ok here.
        stream_.expires_after(timeout);
        try {
            for (;;) {
                const Frame frame = co_await next_frame();
                if (frame.channel == 0 && frame.type == FrameType::method) {
                    auto decoded = amqp::decode_method(frame.payload);
                    if (decoded.method &&
                        (std::holds_alternative<amqp::ConnectionCloseOk>(*decoded.method) ||
                         std::holds_alternative<amqp::ConnectionClose>(*decoded.method))) {
                        break; // close-ok, or a close crossing ours
                    }
                }
            }
        } catch (const ConnectError&) {
            // The socket ended or timed out first: it goes anyway.
        }
    } else if (!reader_ended_) {
        reader_done_.expires_after(timeout);
        auto [ec] = co_await reader_done_.async_wait(kTuple);
        (void)ec;
    }
    abort();
}

} // namespace warren::perf
