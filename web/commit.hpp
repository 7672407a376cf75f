#pragma once

// wait_for_commit: lets an HTTP handler answer a change only once the broker's journal has
// committed it (DESIGN.md 2: a PUT, DELETE or POST that changes a durable object, and a confirmed
// publish, answer after the SQLite commit). It wraps Broker::when_committed in an Asio awaitable.
//
// Thread: call from a coroutine running on the broker's core executor (threading model A). The
// coroutine resumes on its own executor: inside the store's completion (which the writer thread
// posted there), or after a post when flush() completes at once; never inside flush() itself.

#include <boost/asio/awaitable.hpp>

#include "common/error.hpp"
#include "server/broker.hpp"

namespace warren::web {

// Completes once everything the broker changed so far is committed, with the store's error if
// the commit failed. Without a store it completes at once (still through the executor).
boost::asio::awaitable<Result<void>> wait_for_commit(server::Broker& broker);

} // namespace warren::web
