#pragma once

// HttpClient: a small synchronous HTTP/1.1 client for integration tests, over Beast. It keeps
// one connection open across requests (keep-alive) and reconnects only when the server closed
// it, counting connects so tests can prove reuse. It can also send raw bytes (garbage,
// pipelined or half requests) and read responses separately. Every operation has a timeout
// (5 s by default), so a misbehaving server fails a test instead of hanging it.
//
// Lifetime and thread: one test thread; owns its own io_context.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

namespace warren::test {

struct Credentials {
    std::string user;
    std::string password;
};

inline const Credentials kGuest{"guest", "guest"};

struct HttpReply {
    unsigned status = 0;
    boost::beast::http::fields headers;
    std::string body;
    bool keep_alive = true;

    std::string header(std::string_view name) const;
    // The body parsed as JSON; throws if it is not JSON.
    boost::json::value json() const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
public:
    explicit HttpClient(std::uint16_t port, std::string host = "127.0.0.1");
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // One request/response on the kept-alive connection. Throws boost::system::system_error on
    // a network failure or timeout.
    HttpReply request(boost::beast::http::verb method, std::string_view target,
                      std::string body = {}, const Headers& headers = {},
                      std::optional<Credentials> auth = kGuest);
    HttpReply get(std::string_view target, std::optional<Credentials> auth = kGuest) {
        return request(boost::beast::http::verb::get, target, {}, {}, std::move(auth));
    }

    // Raw bytes on the connection (connecting first if needed).
    void send_raw(std::string_view bytes);
    // Reads one response; nullopt when the server closed the connection first.
    std::optional<HttpReply> read_reply();
    // True when the server closes the connection within the timeout (reads and discards bytes).
    bool wait_closed_by_peer(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Drops the connection abruptly (RST-free close on our side).
    void disconnect();

    bool connected() const { return connected_; }
    std::size_t connects() const { return connects_; }
    void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

    // "Basic base64(user:password)".
    static std::string basic_auth(const Credentials& credentials);

private:
    void ensure_connected();

    std::string host_;
    std::uint16_t port_;
    boost::asio::io_context ioc_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    bool connected_ = false;
    std::size_t connects_ = 0;
    std::chrono::milliseconds timeout_{5000};
};

} // namespace warren::test
