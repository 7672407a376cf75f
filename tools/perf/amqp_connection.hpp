#pragma once

// AmqpConnection: warren-perf's AMQP 0-9-1 client connection (--protocol amqp), framed by the
// project's codec (amqp/codec) and nothing of the broker. open() does the handshake a client
// library does: the protocol header, start-ok with PLAIN, tune-ok (the broker's frame_max and
// channel_max, heartbeat 0: a run never idles long, and heartbeats the broker sends anyway are
// answered), connection.open on the vhost, then channel 1, the only channel.
//
// As WsConnection: frames are queued into one buffer (outbox) and flush() sends all of them in
// one socket write; the reader takes whatever the socket holds and hands every whole frame of
// channel 1 to its callback in one go. Channel 0 is handled here. A connection.close or
// channel.close from the broker ends the connection with a ConnectError naming `who`, the reply
// code and the broker's text (the run then fails with it): nothing waits for an answer that will
// not come. Close-oks for those are not sent; the socket simply goes.
//
// A connection has one reader (call() before read_frames starts, then read_frames) and one
// writer (whoever calls flush and close); both coroutines run on the connection's executor.
//
// Thread: the io_context that made it.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "amqp/codec/frame.hpp"
#include "amqp/codec/methods.hpp"
#include "tools/perf/client_stream.hpp"
#include "tools/perf/connect.hpp"
#include "tools/perf/options.hpp"

namespace warren::perf {

class AmqpConnection : public ClientStream {
public:
    static constexpr std::uint16_t kChannel = 1;

    AmqpConnection(boost::asio::any_io_executor executor, const char* who);

    // TCP connect, the handshake as options.user on options.vhost, and channel.open 1; throws
    // ConnectError (a refused login, an unknown vhost: the broker's words).
    boost::asio::awaitable<void> open(const Target& target, const PerfOptions& options);
    // The negotiated largest frame (0: no limit): publish bodies are cut to fit it.
    std::uint32_t frame_max() const { return frame_max_; }

    // Frames out: queued in order, sent by the next flush(). Callers may append whole frames
    // to outbox() themselves (a publish template).
    std::string& outbox() { return out_; }
    void queue_method(const amqp::Method& method) { amqp::append_method(out_, kChannel, method); }

    // A synchronous method on channel 1 and its answer (before read_frames starts): whatever
    // method the broker sends next on the channel, for the caller to check. Throws ConnectError
    // when the broker closes the channel or the connection instead.
    boost::asio::awaitable<amqp::Method> call(const amqp::Method& method);

    // Every frame of channel 1 to `on_frame` until the connection ends: quietly at the
    // close-ok after close(), else with a ConnectError ("<who> connection lost: ...", or the
    // broker's close). `on_frame` may throw to end it.
    boost::asio::awaitable<void> read_frames(std::function<void(const amqp::Frame&)> on_frame);

    // connection.close after everything queued, then the broker's close-ok (read by
    // read_frames if it runs, else here), at most `timeout`; the socket goes either way.
    boost::asio::awaitable<void> close(std::chrono::milliseconds timeout);

private:
    // The next frame, reading as needed; its payload is valid until the next call.
    boost::asio::awaitable<amqp::Frame> next_frame();
    // A frame of channel 0: a heartbeat is answered, the broker's connection.close thrown,
    // connection.blocked and unblocked noted on stderr; any other method is returned.
    std::optional<amqp::Method> on_channel_zero(const amqp::Frame& frame);
    // A method the handshake expects on channel 0.
    template <class M> boost::asio::awaitable<M> expect_connection_method();

    std::uint32_t frame_max_ = amqp::kFrameMinSize; // until tune
    boost::asio::steady_timer reader_done_;
    bool reader_started_ = false;
    bool reader_ended_ = false;
};

} // namespace warren::perf
