#pragma once

// RunState: what the main thread and the publisher and consumer coroutines share during one run.
// The main thread flips the phase flags; the coroutines poll them at least every 10-50 ms (each
// waits on a timer with that bound), so no cross-thread wakeups are needed.
//
// Thread: any (atomics); options, target and metrics outlive the io_context threads.

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "tools/perf/connect.hpp"
#include "tools/perf/metrics.hpp"
#include "tools/perf/options.hpp"

namespace warren::perf {

struct RunState {
    const PerfOptions& options;
    const Target& target;
    Metrics& metrics;
    std::atomic<bool> go{false};              // publishers may send (set after all connected)
    std::atomic<std::int64_t> start_ns{0};    // when go was set
    std::atomic<bool> stop_publishing{false}; // duration over or a failure
    std::atomic<bool> stop_consuming{false};  // everything received, or the drain timed out
    std::atomic<std::size_t> publishers_ready{0};
    std::atomic<std::size_t> consumers_ready{0};
    std::atomic<std::size_t> publishers_done{0};
    std::atomic<std::size_t> consumers_done{0};
};

} // namespace warren::perf
