#pragma once

// HttpServer: the listener. Accepts each connection onto the io_context's executor, enforces the
// connection limit, and starts an HttpSession per socket. No strand per connection (Beast's
// examples use make_strand): exactly one thread runs the io_context (threading model A, main.cpp),
// so a strand only added a queue, a mutex and type-erased executor copies to every completion
// (several % of the core thread on the publish benchmark). Running the io_context on a second
// thread would need make_strand back in accept_loop (and the broker on a strand of its own).
// When accept fails for lack of resources (EMFILE,
// ENFILE, ENOBUFS...) it waits 100 ms before trying again instead of spinning.
//
// Lifetime and thread: created, listened and started on the thread that will run the
// io_context; close() may be called from any thread (e.g. a signal handler on the io_context).
// The accept loop and the sessions share its state by shared_ptr, so destroying the server while
// the io_context still holds their frames is safe. The ApiRouter must outlive the io_context's
// handlers (declare it before the io_context).

#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "common/error.hpp"
#include "web/api_router.hpp"
#include "web/http_session.hpp"

namespace warren::web {

class HttpServer {
public:
    // tls: when set, every connection starts with a TLS handshake (the context must outlive the
    // server); an HTTPS listener is a second HttpServer sharing the router.
    HttpServer(boost::asio::io_context& ioc, const ApiRouter& router, HttpLimits limits,
               boost::asio::ssl::context* tls = nullptr);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Opens, binds and listens. Error: Errc::internal naming the endpoint and the OS reason
    // (e.g. "cannot listen on 127.0.0.1:15672: Address already in use").
    Result<boost::asio::ip::tcp::endpoint> listen(const boost::asio::ip::tcp::endpoint& endpoint);

    // Hands GET /ws upgrades to `endpoint` (which must outlive the server). Call before start().
    void enable_websocket(const WsEndpoint& endpoint);

    // Starts accepting. Call once, after listen().
    void start();

    // Stops accepting and closes every session; the io_context then runs out of work.
    void close();

    std::size_t connection_count() const;

private:
    struct State;
    static boost::asio::awaitable<void> accept_loop(std::shared_ptr<State> state);

    std::shared_ptr<State> state_;
};

} // namespace warren::web
