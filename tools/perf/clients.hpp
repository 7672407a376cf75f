#pragma once

// The load: publisher and consumer connections, each a coroutine (two for a WebSocket: a reader
// and a writer, one write in flight). start_*() spawns one on `executor`; an exception (a
// connection refused, dropped or answered with an error) fails the run with its message, and the
// client counts itself done either way.
//
// - WebSocket publisher: publish frames with "confirm": N while fewer than --confirm are
//   unconfirmed; confirms come back in publish order, so the send times wait in a deque.
// - HTTP publisher: one kept-alive connection, one request at a time (--batch messages each); the
//   200 is the confirm.
// - Consumer: subscribe with --prefetch and manual acks, or ack "auto". With --ack-every 1 (the
//   default, as PerfTest's) every delivery gets its own ack frame, and the frames for one socket
//   read's deliveries leave in one write; with N > 1 the writer sends one "multiple" ack once N
//   deliveries are pending (and every 10 ms). Acking late is not free: on this VM, deliveries
//   sent while the consumer's socket is quiet reach it milliseconds later (see
//   tools/perf/README.md).
// - AMQP publisher and consumer (--protocol amqp): the same over AMQP 0-9-1, one connection and
//   one channel each (amqp_connection.hpp). The publisher's confirm window is confirm.select's
//   delivery tags (basic.ack / basic.nack, `multiple` or not); the consumer's acks are
//   basic.ack, one per delivery or one `multiple` per --ack-every deliveries.
//
// Thread: each client stays on the io_context of `executor`.

#include <cstddef>

#include <boost/asio/any_io_executor.hpp>

#include "tools/perf/run_state.hpp"

namespace warren::perf {

void start_ws_publisher(boost::asio::any_io_executor executor, RunState& run, std::size_t index);
void start_http_publisher(boost::asio::any_io_executor executor, RunState& run, std::size_t index);
void start_consumer(boost::asio::any_io_executor executor, RunState& run, std::size_t index);
void start_amqp_publisher(boost::asio::any_io_executor executor, RunState& run, std::size_t index);
void start_amqp_consumer(boost::asio::any_io_executor executor, RunState& run, std::size_t index);

} // namespace warren::perf
