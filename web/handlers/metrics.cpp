// GET /metrics: the broker in the Prometheus text format (version 0.0.4). Names follow
// Prometheus conventions (warren_ prefix, base units, _total counters) and, where the concept
// maps, RabbitMQ's rabbitmq_prometheus plugin (rabbitmq_queue_messages_ready ->
// warren_queue_messages_ready, ...). Counters only: rates are for Prometheus to compute.
//
// Cost: one pass over the queues and one over the exchanges, appending to per-family buffers
// sized up front (PrometheusText), plus the node totals of RateTracker (O(objects) hash lookups).

#include <boost/beast/http/field.hpp>

#include "web/handlers/monitoring.hpp"

#ifndef WARREN_VERSION
#error "WARREN_VERSION must be defined by the build (PROJECT_VERSION)"
#endif

namespace warren::web {

namespace http = boost::beast::http;

namespace {

using Type = MetricType;

void render_queues(PrometheusText& text, const std::vector<server::QueueView>& queues) {
    auto family = [&](std::string_view name, std::string_view help, Type type) {
        return text.family(name, help, type, queues.size());
    };
    const auto ready = family("warren_queue_messages_ready",
                              "Messages ready to be delivered to consumers", Type::gauge);
    const auto unacked =
        family("warren_queue_messages_unacked",
               "Messages delivered to consumers but not yet acknowledged", Type::gauge);
    const auto messages =
        family("warren_queue_messages", "Sum of ready and unacknowledged messages (queue depth)",
               Type::gauge);
    const auto ready_bytes =
        family("warren_queue_messages_ready_bytes",
               "Size in bytes of ready message bodies (in memory and paged out)", Type::gauge);
    const auto paged =
        family("warren_queue_messages_paged_out",
               "Ready messages kept only on disk (past the memory budget)", Type::gauge);
    const auto consumers = family("warren_queue_consumers", "Consumers on a queue", Type::gauge);
    const auto groups =
        family("warren_queue_message_groups",
               "Message groups with ready or unacked messages (x-group-by)", Type::gauge);
    const auto groups_owned = family(
        "warren_queue_message_groups_owned",
        "Message groups held by a consumer (it has unacked messages of the group)", Type::gauge);
    const auto published =
        family("warren_queue_messages_published_total",
               "Total number of messages published to (enqueued in) a queue", Type::counter);
    const auto delivered = family(
        "warren_queue_messages_delivered_total",
        "Total number of messages delivered to consumers (WebSocket subscriptions)", Type::counter);
    const auto got =
        family("warren_queue_messages_get_total",
               "Total number of messages fetched with get (POST .../get)", Type::counter);
    const auto acked = family("warren_queue_messages_acked_total",
                              "Total number of messages acknowledged", Type::counter);
    const auto redelivered = family("warren_queue_messages_redelivered_total",
                                    "Total number of redeliveries", Type::counter);
    const auto dead_lettered =
        family("warren_queue_messages_dead_lettered_total",
               "Total number of messages sent to the dead-letter exchange", Type::counter);
    const auto expired = family("warren_queue_messages_expired_total",
                                "Total number of messages whose TTL ran out", Type::counter);
    const auto duplicates = family(
        "warren_queue_messages_duplicate_total",
        "Messages a queue's deduplication found to be duplicates (not enqueued)", Type::counter);

    for (const server::QueueView& queue : queues) {
        const auto labels = PrometheusText::labels({{"vhost", queue.vhost}, {"queue", queue.name}});
        const server::QueueStats& stats = queue.stats;
        text.add(ready, labels, queue.messages_ready);
        text.add(unacked, labels, queue.messages_unacknowledged);
        text.add(messages, labels, queue.messages_ready + queue.messages_unacknowledged);
        text.add(ready_bytes, labels, queue.message_bytes_ready);
        text.add(paged, labels, queue.messages_paged_out);
        text.add(consumers, labels, std::uint64_t{queue.consumers});
        text.add(groups, labels, queue.message_groups);
        text.add(groups_owned, labels, queue.message_groups_owned);
        text.add(published, labels, stats.publish);
        text.add(delivered, labels, stats.deliver);
        text.add(got, labels, stats.get);
        text.add(acked, labels, stats.ack);
        text.add(redelivered, labels, stats.redeliver);
        text.add(dead_lettered, labels, stats.dead_lettered);
        text.add(expired, labels, stats.expired);
        text.add(duplicates, labels, queue.duplicates);
    }
}

void render_exchanges(PrometheusText& text, const std::vector<server::ExchangeView>& exchanges) {
    const auto in = text.family("warren_exchange_messages_published_in_total",
                                "Total number of messages published to an exchange", Type::counter,
                                exchanges.size());
    const auto out = text.family("warren_exchange_messages_published_out_total",
                                 "Total number of messages an exchange routed to a queue",
                                 Type::counter, exchanges.size());
    const auto duplicates =
        text.family("warren_exchange_messages_duplicate_total",
                    "Publishes an exchange's deduplication found to be duplicates (confirmed, "
                    "not routed)",
                    Type::counter, exchanges.size());
    for (const server::ExchangeView& exchange : exchanges) {
        const auto labels =
            PrometheusText::labels({{"vhost", exchange.vhost}, {"exchange", exchange.name}});
        text.add(in, labels, exchange.publish_in);
        text.add(out, labels, exchange.publish_out);
        text.add(duplicates, labels, exchange.duplicates);
    }
}

void render_store(PrometheusText& text, const StoreMetrics& store) {
    const auto latency = text.family("warren_store_commit_seconds",
                                     "Time to commit one group of batches to SQLite (group "
                                     "commit on the writer thread)",
                                     Type::histogram);
    text.add_histogram(latency, {}, store.commit_buckets, store.commit_count,
                       store.commit_seconds_sum);
    const auto commits =
        text.family("warren_store_commits_total", "Total number of committed SQLite transactions",
                    Type::counter);
    text.add(commits, store.commits);
    const auto batches = text.family("warren_store_batches_total",
                                     "Total number of batches committed (several per commit "
                                     "under load)",
                                     Type::counter);
    text.add(batches, store.batches);
    const auto failed =
        text.family("warren_store_failed_batches_total",
                    "Total number of batches that failed and were rolled back", Type::counter);
    text.add(failed, store.failed_batches);
    const auto reaped =
        text.family("warren_store_reaped_entries_total",
                    "Total number of settled entries deleted in the background", Type::counter);
    text.add(reaped, store.reaped_entries);
    const auto pending =
        text.family("warren_store_pending_bytes",
                    "Bytes queued for the writer thread, not yet committed", Type::gauge);
    text.add(pending, store.pending_bytes);
}

void render_resources(PrometheusText& text, const server::ResourcesView& resources) {
    const auto memory_alarm =
        text.family("warren_alarms_memory_used_watermark",
                    "1 if the memory high watermark alarm is in effect", Type::gauge);
    text.add(memory_alarm, std::uint64_t{resources.memory_alarm ? 1u : 0u});
    const auto disk_alarm =
        text.family("warren_alarms_free_disk_space_watermark",
                    "1 if the free disk space watermark alarm is in effect", Type::gauge);
    text.add(disk_alarm, std::uint64_t{resources.disk_alarm ? 1u : 0u});
    if (resources.resident_memory) {
        const auto f = text.family("warren_process_resident_memory_bytes",
                                   "Resident memory of the warren process in bytes", Type::gauge);
        text.add(f, *resources.resident_memory);
    }
    const auto limit = text.family("warren_resident_memory_limit_bytes",
                                   "Memory high watermark in bytes", Type::gauge);
    text.add(limit, resources.memory_limit);
    if (resources.disk_free) {
        const auto f =
            text.family("warren_disk_space_available_bytes",
                        "Free disk space on the data directory's file system", Type::gauge);
        text.add(f, *resources.disk_free);
    }
    const auto disk_limit = text.family("warren_disk_space_available_limit_bytes",
                                        "Free disk space low watermark in bytes", Type::gauge);
    text.add(disk_limit, resources.disk_free_limit);
    const auto budget = text.family("warren_memory_budget_bytes",
                                    "Bytes of ready messages kept in memory before durable "
                                    "queues page to disk (--memory-budget)",
                                    Type::gauge);
    text.add(budget, resources.memory_budget);
    const auto used =
        text.family("warren_memory_budget_used_bytes",
                    "Bytes of ready messages held in memory (bodies plus per-entry overhead), "
                    "counted against the memory budget",
                    Type::gauge);
    text.add(used, resources.memory_in_use);
}

} // namespace

std::string render_metrics(const MetricsSources& sources) {
    const server::Broker& broker = sources.broker;
    const server::MetricsView metrics = broker.metrics();
    PrometheusText text;

    const auto build = text.family("warren_build_info", "warren version info", Type::gauge);
    text.add(build, {{"version", WARREN_VERSION}}, std::uint64_t{1});
    const auto identity =
        text.family("warren_identity_info", "warren node and cluster identity", Type::gauge);
    text.add(identity, {{"node", sources.node.node}, {"cluster", sources.node.cluster_name}},
             std::uint64_t{1});

    render_queues(text, metrics.queues);
    render_exchanges(text, metrics.exchanges);

    const server::Totals& totals = metrics.totals;
    const std::size_t websocket = totals.connections;
    const std::size_t sessions = sources.http_sessions ? sources.http_sessions() : websocket;
    const auto connections = text.family(
        "warren_connections", "Client connections currently open, by protocol", Type::gauge, 2);
    text.add(connections, {{"protocol", "http"}},
             std::uint64_t{sessions > websocket ? sessions - websocket : 0});
    text.add(connections, {{"protocol", "websocket"}}, std::uint64_t{websocket});
    const auto channels = text.family(
        "warren_channels", "Channels currently open (one per WebSocket connection)", Type::gauge);
    text.add(channels, std::uint64_t{totals.channels});
    const auto consumers =
        text.family("warren_consumers", "Consumers currently subscribed", Type::gauge);
    text.add(consumers, std::uint64_t{totals.consumers});
    const auto queues = text.family("warren_queues", "Queues available", Type::gauge);
    text.add(queues, std::uint64_t{totals.queues});
    const auto exchanges = text.family("warren_exchanges", "Exchanges available", Type::gauge);
    text.add(exchanges, std::uint64_t{totals.exchanges});
    const auto vhosts = text.family("warren_vhosts", "Virtual hosts", Type::gauge);
    text.add(vhosts, std::uint64_t{totals.vhosts});
    const auto ready = text.family("warren_messages_ready",
                                   "Messages ready to be delivered, all queues", Type::gauge);
    text.add(ready, totals.messages_ready);
    const auto unacked =
        text.family("warren_messages_unacked",
                    "Messages delivered but not yet acknowledged, all queues", Type::gauge);
    text.add(unacked, totals.messages_unacknowledged);
    const auto paged = text.family("warren_messages_paged_out",
                                   "Ready messages kept only on disk, all queues", Type::gauge);
    text.add(paged, totals.messages_paged_out);

    // Node totals since start, including objects deleted meanwhile (RabbitMQ's global counters).
    const server::MessageCounters& global = metrics.counters;
    const auto received =
        text.family("warren_global_messages_received_total",
                    "Total number of messages published to exchanges", Type::counter);
    text.add(received, global.publish);
    const auto delivered = text.family(
        "warren_global_messages_delivered_total",
        "Total number of messages delivered to consumers or fetched with get", Type::counter);
    text.add(delivered, global.deliver_get);
    const auto acknowledged = text.family("warren_global_messages_acknowledged_total",
                                          "Total number of messages acknowledged", Type::counter);
    text.add(acknowledged, global.ack);
    const auto redelivered = text.family("warren_global_messages_redelivered_total",
                                         "Total number of redeliveries", Type::counter);
    text.add(redelivered, global.redeliver);

    render_resources(text, metrics.resources);
    if (sources.store) {
        if (auto store = sources.store()) {
            render_store(text, *store);
        }
    }
    return std::move(text).finish();
}

void register_metrics_routes(ApiRouter& router, MetricsSources sources, bool require_auth) {
    router.add(
        http::verb::get, "/metrics",
        [sources = std::move(sources)](RequestContext&) -> HandlerResult {
            Response res{http::status::ok, 11};
            res.set(http::field::content_type, kPrometheusContentType);
            res.set(http::field::cache_control, "no-cache");
            res.body() = render_metrics(sources);
            return res;
        },
        RouteOptions{require_auth});
}

} // namespace warren::web
