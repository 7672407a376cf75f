#pragma once

// WsConnection: warren-perf's WebSocket to the broker, framed by common/ws_frame (client role:
// frames out are masked) rather than Beast's websocket::stream, for the reason the broker frames
// its own: one asynchronous operation per frame is most of a small frame's cost, and warren-perf
// shares the machine it measures. Frames are queued into one buffer and flush() sends all of
// them in one socket write; the reader takes whatever the socket holds and hands every whole
// text frame to its callback in one go.
//
// A connection has one reader (read_frames) and one writer (whoever calls flush and close); both
// coroutines run on the connection's executor. Pings from the broker are answered (the pong
// waits for the writer's next flush). Failures throw ConnectError naming `who`.
//
// Thread: the io_context that made it.

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "common/ws_frame.hpp"
#include "tools/perf/client_stream.hpp"
#include "tools/perf/connect.hpp"

namespace warren::perf {

class WsConnection : public ClientStream {
public:
    WsConnection(boost::asio::any_io_executor executor, const char* who);

    // TCP connect, then the opening handshake on /ws with Basic auth; throws ConnectError.
    boost::asio::awaitable<void> connect(const Target& target);

    // Frames out: queued in order, sent by the next flush().
    void queue_text(std::string_view payload);
    std::size_t queued_bytes() const { return out_.size(); }

    // The next text frame (before read_frames starts: the answer to a subscribe).
    boost::asio::awaitable<std::string> read_text();
    // Every text frame to `on_frame` until the connection ends. The end is quiet once close()
    // was called, else a ConnectError: "<who> connection lost: ...".
    boost::asio::awaitable<void> read_frames(std::function<void(std::string_view)> on_frame);

    // The closing handshake: our close frame after everything queued, then the broker's answer
    // (read by read_frames, so it must be running), at most `timeout`.
    boost::asio::awaitable<void> close(std::chrono::milliseconds timeout);

private:
    ws_frame::FrameReader reader_{ws_frame::Role::client, 64u << 20};
    std::minstd_rand mask_keys_;
    boost::asio::steady_timer reader_done_;
    bool reader_ended_ = false;
};

} // namespace warren::perf
