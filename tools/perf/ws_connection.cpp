#include "tools/perf/ws_connection.hpp"

#include <algorithm>
#include <cstring>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <openssl/evp.h>

#include "common/base64.hpp"

namespace warren::perf {

namespace asio = boost::asio;
namespace beast = boost::beast;
using ws_frame::Event;
using ws_frame::Opcode;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 64 * 1024;

std::string expected_accept(const std::string& key) {
    const std::string input = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(input.data(), input.size(), digest, &size, EVP_sha1(), nullptr);
    return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), size));
}

// The value of `name` in an HTTP head (names compared without case), or "".
std::string header_value(std::string_view head, std::string_view name) {
    std::size_t at = head.find("\r\n");
    while (at != std::string_view::npos && at + 2 < head.size()) {
        const std::size_t end = head.find("\r\n", at + 2);
        const std::string_view line = head.substr(at + 2, end - at - 2);
        const std::size_t colon = line.find(':');
        if (colon == name.size() &&
            std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            })) {
            std::string_view value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') {
                value.remove_prefix(1);
            }
            return std::string(value);
        }
        at = end;
    }
    return {};
}

} // namespace

WsConnection::WsConnection(asio::any_io_executor executor, const char* who)
    : ClientStream(executor, who), mask_keys_(std::random_device{}()), reader_done_(executor) {}

asio::awaitable<void> WsConnection::connect(const Target& target) {
    co_await connect_tcp(target, stream_);
    std::string nonce(16, '\0');
    for (auto& c : nonce) {
        c = static_cast<char>(mask_keys_());
    }
    const std::string key = base64_encode(nonce);
    const std::string request = "GET /ws HTTP/1.1\r\nHost: " + target.host + ":" + target.port +
                                "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                "Sec-WebSocket-Key: " +
                                key +
                                "\r\nSec-WebSocket-Version: 13\r\n"
                                "Authorization: " +
                                target.authorization + "\r\nUser-Agent: warren-perf\r\n\r\n";
    stream_.expires_after(std::chrono::seconds(10));
    auto [write_ec, written] = co_await asio::async_write(stream_, asio::buffer(request), kTuple);
    (void)written;
    if (write_ec) {
        throw ConnectError("WebSocket handshake with " + target.url +
                           " failed: " + write_ec.message());
    }
    auto [read_ec, head_size] =
        co_await asio::async_read_until(stream_, asio::dynamic_buffer(in_), "\r\n\r\n", kTuple);
    if (read_ec) {
        throw ConnectError("WebSocket handshake with " + target.url +
                           " failed: " + read_ec.message());
    }
    const std::string head = in_.substr(0, head_size);
    in_.erase(0, head_size); // what follows the head is already WebSocket bytes
    if (head.compare(0, 12, "HTTP/1.1 101") != 0) {
        // A refusal: its JSON body says why.
        const std::string length = header_value(head, "Content-Length");
        const std::size_t body_size = length.empty() ? 0 : std::stoul(length);
        while (in_.size() < body_size) {
            char chunk[4096];
            auto [ec, n] = co_await stream_.async_read_some(asio::buffer(chunk), kTuple);
            if (ec) {
                break;
            }
            in_.append(chunk, n);
        }
        throw ConnectError("the WebSocket upgrade at " + target.url + "/ws was refused: " +
                           head.substr(9, 3) + " " + in_.substr(0, body_size));
    }
    if (header_value(head, "Sec-WebSocket-Accept") != expected_accept(key)) {
        throw ConnectError("WebSocket handshake with " + target.url +
                           " failed: a wrong Sec-WebSocket-Accept");
    }
    stream_.expires_never();
    in_end_ = in_.size();
    in_.resize(std::max(kReadChunk, in_end_));
}

void WsConnection::queue_text(std::string_view payload) {
    ws_frame::append_masked_frame(out_, Opcode::text, payload,
                                  static_cast<std::uint32_t>(mask_keys_()));
}

asio::awaitable<std::string> WsConnection::read_text() {
    for (;;) {
        std::size_t consumed = 0;
        const Event e = reader_.next(in_.data() + in_begin_, in_end_ - in_begin_, consumed);
        std::string text(e.payload);
        in_begin_ += consumed;
        switch (e.kind) {
        case Event::Kind::need_more:
            co_await read_more();
            break;
        case Event::Kind::text:
            co_return text;
        case Event::Kind::ping:
            ws_frame::append_masked_frame(out_, Opcode::pong, text,
                                          static_cast<std::uint32_t>(mask_keys_()));
            break;
        case Event::Kind::pong:
            break;
        default:
            fail("unexpected frame from the broker (" + text + ")");
        }
    }
}

asio::awaitable<void> WsConnection::read_frames(std::function<void(std::string_view)> on_frame) {
    bool more = true;
    while (more) {
        std::size_t consumed = 0;
        const Event e = reader_.next(in_.data() + in_begin_, in_end_ - in_begin_, consumed);
        switch (e.kind) {
        case Event::Kind::need_more:
            in_begin_ += consumed;
            more = co_await read_more();
            continue;
        case Event::Kind::text:
            on_frame(e.payload);
            break;
        case Event::Kind::ping:
            ws_frame::append_masked_frame(out_, Opcode::pong, e.payload,
                                          static_cast<std::uint32_t>(mask_keys_()));
            break;
        case Event::Kind::pong:
            break;
        case Event::Kind::close:
            more = false;
            if (!closing_) {
                fail("the broker closed it (" + std::to_string(e.code) + " " +
                     std::string(e.payload) + ")");
            }
            break;
        default: // binary, too_large, failed
            fail("unexpected frame from the broker (" + std::string(e.payload) + ")");
        }
        in_begin_ += consumed;
    }
    reader_ended_ = true;
    reader_done_.cancel();
}

asio::awaitable<void> WsConnection::close(std::chrono::milliseconds timeout) {
    closing_ = true;
    ws_frame::append_masked_frame(out_, Opcode::close,
                                  ws_frame::close_payload(ws_frame::close_code::normal, {}),
                                  static_cast<std::uint32_t>(mask_keys_()));
    co_await flush();
    if (!reader_ended_) {
        reader_done_.expires_after(timeout);
        auto [ec] = co_await reader_done_.async_wait(kTuple);
        (void)ec;
    }
    abort();
}

} // namespace warren::perf
