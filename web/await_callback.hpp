#pragma once

// await_callback: a broker call that answers through a callback (Broker::when_committed,
// Broker::read_stream) as an Asio awaitable, for the HTTP handlers' coroutines.
//
// The callback comes either later, from a store completion the writer thread already posted to
// the core executor (then the coroutine is resumed at once, by dispatch: we are on its
// executor), or at once inside the call when the broker has no store (then it is posted:
// resuming the coroutine from inside its own initiating function would nest it in its own
// suspension). The broker keeps callbacks in std::function, which must be copyable, so the
// (move-only) completion handler is shared.
//
// Thread: a coroutine on the broker's core executor (threading model A).

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace warren::web {

// `start(done)` begins the call; `done(value)` is what the broker calls once.
template <class Value, class Start> boost::asio::awaitable<Value> await_callback(Start start) {
    namespace asio = boost::asio;
    auto initiation = [&start](auto&& handler) {
        using Handler = std::decay_t<decltype(handler)>;
        struct Waiter {
            explicit Waiter(Handler h) : handler(std::move(h)) {}
            Handler handler;
            bool initiating = true;
        };
        auto waiter = std::make_shared<Waiter>(std::forward<decltype(handler)>(handler));
        start(std::function<void(Value)>([waiter](Value value) {
            auto executor = asio::get_associated_executor(waiter->handler);
            auto resume = [waiter, value = std::move(value)]() mutable {
                std::move(waiter->handler)(std::move(value));
            };
            if (waiter->initiating) {
                asio::post(executor, std::move(resume));
            } else {
                asio::dispatch(executor, std::move(resume));
            }
        }));
        waiter->initiating = false;
    };
    co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&, void(Value)>(
        initiation, asio::use_awaitable);
}

} // namespace warren::web
