#include "web/commit.hpp"

#include <memory>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace warren::web {

namespace asio = boost::asio;

namespace {

// The initiation of the flush operation. The journal keeps its waiters in std::function, which
// must be copyable, so the (move-only) completion handler is shared. The handler is always
// posted to its own executor: flush() may call back synchronously (no store), and resuming the
// coroutine from inside the initiating function would nest it in its own suspension.
struct FlushInitiation {
    server::Broker& broker;

    template <class Handler> void operator()(Handler&& handler) const {
        using Decayed = std::decay_t<Handler>;
        auto shared = std::make_shared<Decayed>(std::forward<Handler>(handler));
        broker.flush([shared](Result<void> result) {
            auto executor = asio::get_associated_executor(*shared);
            asio::post(executor, [shared, result = std::move(result)]() mutable {
                std::move (*shared)(std::move(result));
            });
        });
    }
};

} // namespace

asio::awaitable<Result<void>> wait_for_commit(server::Broker& broker) {
    FlushInitiation initiation{broker};
    Result<void> result =
        co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Result<void>)>(
            initiation, asio::use_awaitable);
    co_return result;
}

} // namespace warren::web
