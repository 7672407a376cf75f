#pragma once

// HttpSession: one client TCP connection speaking HTTP/1.1. A C++20 coroutine reads a request,
// dispatches it through the ApiRouter, writes the response, and only then reads the next one, so
// pipelined requests are answered in order with at most one response pending (the pipelining
// cap is 1: the socket is not read while a response is being produced).
//
// A GET /ws WebSocket upgrade is handed to WsEndpoint: once admitted, the socket goes to a
// WsSession and this session's coroutine waits for it to end (so the connection stays counted).
//
// Bounds: header bytes, body bytes (413), an idle timeout between and during requests. Malformed
// input gets a 400 JSON error and the connection is closed; a client that vanishes is not an
// error and is not logged as one.
//
// Lifetime and thread: owned by shared_ptr; the co_spawn completion handler holds one, so the
// session lives until its coroutine ends. All its work runs on the socket's executor (the core
// io_context, one thread); close() may be called from any thread and posts onto it. The ApiRouter
// must outlive every session; the SessionRegistry is shared so it always does.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "common/receive_budget.hpp"
#include "web/api_router.hpp"
#include "web/http_limits.hpp"
#include "web/transport.hpp"

namespace warren::web {

class HttpSession;
class WsEndpoint;
class WsSession;

// The live sessions, so the server can count them (max connections) and close them at shutdown.
// Thread-safe (a mutex: it is touched once per connection, never per request).
class SessionRegistry {
public:
    // False (and nothing is added) once close_all() has run.
    bool add(const std::shared_ptr<HttpSession>& session);
    void remove(const HttpSession* session);
    std::size_t size() const;
    // Refuses new sessions from now on and closes every live one.
    void close_all();

private:
    mutable std::mutex mutex_;
    std::unordered_map<const HttpSession*, std::weak_ptr<HttpSession>> sessions_;
    bool closed_ = false;
};

class HttpSession : public std::enable_shared_from_this<HttpSession> {
public:
    // websocket: where GET /ws upgrades go (null: /ws is an ordinary, unknown path).
    HttpSession(Transport transport, const ApiRouter& router, const HttpLimits& limits,
                std::shared_ptr<SessionRegistry> registry, const WsEndpoint* websocket = nullptr);
    ~HttpSession();
    HttpSession(const HttpSession&) = delete;
    HttpSession& operator=(const HttpSession&) = delete;

    // Starts the session's coroutine on its executor. Call once, after registering it.
    void start();

    // Closes the socket: a pending read or write ends with operation_aborted and the coroutine
    // returns. Safe from any thread.
    void close();

    // Answers 503 (too many connections) on a socket that gets no session, then closes it.
    static void reject(boost::asio::ip::tcp::socket socket, std::size_t limit);

private:
    boost::asio::awaitable<void> run();
    // The error response for a failed read (413, 431, 400), or status unknown when the failure
    // is not the client's fault and deserves no answer.
    Response read_failure(const boost::system::error_code& ec) const;
    // The write of a response, to co_await: finished for the request's version and keep-alive
    // (web/response_writer) and sent in one gather write, without its body when it answers a
    // HEAD, or through Beast's serializer when chunked (no handler answers so). `response` and
    // `scratch` (which holds the rendered head) must live until it completes.
    boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>>
    write_response(Response& response, unsigned version, bool keep_alive, bool to_head,
                   std::string& scratch);

    // The idle timeout (between requests, and while one is read or written) without a timer
    // per read and write: arming and cancelling tcp_stream's timer twice per request, with a
    // handler run for each cancellation, was several % of the core thread. A request's I/O only
    // moves a deadline (arm_idle: now + idle_timeout; disarm_idle: none while the handler
    // runs); one timer per session wakes up at the deadline it last saw and closes the socket
    // if the deadline has not moved since, else sleeps until the new one. stop_idle_watch()
    // before paths that time themselves out with the stream's timer (error responses, the
    // lingering close) and before a WebSocket upgrade.
    void arm_idle();
    void disarm_idle();
    void start_idle_watch();
    void stop_idle_watch();
    static boost::asio::awaitable<void> watch_idle(std::shared_ptr<HttpSession> self);
    // Stops the watch when run() ends, whichever way it returns.
    struct IdleWatchGuard {
        HttpSession& session;
        ~IdleWatchGuard() { session.stop_idle_watch(); }
    };

    // Writes an error response that ends the connection, then closes gracefully. `response`
    // must live in the caller's frame until this completes.
    boost::asio::awaitable<void> fail_request(Response& response);

    Transport stream_;
    // The connection's executor, kept apart: stream_ is moved from after a WebSocket upgrade.
    Transport::executor_type executor_;
    boost::asio::steady_timer idle_timer_;
    std::chrono::steady_clock::time_point idle_deadline_ =
        std::chrono::steady_clock::time_point::max();
    bool idle_watching_ = false;
    boost::asio::ip::tcp::endpoint remote_;
    const ApiRouter& router_;
    HttpLimits limits_;
    std::shared_ptr<SessionRegistry> registry_;
    // After an upgrade the socket belongs to the WebSocket session (stream_ is left empty), and
    // close() closes it through that session. The session is kept alive by run()'s frame.
    const WsEndpoint* websocket_ = nullptr;
    std::weak_ptr<WsSession> ws_session_;
};

} // namespace warren::web
