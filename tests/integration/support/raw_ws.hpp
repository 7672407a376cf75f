#pragma once

// RawWs: a WebSocket client written against RFC 6455, not a library, for tests that choose every
// byte (websocket_framing_test, receive_budget_test): the opening handshake with Basic guest
// credentials, masked frames built by hand, the server's frames read with common/ws_frame.

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include "common/ws_frame.hpp"
#include <sys/socket.h>
#include <sys/time.h>

namespace warren::test {

// A WebSocket client written against the RFC, not a library: every byte it sends is chosen by
// the test. Reads time out after 5 s (SO_RCVTIMEO), so a silent server fails a test.
class RawWs {
    using Event = ws_frame::Event;
    using Opcode = ws_frame::Opcode;

public:
    struct Frame {
        Event::Kind kind;
        std::string payload;
        std::uint16_t code = 0;
    };

    RawWs(std::uint16_t port,
          const std::string& extra_headers = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                             "Sec-WebSocket-Version: 13\r\n") {
        socket_.connect(
            boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
        timeval tv{5, 0};
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        send_raw("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nAuthorization: Basic Z3Vlc3Q6Z3Vlc3Q=\r\n" +
                 extra_headers + "\r\n");
        boost::asio::streambuf head;
        const std::size_t n = boost::asio::read_until(socket_, head, "\r\n\r\n");
        std::string all(boost::asio::buffers_begin(head.data()),
                        boost::asio::buffers_end(head.data()));
        response_head = all.substr(0, n);
        buffer_ = all.substr(n); // anything after the head is already WebSocket bytes
        status = static_cast<unsigned>(std::stoi(response_head.substr(9, 3)));
    }

    void send_raw(const std::string& bytes) {
        boost::asio::write(socket_, boost::asio::buffer(bytes));
    }

    // A refused upgrade's body (Content-Length bytes after the head).
    std::string http_body() {
        const auto at = response_head.find("Content-Length: ");
        if (at == std::string::npos) {
            return {};
        }
        const std::size_t length = std::stoul(response_head.substr(at + 16));
        char chunk[4096];
        while (buffer_.size() < length) {
            boost::system::error_code ec;
            const std::size_t n = socket_.read_some(boost::asio::buffer(chunk), ec);
            if (ec) {
                break;
            }
            buffer_.append(chunk, n);
        }
        return buffer_.substr(0, length);
    }

    // One masked frame; `first_byte` overrides FIN/RSV/opcode when set.
    static std::string frame(Opcode op, std::string_view payload, int first_byte = -1) {
        std::string out;
        ws_frame::append_masked_frame(out, op, payload, 0x5a17c0de);
        if (first_byte >= 0) {
            out[0] = static_cast<char>(first_byte);
        }
        return out;
    }
    void send(Opcode op, std::string_view payload) { send_raw(frame(op, payload)); }
    void send_json(const boost::json::object& o) { send(Opcode::text, boost::json::serialize(o)); }

    // The next frame from the server; nullopt when the server closed the connection (or the
    // read timed out: `eof` tells which).
    std::optional<Frame> next() {
        for (;;) {
            std::size_t consumed = 0;
            const Event e = reader_.next(buffer_.data(), buffer_.size(), consumed);
            if (e.kind != Event::Kind::need_more) {
                Frame f{e.kind, std::string(e.payload), e.code};
                buffer_.erase(0, consumed);
                return f;
            }
            buffer_.erase(0, consumed);
            char chunk[65536];
            boost::system::error_code ec;
            const std::size_t n = socket_.read_some(boost::asio::buffer(chunk), ec);
            if (ec) {
                eof = ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
                return std::nullopt;
            }
            buffer_.append(chunk, n);
        }
    }
    boost::json::object next_json() {
        auto f = next();
        if (!f || f->kind != Event::Kind::text) {
            throw std::runtime_error("expected a text frame");
        }
        return boost::json::parse(f->payload).as_object();
    }
    // Reads up to the server's close frame; its code (0 if the connection ended without one).
    std::uint16_t close_code() {
        while (auto f = next()) {
            if (f->kind == Event::Kind::close) {
                return f->code;
            }
        }
        return 0;
    }
    // After the close: the server ends the TCP connection.
    bool server_hangs_up() {
        while (next()) {
        }
        return eof;
    }
    void hang_up() {
        boost::system::error_code ec;
        socket_.close(ec);
    }

    unsigned status = 0;
    std::string response_head;
    bool eof = false;

private:
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::socket socket_{ioc_};
    std::string buffer_;
    ws_frame::FrameReader reader_{ws_frame::Role::client, 64u << 20};
};

} // namespace warren::test
