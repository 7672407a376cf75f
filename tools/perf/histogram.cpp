#include "tools/perf/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace warren::perf {

std::size_t LatencyHistogram::index_of(std::uint64_t v) {
    if (v < kLinear) {
        return static_cast<std::size_t>(v);
    }
    const int msb = 63 - std::countl_zero(v); // >= kSubBits + 1
    const int shift = msb - kSubBits;
    const std::uint64_t sub = (v >> shift) - (1u << kSubBits); // 0 .. 63
    return kLinear + static_cast<std::size_t>(msb - kSubBits - 1) * (1u << kSubBits) +
           static_cast<std::size_t>(sub);
}

std::uint64_t LatencyHistogram::value_of(std::size_t index) {
    if (index < kLinear) {
        return index;
    }
    const std::size_t k = index - kLinear;
    const int msb = static_cast<int>(k >> kSubBits) + kSubBits + 1;
    const int shift = msb - kSubBits;
    const std::uint64_t sub = (k & ((1u << kSubBits) - 1)) + (1u << kSubBits);
    return (sub << shift) + ((std::uint64_t{1} << shift) >> 1);
}

void LatencyHistogram::record(std::int64_t nanos) {
    const std::uint64_t v = nanos < 0 ? 0 : static_cast<std::uint64_t>(nanos);
    ++buckets_[std::min(index_of(v), kBuckets - 1)];
    ++count_;
    min_ = std::min<std::int64_t>(min_, static_cast<std::int64_t>(v));
    max_ = std::max<std::int64_t>(max_, static_cast<std::int64_t>(v));
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i) {
        buckets_[i] += other.buckets_[i];
    }
    count_ += other.count_;
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
}

std::int64_t LatencyHistogram::percentile(double q) const {
    if (count_ == 0) {
        return 0;
    }
    const auto rank = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += buckets_[i];
        if (seen >= rank) {
            // Clamped to what was really seen: the midpoint may lie past the exact max.
            return std::clamp<std::int64_t>(static_cast<std::int64_t>(value_of(i)), min_, max_);
        }
    }
    return max_;
}

} // namespace warren::perf
