#pragma once

// ClientStream: the byte stream under each of warren-perf's protocol connections (WsConnection,
// AmqpConnection): a TCP socket, an outbox of frames sent by one socket write per flush(), and
// an input buffer the protocol cuts frames from ([in_begin_, in_end_) read, not yet handled).
// The protocols derive from it and keep their framing, handshake and close to themselves.
//
// Thread: the io_context that made it; one reader and one writer coroutine.

#include <cstddef>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace warren::perf {

class ClientStream {
public:
    boost::asio::any_io_executor get_executor() { return stream_.get_executor(); }

    // Sends every frame queued so far in one socket write; throws ConnectError on failure.
    boost::asio::awaitable<void> flush();
    // After a failure: the socket goes, so that pending operations end.
    void abort();

protected:
    ClientStream(boost::asio::any_io_executor executor, const char* who)
        : who_(who), stream_(std::move(executor)) {}

    // More bytes from the socket into in_ (grown when a frame fills it); false when it ended
    // after closing_ was set, else throws ConnectError on failure.
    boost::asio::awaitable<bool> read_more();
    // Throws ConnectError "<who> connection lost: <why>".
    [[noreturn]] void fail(const std::string& why) const;

    const char* who_; // "publisher", "consumer": named in errors
    boost::beast::tcp_stream stream_;
    std::string in_; // [in_begin_, in_end_) read, not yet handled
    std::size_t in_begin_ = 0;
    std::size_t in_end_ = 0;
    std::string out_;      // frames queued
    std::string writing_;  // the frames in the socket write now
    bool closing_ = false; // we are closing: the end of the stream is expected
};

} // namespace warren::perf
