#include "web/commit.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace warren::web {

namespace asio = boost::asio;

boost::asio::awaitable<Result<void>> wait_for_commit(server::Broker& broker) {
    // The completion runs on the core thread (the store posts it there), which is also the
    // thread of this coroutine under threading model A.
    auto initiate = [&broker](auto handler) {
        // Completions are std::function (copyable); the awaitable's handler is move-only.
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        broker.flush([shared](Result<void> result) { std::move(*shared)(std::move(result)); });
    };
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Result<void>)>(
        initiate, asio::use_awaitable);
}

} // namespace warren::web
