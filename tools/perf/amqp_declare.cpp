#include "tools/perf/amqp_declare.hpp"

#include <boost/asio/this_coro.hpp>

#include "tools/perf/amqp_connection.hpp"

namespace warren::perf {

namespace asio = boost::asio;

asio::awaitable<void> amqp_declare(const PerfOptions& options, const Target& target) {
    AmqpConnection connection(co_await asio::this_coro::executor, "declare");
    co_await connection.open(target, options);
    amqp::QueueDeclare declare;
    declare.queue = options.queue;
    declare.durable = true;
    if (options.stream) {
        declare.arguments["x-queue-type"] = "stream";
    }
    if (options.groups > 0) {
        declare.arguments["x-group-by"] = "header:g";
    }
    if (options.dedup_window > 0) {
        declare.arguments["x-message-deduplication"] = true;
        declare.arguments["x-cache-size"] = options.dedup_window;
    }
    const amqp::Method declared = co_await connection.call(declare);
    if (!std::holds_alternative<amqp::QueueDeclareOk>(declared)) {
        throw ConnectError("queue.declare answered with " + std::string(amqp::name_of(declared)));
    }
    if (!options.exchange.empty()) { // the default exchange routes by queue name
        amqp::QueueBind bind;
        bind.queue = options.queue;
        bind.exchange = options.exchange;
        bind.routing_key = options.key();
        const amqp::Method bound = co_await connection.call(bind);
        if (!std::holds_alternative<amqp::QueueBindOk>(bound)) {
            throw ConnectError("queue.bind answered with " + std::string(amqp::name_of(bound)));
        }
    }
    co_await connection.close(std::chrono::seconds(5));
}

} // namespace warren::perf
