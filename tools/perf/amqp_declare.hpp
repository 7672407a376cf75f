#pragma once

// amqp_declare: --protocol amqp's setup, on a connection of its own before any client starts:
// queue.declare (durable, with the x-arguments of --queue-type, --groups and --dedup-window, as
// the HTTP declare has them) and, for a named --exchange, queue.bind with the routing key. A
// refusal (a queue that exists with other arguments: 406 PRECONDITION_FAILED; an exchange that
// does not: 404 NOT_FOUND) throws ConnectError with the broker's reply code and text.
//
// Thread: the caller's io_context.

#include <boost/asio/awaitable.hpp>

#include "tools/perf/connect.hpp"
#include "tools/perf/options.hpp"

namespace warren::perf {

boost::asio::awaitable<void> amqp_declare(const PerfOptions& options, const Target& target);

} // namespace warren::perf
