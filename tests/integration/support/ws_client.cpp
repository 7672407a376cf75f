// WsClient (ws_client.hpp): JSON frames and test-friendly waits over client::WsClient.

#include "tests/integration/support/ws_client.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tools/client/server_url.hpp"
#include "tools/client/transport_error.hpp"

namespace warren::test {

namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr auto kTimeout = 5s;

client::ServerUrl local_server(std::uint16_t port) {
    client::ServerUrl url;
    url.host = "127.0.0.1";
    url.port = port;
    return url;
}

} // namespace

WsClient::WsClient(std::uint16_t port, std::string target, std::optional<Credentials> auth,
                   std::shared_ptr<boost::asio::io_context> ioc)
    : ws_(local_server(port), auth, {},
          client::WsOptions{
              .path = std::move(target), .timeout = kTimeout, .context = std::move(ioc)}) {}

void WsClient::send(const json::value& frame) {
    ws_.send(json::serialize(frame));
}

std::optional<std::string> WsClient::read_text(std::chrono::milliseconds timeout) {
    try {
        return ws_.read(timeout);
    } catch (const client::TransportError& e) {
        closed_how_ = e.what();
        return std::nullopt;
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
                                 (closed() ? "a close: " + closed_how_ : "nothing"));
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

bool WsClient::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    while (!closed()) {
        auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
        if (left.count() <= 0) {
            return false;
        }
        (void)read_text(left);
    }
    return true;
}

} // namespace warren::test
