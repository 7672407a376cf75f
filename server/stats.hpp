#pragma once

// RateTracker: turns the broker's monotonically increasing message counters (QueueStats,
// ExchangeStats) into the rates the management API shows as `*_details: {"rate": x}`, and keeps
// node-wide and per-vhost totals that survive the deletion of the objects that produced them.
//
// Cost model: nothing happens per message (the counters already exist in the broker core).
// sample() walks every queue and exchange once, O(objects), and is called from a timer every
// few seconds; rate lookups for rendering are hash lookups. A rate is the increase between the
// last two samples divided by the time between them, so it describes the last sample window
// (~5 s with main's timer); before a second sample every rate is 0.
//
// Lifetime: owned by main, next to the Core. Thread: the core executor only (like the Core).

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/clock.hpp"
#include "server/vhost.hpp"
#include "server/views.hpp"

namespace warren::server {

class Core;
class Queue;

struct ExchangeRates {
    double publish_in = 0;
    double publish_out = 0;
};

MessageCounters counters_of(const QueueStats& stats);

class RateTracker {
public:
    explicit RateTracker(Millis now) : last_sample_(now) {}

    // Samples every counter of the broker: O(queues + exchanges).
    void sample(const Core& core, Millis now);

    // Rates over the last sample window (0 for objects not yet seen by two samples).
    MessageRates queue_rates(const Queue& queue) const;
    ExchangeRates exchange_rates(std::string_view vhost, std::string_view exchange) const;
    MessageRates vhost_rates(std::string_view vhost) const;
    MessageRates node_rates() const { return node_.rates; }

    // Totals since start, including objects deleted meanwhile. Exact up to now for objects that
    // still exist; activity of an object deleted since the last sample is lost. O(objects).
    MessageCounters vhost_totals(const Vhost& vhost) const;
    MessageCounters node_totals(const Core& core) const;

private:
    struct QueueSample {
        MessageCounters counters;
        MessageRates rates;
    };
    struct ExchangeSample {
        ExchangeStats counters;
        ExchangeRates rates;
    };
    struct Aggregate {
        MessageCounters accumulated; // sum of every increase seen by sample()
        MessageRates rates;
    };

    // What a vhost's existing objects added since the last sample.
    MessageCounters unsampled(const Vhost& vhost) const;

    Millis last_sample_;
    std::unordered_map<std::uint64_t, QueueSample> queues_;     // by queue id
    std::unordered_map<std::string, ExchangeSample> exchanges_; // by vhost '\0' name
    std::unordered_map<std::string, Aggregate> vhosts_;
    Aggregate node_;
};

} // namespace warren::server
