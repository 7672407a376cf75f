#include "tests/integration/support/ws_client.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/system/system_error.hpp>

namespace warren::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace json = boost::json;
using boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kTimeout = 5s;

} // namespace

template <class Done> bool WsClient::run_until(Done&& done, SteadyClock::time_point deadline) {
    while (!done()) {
        if (ioc_->stopped()) {
            ioc_->restart();
        }
        if (ioc_->run_one_until(deadline) == 0 && SteadyClock::now() >= deadline) {
            return done();
        }
    }
    return true;
}

WsClient::WsClient(std::uint16_t port, std::string target, std::optional<Credentials> auth,
                   std::shared_ptr<asio::io_context> ioc)
    : ioc_(ioc ? std::move(ioc) : std::make_shared<asio::io_context>(1)),
      work_(asio::make_work_guard(*ioc_)), ws_(*ioc_) {
    const auto deadline = SteadyClock::now() + kTimeout;
    auto& tcp = beast::get_lowest_layer(ws_);
    tcp.expires_after(kTimeout);
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    std::optional<error_code> connected;
    tcp.async_connect(endpoint, [&connected](error_code ec) { connected = ec; });
    if (!run_until([&] { return connected.has_value(); }, deadline) || *connected) {
        throw boost::system::system_error(connected.value_or(asio::error::timed_out), "connect");
    }
    ws_.set_option(websocket::stream_base::decorator([auth](websocket::request_type& req) {
        req.set(beast::http::field::user_agent, "warren-integration-tests");
        if (auth) {
            req.set(beast::http::field::authorization, HttpClient::basic_auth(*auth));
        }
    }));
    websocket::response_type response;
    std::optional<error_code> handshaken;
    const std::string host = "127.0.0.1:" + std::to_string(port);
    ws_.async_handshake(response, host, target, [&handshaken](error_code ec) { handshaken = ec; });
    if (!run_until([&] { return handshaken.has_value(); }, deadline)) {
        drop();
        run_until([&] { return handshaken.has_value(); }, SteadyClock::now() + kTimeout);
        throw boost::system::system_error(asio::error::timed_out, "websocket handshake");
    }
    if (*handshaken == websocket::error::upgrade_declined) {
        throw WsRefused(response.result_int(), response.body());
    }
    if (*handshaken) {
        throw boost::system::system_error(*handshaken, "websocket handshake");
    }
    tcp.expires_never(); // from here on the deadlines are ours
    ws_.read_message_max(256u << 20);
    open_ = true;
}

WsClient::~WsClient() {
    *alive_ = false;
    drop();
}

void WsClient::write(std::string_view bytes, bool text) {
    ws_.text(text);
    std::optional<error_code> written;
    ws_.async_write(asio::buffer(bytes.data(), bytes.size()),
                    [&written](error_code ec, std::size_t) { written = ec; });
    if (!run_until([&] { return written.has_value(); }, SteadyClock::now() + write_timeout_)) {
        drop();
        run_until([&] { return written.has_value(); }, SteadyClock::now() + kTimeout);
        throw boost::system::system_error(asio::error::timed_out, "websocket write");
    }
    if (*written) {
        throw boost::system::system_error(*written, "websocket write");
    }
}

void WsClient::send(const json::value& frame) {
    write(json::serialize(frame), true);
}

void WsClient::send_text(std::string_view text) {
    write(text, true);
}

void WsClient::send_binary(std::string_view bytes) {
    write(bytes, false);
}

void WsClient::start_read() {
    read_pending_ = true;
    ws_.async_read(buffer_, [this, alive = alive_](error_code ec, std::size_t) {
        if (!*alive) {
            return;
        }
        read_pending_ = false;
        if (ec) {
            read_error_ = ec;
            return;
        }
        inbox_.push_back(beast::buffers_to_string(buffer_.data()));
        buffer_.consume(buffer_.size());
    });
}

std::optional<std::string> WsClient::read_text(std::chrono::milliseconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    for (;;) {
        if (!inbox_.empty()) {
            std::string frame = std::move(inbox_.front());
            inbox_.pop_front();
            return frame;
        }
        if (read_error_ || !open_) {
            return std::nullopt;
        }
        if (!read_pending_) {
            start_read();
        }
        if (!run_until([&] { return !inbox_.empty() || read_error_; }, deadline)) {
            return std::nullopt;
        }
    }
}

std::optional<json::object> WsClient::read(std::chrono::milliseconds timeout) {
    auto text = read_text(timeout);
    if (!text) {
        return std::nullopt;
    }
    json::value v = json::parse(*text);
    if (!v.is_object()) {
        throw std::runtime_error("server frame is not a JSON object: " + *text);
    }
    return std::move(v.get_object());
}

json::object WsClient::expect(std::string_view type, std::chrono::milliseconds timeout) {
    auto frame = read(timeout);
    if (!frame) {
        throw std::runtime_error("expected a '" + std::string(type) + "' frame, got " +
                                 (closed() ? "a close: " + read_error_.message() : "nothing"));
    }
    const auto* t = frame->if_contains("type");
    if (t == nullptr || !t->is_string() || t->get_string() != type) {
        throw std::runtime_error("expected a '" + std::string(type) +
                                 "' frame, got: " + json::serialize(*frame));
    }
    return std::move(*frame);
}

std::vector<json::object> WsClient::sync(std::chrono::milliseconds timeout) {
    const std::string marker =
        "sync-" + std::to_string(SteadyClock::now().time_since_epoch().count());
    send(json::object{{"op", "ping"}, {"id", marker}});
    std::vector<json::object> before;
    const auto deadline = SteadyClock::now() + timeout;
    for (;;) {
        auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        auto frame = read(std::max(left, std::chrono::milliseconds(1)));
        if (!frame) {
            throw std::runtime_error("no pong for the sync ping");
        }
        if (frame->at("type") == "pong" && frame->contains("id") &&
            frame->at("id") == json::value(marker)) {
            return before;
        }
        before.push_back(std::move(*frame));
    }
}

void WsClient::close() {
    if (!open_ || read_error_) {
        return;
    }
    std::optional<error_code> done;
    ws_.async_close(websocket::close_code::normal, [&done](error_code ec) { done = ec; });
    if (!run_until([&] { return done.has_value(); }, SteadyClock::now() + kTimeout)) {
        drop();
        run_until([&] { return done.has_value(); }, SteadyClock::now() + kTimeout);
    }
    open_ = false;
}

void WsClient::drop() {
    error_code ec;
    auto& socket = beast::get_lowest_layer(ws_).socket();
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket.close(ec);
}

bool WsClient::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    while (!read_error_) {
        inbox_.clear();
        auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        if (left.count() <= 0) {
            return false;
        }
        (void)read_text(left);
    }
    return true;
}

std::uint16_t WsClient::close_code() const {
    return ws_.reason().code;
}

} // namespace warren::test
