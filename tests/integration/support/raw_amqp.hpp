#pragma once

// RawAmqp: an AMQP 0-9-1 client for tests that choose every byte (amqp_wire_test): the frames it
// sends are built with amqp/codec or by hand, the server's frames are cut with amqp/codec. Reads
// time out after 5 s (SO_RCVTIMEO), so a silent server fails a test rather than hanging it.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "amqp/codec/frame.hpp"
#include "amqp/codec/methods.hpp"
#include <sys/socket.h>
#include <sys/time.h>

namespace warren::test {

// A port nobody listens on right now (bound and released), for --amqp-port.
inline std::uint16_t free_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

class RawAmqp {
public:
    struct Received {
        amqp::FrameType type = amqp::FrameType::method;
        std::uint16_t channel = 0;
        std::string payload;
        std::optional<amqp::Method> method; // for a method frame that decodes
    };

    explicit RawAmqp(std::uint16_t port) : socket_(io_) {
        socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        timeval tv{5, 0};
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }

    void send_raw(std::string_view bytes) {
        boost::asio::write(socket_, boost::asio::buffer(bytes));
    }

    void send(std::uint16_t channel, const amqp::Method& method) {
        std::string out;
        amqp::append_method(out, channel, method);
        send_raw(out);
    }

    // The next frame, or nullopt when the server closed the connection (or 5 s passed).
    std::optional<Received> next() {
        for (;;) {
            const auto cut = amqp::cut_frame(buffer_, 0);
            if (cut.status == amqp::FrameCut::Status::frame) {
                Received r{cut.frame.type, cut.frame.channel, std::string(cut.frame.payload), {}};
                if (r.type == amqp::FrameType::method) {
                    r.method = amqp::decode_method(r.payload).method;
                }
                buffer_.erase(0, cut.consumed);
                return r;
            }
            if (cut.status == amqp::FrameCut::Status::error) {
                throw std::runtime_error("the server sent a bad frame: " + cut.reason);
            }
            if (!read_some()) {
                return std::nullopt;
            }
        }
    }

    // The next method frame that is an M (heartbeats and other frames are skipped).
    template <class M> std::optional<M> expect() {
        while (auto r = next()) {
            if (r->method && std::holds_alternative<M>(*r->method)) {
                return std::get<M>(*r->method);
            }
            if (r->method && std::holds_alternative<amqp::ConnectionClose>(*r->method)) {
                last_close = std::get<amqp::ConnectionClose>(*r->method);
                if constexpr (!std::is_same_v<M, amqp::ConnectionClose>) {
                    return std::nullopt;
                }
            }
        }
        return std::nullopt;
    }

    // Protocol header, start-ok (PLAIN guest/guest), tune-ok, open "/", channel 1 open.
    void handshake(std::uint32_t frame_max = 131072) {
        send_raw(amqp::kProtocolHeader);
        if (!expect<amqp::ConnectionStart>()) {
            throw std::runtime_error("no connection.start");
        }
        amqp::ConnectionStartOk start_ok;
        start_ok.mechanism = "PLAIN";
        start_ok.response = std::string("\0guest\0guest", 12);
        start_ok.locale = "en_US";
        send(0, start_ok);
        auto tune = expect<amqp::ConnectionTune>();
        if (!tune) {
            throw std::runtime_error("no connection.tune");
        }
        send(0, amqp::ConnectionTuneOk{tune->channel_max, frame_max, 0});
        amqp::ConnectionOpen open;
        open.virtual_host = "/";
        send(0, open);
        if (!expect<amqp::ConnectionOpenOk>()) {
            throw std::runtime_error("no connection.open-ok");
        }
        send(1, amqp::ChannelOpen{});
        if (!expect<amqp::ChannelOpenOk>()) {
            throw std::runtime_error("no channel.open-ok");
        }
    }

    // The next `n` bytes as they come (what is not a frame: the protocol header the server
    // answers a wrong one with); fewer when the server closes first.
    std::string read_raw(std::size_t n) {
        while (buffer_.size() < n && read_some()) {
        }
        std::string out = buffer_.substr(0, n);
        buffer_.erase(0, out.size());
        return out;
    }

    // True once the server has closed the socket (reads end), within 5 s.
    bool closed_by_peer() {
        while (read_some()) {
        }
        return eof_;
    }

    std::optional<amqp::ConnectionClose> last_close;

private:
    bool read_some() {
        char chunk[65536];
        boost::system::error_code ec;
        const std::size_t n = socket_.read_some(boost::asio::buffer(chunk), ec);
        if (ec) {
            eof_ = ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
            return false;
        }
        buffer_.append(chunk, n);
        return true;
    }

    boost::asio::io_context io_;
    boost::asio::ip::tcp::socket socket_;
    std::string buffer_;
    bool eof_ = false;
};

} // namespace warren::test
