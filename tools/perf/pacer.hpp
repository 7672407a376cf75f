#pragma once

// Pacer: holds one publisher to its share of --rate. Message k is due at start + k / rate; a
// publisher that is behind sends at once (no catch-up burst limit: the schedule is absolute, as
// PerfTest's), one that is ahead sleeps on its timer until the next message is due.
//
// Thread: its publisher's coroutine.

#include <chrono>
#include <cstdint>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tools/perf/wire.hpp"

namespace warren::perf {

class Pacer {
public:
    Pacer(boost::asio::any_io_executor executor, double rate, std::int64_t start_ns)
        : timer_(executor), rate_(rate), start_ns_(start_ns) {}

    // Waits until `count` more messages may go.
    boost::asio::awaitable<void> wait(std::uint64_t count) {
        if (rate_ <= 0) {
            co_return;
        }
        const auto due =
            start_ns_ + static_cast<std::int64_t>(static_cast<double>(issued_) * 1e9 / rate_);
        issued_ += count;
        const std::int64_t now = now_ns();
        if (due > now) {
            timer_.expires_after(std::chrono::nanoseconds(due - now));
            co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        }
    }

private:
    boost::asio::steady_timer timer_;
    double rate_;
    std::int64_t start_ns_;
    std::uint64_t issued_ = 0;
};

} // namespace warren::perf
