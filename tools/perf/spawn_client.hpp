#pragma once

// spawn_client: runs one of a client's coroutines (a publisher, a consumer, or its reader) so
// that a failure fails the run with the client's name and message, and the client then gets to
// clean up (abort its socket, count itself done) whether it failed or not.
//
// Thread: the coroutine and `after` run on `executor`.

#include <exception>
#include <string>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>

#include "tools/perf/metrics.hpp"

namespace warren::perf {

// `who`: "publisher 3", "consumer 0". `after(failed)` runs once `work` has ended.
template <class After>
void spawn_client(boost::asio::any_io_executor executor, boost::asio::awaitable<void> work,
                  Metrics& metrics, std::string who, After after) {
    boost::asio::co_spawn(executor, std::move(work),
                          [&metrics, who = std::move(who),
                           after = std::move(after)](std::exception_ptr error) mutable {
                              if (error) {
                                  try {
                                      std::rethrow_exception(error);
                                  } catch (const std::exception& e) {
                                      metrics.fail(who + ": " + e.what());
                                  }
                              }
                              after(error != nullptr);
                          });
}

} // namespace warren::perf
