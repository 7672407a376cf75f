#include "amqp/amqp_server.hpp"

#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace warren::amqp {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

struct AmqpServer::State {
    State(asio::io_context& io, server::Broker& b, AmqpLimits l, std::size_t max,
          asio::ssl::context* t)
        : ioc(io), broker(b), limits(l), max_connections(max), tls(t), acceptor(io) {}

    asio::io_context& ioc;
    server::Broker& broker;
    AmqpLimits limits;
    std::size_t max_connections;
    asio::ssl::context* tls;
    tcp::acceptor acceptor;
    std::unordered_map<const AmqpConnection*, std::weak_ptr<AmqpConnection>> connections;
    bool closed = false;
};

AmqpServer::AmqpServer(asio::io_context& ioc, server::Broker& broker, AmqpLimits limits,
                       std::size_t max_connections, asio::ssl::context* tls)
    : state_(std::make_shared<State>(ioc, broker, limits, max_connections, tls)) {}

AmqpServer::~AmqpServer() {
    error_code ec;
    state_->acceptor.close(ec);
}

Result<tcp::endpoint> AmqpServer::listen(const tcp::endpoint& endpoint) {
    auto fail = [&](const char* step, const error_code& ec) {
        return Error{Errc::internal, "cannot listen on " + endpoint.address().to_string() + ":" +
                                         std::to_string(endpoint.port()) + " (" + step +
                                         "): " + ec.message()};
    };
    auto& acceptor = state_->acceptor;
    error_code ec;
    if (acceptor.open(endpoint.protocol(), ec); ec) {
        return fail("open", ec);
    }
    if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec) {
        return fail("set_option", ec);
    }
    if (acceptor.bind(endpoint, ec); ec) {
        return fail("bind", ec);
    }
    if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
        return fail("listen", ec);
    }
    auto local = acceptor.local_endpoint(ec);
    if (ec) {
        return fail("local_endpoint", ec);
    }
    return local;
}

void AmqpServer::start() {
    asio::co_spawn(state_->acceptor.get_executor(), accept_loop(state_),
                   [](std::exception_ptr error) {
                       if (!error) {
                           return;
                       }
                       try {
                           std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                           spdlog::critical("amqp accept loop stopped: {}", e.what());
                       }
                   });
}

void AmqpServer::close() {
    asio::post(state_->acceptor.get_executor(), [state = state_] {
        error_code ec;
        state->acceptor.close(ec);
        state->closed = true;
        for (auto& [ptr, weak] : state->connections) {
            if (auto connection = weak.lock()) {
                connection->close();
            }
        }
    });
}

std::size_t AmqpServer::connection_count() const {
    return state_->connections.size();
}

asio::awaitable<void> AmqpServer::accept_loop(std::shared_ptr<State> state) {
    constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
    asio::steady_timer backoff(state->acceptor.get_executor());
    for (;;) {
        auto [ec, socket] = co_await state->acceptor.async_accept(state->ioc, kTuple);
        if (ec == asio::error::operation_aborted || !state->acceptor.is_open()) {
            co_return;
        }
        if (ec) {
            if (ec != asio::error::connection_aborted && ec != asio::error::connection_reset) {
                // Out of descriptors: wait rather than spin.
                backoff.expires_after(std::chrono::milliseconds(100));
                co_await backoff.async_wait(kTuple);
            }
            continue;
        }
        if (state->connections.size() >= state->max_connections) {
            error_code ignored;
            socket.close(ignored);
            continue;
        }
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        Transport transport = state->tls != nullptr
                                  ? Transport(std::move(socket), *state->tls, TlsRole::server)
                                  : Transport(std::move(socket));
        auto connection =
            std::make_shared<AmqpConnection>(std::move(transport), state->broker, state->limits);
        const AmqpConnection* key = connection.get();
        state->connections.emplace(key, connection);
        asio::co_spawn(state->ioc, connection->run(),
                       [state, key, connection](std::exception_ptr error) {
                           state->connections.erase(key);
                           if (error) {
                               try {
                                   std::rethrow_exception(error);
                               } catch (const std::exception& e) {
                                   spdlog::error("amqp connection: {}", e.what());
                               }
                           }
                       });
    }
}

} // namespace warren::amqp
