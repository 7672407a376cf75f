#pragma once

// wait_for_commit: suspends a handler until everything the broker changed so far is committed to
// the store (Broker::flush), so that a 200 / 201 means "durable". Handlers run on the core thread,
// where the store posts its completion back.

#include <boost/asio/awaitable.hpp>

#include "common/error.hpp"
#include "server/broker.hpp"

namespace warren::web {

boost::asio::awaitable<Result<void>> wait_for_commit(server::Broker& broker);

} // namespace warren::web
