#include "web/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace warren::web {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

std::shared_ptr<spdlog::logger> logger() {
    auto log = spdlog::get("web");
    return log ? log : spdlog::default_logger();
}

// Failures of one incoming connection (it was reset before we accepted it): just accept the next.
bool is_per_connection(const error_code& ec) {
    return ec == asio::error::connection_aborted || ec == asio::error::connection_reset;
}

} // namespace

struct HttpServer::State {
    State(asio::io_context& io, const ApiRouter& r, HttpLimits l, asio::ssl::context* t)
        : ioc(io), router(r), limits(l), tls(t), acceptor(io) {}

    asio::io_context& ioc;
    const ApiRouter& router;
    HttpLimits limits;
    asio::ssl::context* tls;
    tcp::acceptor acceptor;
    std::shared_ptr<SessionRegistry> registry = std::make_shared<SessionRegistry>();
    const WsEndpoint* websocket = nullptr;
};

HttpServer::HttpServer(asio::io_context& ioc, const ApiRouter& router, HttpLimits limits,
                       asio::ssl::context* tls)
    : state_(std::make_shared<State>(ioc, router, limits, tls)) {}

HttpServer::~HttpServer() {
    error_code ec;
    state_->acceptor.close(ec);
}

Result<tcp::endpoint> HttpServer::listen(const tcp::endpoint& endpoint) {
    auto fail = [&](const char* step, const error_code& ec) {
        return Error{Errc::internal, "cannot listen on " + endpoint.address().to_string() + ":" +
                                         std::to_string(endpoint.port()) + " (" + step +
                                         "): " + ec.message()};
    };
    tcp::acceptor& acceptor = state_->acceptor;
    error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (ec) {
        return fail("open", ec);
    }
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    if (ec) {
        return fail("set_option", ec);
    }
    acceptor.bind(endpoint, ec);
    if (ec) {
        return fail("bind", ec);
    }
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        return fail("listen", ec);
    }
    auto local = acceptor.local_endpoint(ec);
    if (ec) {
        return fail("local_endpoint", ec);
    }
    return local;
}

void HttpServer::enable_websocket(const WsEndpoint& endpoint) {
    state_->websocket = &endpoint;
}

void HttpServer::start() {
    asio::co_spawn(state_->acceptor.get_executor(), accept_loop(state_),
                   [](std::exception_ptr error) {
                       if (!error) {
                           return;
                       }
                       try {
                           std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                           logger()->critical("http accept loop stopped: {}", e.what());
                       }
                   });
}

void HttpServer::close() {
    asio::post(state_->acceptor.get_executor(), [state = state_] {
        error_code ec;
        state->acceptor.close(ec);
        state->registry->close_all();
    });
}

std::size_t HttpServer::connection_count() const {
    return state_->registry->size();
}

asio::awaitable<void> HttpServer::accept_loop(std::shared_ptr<State> state) {
    asio::steady_timer backoff(state->acceptor.get_executor());
    auto last_warning = std::chrono::steady_clock::time_point{};
    auto time_to_warn = [&last_warning] {
        auto now = std::chrono::steady_clock::now();
        if (now - last_warning < std::chrono::seconds(1)) {
            return false; // at most one warning a second: a flood must not flood the log too
        }
        last_warning = now;
        return true;
    };
    for (;;) {
        // The io_context's own executor, not a strand per connection: one thread runs it
        // (threading model A), so a strand would only add a queue and a lock to every handler.
        auto [ec, accepted] = co_await state->acceptor.async_accept(state->ioc, kTuple);
        if (ec == asio::error::operation_aborted || !state->acceptor.is_open()) {
            co_return;
        }
        if (ec) {
            if (!is_per_connection(ec)) {
                // Typically EMFILE/ENFILE: out of descriptors. Spinning would burn the core the
                // sessions need to finish and free some; wait a little instead.
                if (time_to_warn()) {
                    logger()->warn("accept failed: {}; retrying every {} ms", ec.message(),
                                   kAcceptBackoff.count());
                }
                backoff.expires_after(kAcceptBackoff);
                co_await backoff.async_wait(kTuple);
            }
            continue;
        }
        tcp::socket socket(std::move(accepted));
        if (state->registry->size() >= state->limits.max_connections) {
            if (time_to_warn()) {
                logger()->warn("refusing connections: {} is the limit (--max-connections)",
                               state->limits.max_connections);
            }
            if (state->tls != nullptr) {
                error_code ignored;
                socket.close(ignored); // a plain-text 503 means nothing to a TLS client
            } else {
                HttpSession::reject(std::move(socket), state->limits.max_connections);
            }
            continue;
        }
        Transport transport = state->tls != nullptr
                                  ? Transport(std::move(socket), *state->tls, TlsRole::server)
                                  : Transport(std::move(socket));
        auto session = std::make_shared<HttpSession>(
            std::move(transport), state->router, state->limits, state->registry, state->websocket);
        if (state->registry->add(session)) {
            session->start();
        }
    }
}

} // namespace warren::web
