#pragma once

// ConsumerAcks: what a consumer of any protocol (WebSocket, AMQP) does with a delivery and how
// its acks leave. A delivery is counted and its latency recorded; under manual acks it is acked
// as --ack-every says: with 1 (PerfTest's default) one ack frame each, and the frames acking one
// socket read's deliveries leave in one write; with N > 1 one `multiple` ack once N deliveries
// are pending, or every 10 ms. The writer coroutine sends them, and at the end the last ack and
// a clean close, so that the broker has handled every ack before the socket goes.
//
// The protocol is two things given to it: `queue_ack(tag, multiple)`, which queues one ack frame
// on the connection, and the connection itself (flush(), close(timeout)) for write_loop.
//
// Thread: its consumer's executor.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tools/perf/run_state.hpp"
#include "tools/perf/wire.hpp"

namespace warren::perf {

class ConsumerAcks {
public:
    using QueueAck = std::function<void(std::uint64_t tag, bool multiple)>;

    ConsumerAcks(boost::asio::any_io_executor executor, RunState& run, QueueAck queue_ack)
        : run_(run), queue_ack_(std::move(queue_ack)), wake_(executor),
          ack_every_(std::max<std::uint32_t>(1, run.options.ack_every)) {}

    // A delivery arrived: counted, its latency recorded (or counted unstamped), acked.
    void on_delivery(std::uint64_t tag, bool redelivered, std::optional<std::int64_t> stamp) {
        Metrics& metrics = run_.metrics;
        const std::int64_t now = now_ns();
        metrics.received.fetch_add(1, std::memory_order_relaxed);
        metrics.last_receive_ns.store(now, std::memory_order_relaxed);
        if (redelivered) {
            metrics.redelivered.fetch_add(1, std::memory_order_relaxed);
        }
        if (stamp) {
            metrics.latency.record(now - *stamp);
        } else {
            metrics.unstamped.fetch_add(1, std::memory_order_relaxed);
        }
        if (run_.options.auto_ack) {
            return;
        }
        if (ack_every_ == 1) {
            queue_ack_(tag, false);
            ++ack_frames_;
            ++acks_queued_;
        } else {
            last_tag_ = std::max(last_tag_, tag);
            ++unacked_;
        }
        if ((ack_frames_ > 0 || unacked_ >= ack_every_) && writer_waiting_) {
            wake_.cancel();
        }
    }

    // The writer: acks until the run stops consuming (or fails), then the last ack and a close.
    template <class Connection> boost::asio::awaitable<void> write_loop(Connection& connection) {
        constexpr auto kTuple = boost::asio::as_tuple(boost::asio::use_awaitable);
        Metrics& metrics = run_.metrics;
        for (;;) {
            const bool stopping = run_.stop_consuming.load() || metrics.failed();
            if (ack_frames_ > 0) {
                const std::uint64_t frames = std::exchange(ack_frames_, 0);
                const std::uint64_t count = std::exchange(acks_queued_, 0);
                co_await connection.flush();
                metrics.acked.fetch_add(count, std::memory_order_relaxed);
                metrics.ack_frames.fetch_add(frames, std::memory_order_relaxed);
                continue; // more may have come meanwhile
            }
            if (unacked_ > 0 && !run_.options.auto_ack) {
                const std::uint64_t count = std::exchange(unacked_, 0);
                queue_ack_(last_tag_, true);
                co_await connection.flush();
                metrics.acked.fetch_add(count, std::memory_order_relaxed);
                metrics.ack_frames.fetch_add(1, std::memory_order_relaxed);
                continue;
            }
            if (stopping) {
                break;
            }
            co_await connection.flush(); // what the reader answered (pongs, heartbeats)
            writer_waiting_ = true;
            wake_.expires_after(kAckPeriod);
            co_await wake_.async_wait(kTuple);
            writer_waiting_ = false;
        }
        co_await connection.close(kCloseTimeout);
    }

private:
    static constexpr auto kAckPeriod = std::chrono::milliseconds(10);
    static constexpr auto kCloseTimeout = std::chrono::seconds(5);

    RunState& run_;
    QueueAck queue_ack_;
    boost::asio::steady_timer wake_; // the writer's: an ack is due
    bool writer_waiting_ = false;
    std::uint32_t ack_every_ = 1;
    std::uint64_t last_tag_ = 0;    // the newest delivery not yet acked
    std::uint64_t unacked_ = 0;     // deliveries since the last ack (--ack-every > 1)
    std::uint64_t ack_frames_ = 0;  // queued since the last flush (--ack-every 1)
    std::uint64_t acks_queued_ = 0; // deliveries those frames ack
};

} // namespace warren::perf
