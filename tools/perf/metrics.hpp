#pragma once

// Metrics: what the publishers and consumers count, shared by the two io_context threads and the
// reporting thread. Counters are relaxed atomics (one increment per message); each latency
// histogram has a mutex, taken once per message by the one thread that records into it and once
// per second by the reporter, which swaps out the interval's histogram.
//
// Thread: any.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "tools/perf/histogram.hpp"

namespace warren::perf {

// A latency series: the current one-second interval and the whole run.
class LatencySeries {
public:
    void record(std::int64_t nanos) {
        std::lock_guard lock(mutex_);
        interval_.record(nanos);
        total_.record(nanos);
    }
    // The interval so far, which then starts again.
    LatencyHistogram take_interval() {
        std::lock_guard lock(mutex_);
        LatencyHistogram out = interval_;
        interval_.reset();
        return out;
    }
    LatencyHistogram total() const {
        std::lock_guard lock(mutex_);
        return total_;
    }

private:
    mutable std::mutex mutex_;
    LatencyHistogram interval_;
    LatencyHistogram total_;
};

struct Metrics {
    std::atomic<std::uint64_t> sent{0};       // publish frames / messages in requests written
    std::atomic<std::uint64_t> confirmed{0};  // confirm frames or 200s, routed or not
    std::atomic<std::uint64_t> unroutable{0}; // confirmed with routed: false
    std::atomic<std::uint64_t> nacked{0};     // refused by the broker (error frame or status)
    std::atomic<std::uint64_t> received{0};   // deliveries
    std::atomic<std::uint64_t> redelivered{0};
    std::atomic<std::uint64_t> acked{0};      // deliveries covered by acks written
    std::atomic<std::uint64_t> ack_frames{0}; // ack frames written (each may be "multiple")
    std::atomic<std::uint64_t> unstamped{0};  // deliveries without a readable time stamp
    std::atomic<std::int64_t> last_send_ns{0};
    std::atomic<std::int64_t> last_receive_ns{0};
    LatencySeries latency;         // publish -> delivery
    LatencySeries confirm_latency; // publish -> confirm (HTTP: request -> 200)

    // The first failure wins; the run stops when one is set.
    void fail(std::string message) {
        std::lock_guard lock(error_mutex_);
        if (error_.empty()) {
            error_ = std::move(message);
        }
        failed_.store(true);
    }
    bool failed() const { return failed_.load(); }
    std::string error() const {
        std::lock_guard lock(error_mutex_);
        return error_;
    }

private:
    mutable std::mutex error_mutex_;
    std::string error_;
    std::atomic<bool> failed_{false};
};

} // namespace warren::perf
