#pragma once

// Monitoring endpoints: GET /metrics (Prometheus text) and RabbitMQ's health checks
// (GET /api/health/checks/*, GET /api/aliveness-test/{vhost}).
//
// web/ never includes storage/sqlite: main() turns the store's WriterStats into StoreMetrics
// through MetricsSources::store, and counts TCP sessions through MetricsSources::http_sessions.
// Everything here runs on the core thread (handlers call the broker directly).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/broker.hpp"
#include "web/api_router.hpp"
#include "web/handlers/handlers.hpp"
#include "web/prometheus_text.hpp"

namespace warren::web {

// The store's group-commit counters at one moment (from storage::sqlite::WriterStats).
struct StoreMetrics {
    std::uint64_t commits = 0;
    std::uint64_t batches = 0;
    std::uint64_t failed_batches = 0;
    std::uint64_t reaped_entries = 0;
    std::uint64_t pending_bytes = 0; // the writer queue, bounded (past it publishes get 503)
    // Commit latency: per-bucket counts (not cumulative) with upper bounds in seconds;
    // `commit_count` includes the overflow past the last bound.
    std::vector<HistogramBucket> commit_buckets;
    std::uint64_t commit_count = 0;
    double commit_seconds_sum = 0;
};

// What GET /metrics reads. Every reference must outlive the router.
struct MetricsSources {
    const server::Broker& broker;
    const NodeInfo& node;
    std::function<std::size_t()> http_sessions;         // open TCP sessions, WebSocket included
    std::function<std::optional<StoreMetrics>()> store; // nullopt: no persistent store
};

// The whole exposition text. O(queues + exchanges), one pass over each.
std::string render_metrics(const MetricsSources& sources);

// The content type of version 0.0.4 of the text format.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// GET /metrics; open unless `require_auth` (--metrics-auth).
void register_metrics_routes(ApiRouter& router, MetricsSources sources, bool require_auth);

// GET /api/health/checks/{alarms, local-alarms, virtual-hosts, port-listener/{port},
// protocol-listener/{protocol}, certificate-expiration/{within}/{unit}, node-is-quorum-critical,
// node-is-mirror-sync-critical}: open
// (no credentials), read-only. GET /api/aliveness-test/{vhost}: authenticated (it writes).
void register_health_routes(ApiRouter& router, server::Broker& broker, const NodeInfo& node);

} // namespace warren::web
