#pragma once

// AmqpServer: the AMQP 0-9-1 listener (--amqp-port, and --amqps-port over TLS): accepts
// connections and runs an AmqpConnection for each on the broker's thread. close() stops
// accepting and closes every connection (connection.close 320).
//
// Thread: the io_context's one thread (threading model A).

#include <cstddef>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "amqp/amqp_connection.hpp"
#include "common/error.hpp"
#include "server/broker.hpp"

namespace warren::amqp {

class AmqpServer {
public:
    // tls: when set, every connection starts with a TLS handshake (the context outlives us).
    AmqpServer(boost::asio::io_context& ioc, server::Broker& broker, AmqpLimits limits,
               std::size_t max_connections, boost::asio::ssl::context* tls = nullptr);
    ~AmqpServer();
    AmqpServer(const AmqpServer&) = delete;
    AmqpServer& operator=(const AmqpServer&) = delete;

    // Opens, binds and listens. Error: Errc::internal naming the endpoint and the OS reason.
    Result<boost::asio::ip::tcp::endpoint> listen(const boost::asio::ip::tcp::endpoint& endpoint);
    void start();
    void close();
    std::size_t connection_count() const;

private:
    struct State;
    static boost::asio::awaitable<void> accept_loop(std::shared_ptr<State> state);
    std::shared_ptr<State> state_;
};

} // namespace warren::amqp
