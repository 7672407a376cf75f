#include "app/store_metrics.hpp"

namespace warren::app {

web::StoreMetrics store_metrics(const storage::sqlite::SqliteStore& store) {
    const storage::sqlite::WriterStats& stats = store.writer_stats();
    constexpr auto relaxed = std::memory_order_relaxed;
    web::StoreMetrics m;
    m.commits = stats.commits.load(relaxed);
    m.batches = stats.batches.load(relaxed);
    m.failed_batches = stats.failed_batches.load(relaxed);
    m.reaped_entries = stats.reaped_entries.load(relaxed);
    m.pending_bytes = store.pending_bytes();
    m.commit_seconds_sum = static_cast<double>(stats.commit_micros_total.load(relaxed)) / 1e6;
    for (std::size_t i = 0; i < std::size(stats.latency_buckets); ++i) {
        const std::uint64_t count = stats.latency_buckets[i].load(relaxed);
        // The count is the buckets' sum (not `commits`), so that +Inf == _count in one scrape.
        m.commit_count += count;
        if (i < std::size(storage::sqlite::WriterStats::kBuckets)) {
            m.commit_buckets.push_back(
                {static_cast<double>(storage::sqlite::WriterStats::kBuckets[i]) / 1e6, count});
        }
    }
    return m;
}

} // namespace warren::app
