#pragma once

// LatencyHistogram: nanosecond latencies in log-linear buckets (HdrHistogram's layout with 64
// sub-buckets per power of two: values are kept within 1.6 %, exact below 128 ns), so recording
// is an increment and percentiles need no sorting. Min and max are exact.
//
// Thread: not synchronised; Metrics guards the shared ones.

#include <array>
#include <cstdint>
#include <limits>

namespace warren::perf {

class LatencyHistogram {
public:
    void record(std::int64_t nanos);
    void merge(const LatencyHistogram& other);
    void reset() { *this = LatencyHistogram(); }

    std::uint64_t count() const { return count_; }
    std::int64_t max() const { return count_ ? max_ : 0; }
    std::int64_t min() const { return count_ ? min_ : 0; }
    // The value at quantile q (0 < q <= 1), nanoseconds; 0 when empty.
    std::int64_t percentile(double q) const;

private:
    static constexpr int kSubBits = 6;
    static constexpr std::size_t kLinear = std::size_t{2} << kSubBits; // 128 exact buckets
    static constexpr std::size_t kBuckets = kLinear + (63 - kSubBits) * (1u << kSubBits);
    static std::size_t index_of(std::uint64_t v);
    static std::uint64_t value_of(std::size_t index); // the bucket's midpoint

    std::array<std::uint64_t, kBuckets> buckets_{};
    std::uint64_t count_ = 0;
    std::int64_t min_ = std::numeric_limits<std::int64_t>::max();
    std::int64_t max_ = 0;
};

} // namespace warren::perf
