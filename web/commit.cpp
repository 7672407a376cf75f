#include "web/commit.hpp"

#include <memory>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace warren::web {

namespace asio = boost::asio;

namespace {

// The initiation of the flush operation. The journal keeps its waiters in std::function, which
// must be copyable, so the (move-only) completion handler is shared.
//
// when_committed() calls back synchronously when there is no store: the handler is then posted,
// since resuming the coroutine from inside the initiating function would nest it in its own
// suspension. Otherwise the callback comes from the store's completion, which the writer thread
// has already posted to the core executor: posting it a second time only cost a queue turn per
// request, so the handler is dispatched (run at once when we are on its executor, which in
// threading model A we always are).
struct FlushInitiation {
    server::Broker& broker;

    template <class Handler> void operator()(Handler&& handler) const {
        struct Waiter {
            explicit Waiter(std::decay_t<Handler> h) : handler(std::move(h)) {}
            std::decay_t<Handler> handler;
            bool initiating = true;
        };
        auto waiter = std::make_shared<Waiter>(std::forward<Handler>(handler));
        broker.when_committed([waiter](Result<void> result) {
            auto executor = asio::get_associated_executor(waiter->handler);
            auto resume = [waiter, result = std::move(result)]() mutable {
                std::move(waiter->handler)(std::move(result));
            };
            if (waiter->initiating) {
                asio::post(executor, std::move(resume));
            } else {
                asio::dispatch(executor, std::move(resume));
            }
        });
        waiter->initiating = false;
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
