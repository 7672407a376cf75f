#pragma once

// report: warren-perf's output. One line per second while it runs (to stdout, or stderr under
// --json so that stdout is exactly one JSON object), then a summary: totals, rates, and the
// publish-to-delivery and publish-to-confirm latency percentiles.
//
// Thread: the main thread.

#include <cstdint>
#include <iosfwd>
#include <string>

#include "tools/perf/histogram.hpp"
#include "tools/perf/options.hpp"

namespace warren::perf {

struct IntervalLine {
    double elapsed_s = 0;
    std::uint64_t sent = 0; // in this interval
    std::uint64_t confirmed = 0;
    std::uint64_t received = 0;
    double seconds = 1; // the interval's real length
    LatencyHistogram latency;
};

struct Summary {
    std::uint64_t sent = 0;
    std::uint64_t confirmed = 0;
    std::uint64_t nacked = 0;
    std::uint64_t unroutable = 0;
    std::uint64_t received = 0;
    std::uint64_t acked = 0;
    std::uint64_t ack_frames = 0;
    std::uint64_t redelivered = 0;
    std::uint64_t unstamped = 0;
    double publish_seconds = 0; // from the start to the last publish
    double receive_seconds = 0; // from the start to the last delivery
    LatencyHistogram latency;
    LatencyHistogram confirm_latency;
    std::string error; // empty unless the run failed
};

void print_interval(std::ostream& out, const IntervalLine& line);
void print_summary(std::ostream& out, const PerfOptions& options, const Summary& summary);
void print_json(std::ostream& out, const PerfOptions& options, const Summary& summary);

} // namespace warren::perf
