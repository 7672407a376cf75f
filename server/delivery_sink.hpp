#pragma once

// DeliverySink: what a transport (a WebSocket session, a test) implements to receive deliveries
// from a consumer. Deliveries are pulled, not pushed: the broker calls deliver() only while
// ready() is true and the consumer has prefetch credit. When a sink that said "not ready" can take
// more (its outbox drained), it calls Connection::resume() so the broker delivers again.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/message.hpp"

namespace warren::server {

struct Delivery {
    std::string_view consumer_tag;
    std::uint64_t delivery_tag = 0; // unique within the connection; 0 for auto-ack deliveries too
    std::string_view queue;
    bool redelivered = false;
    std::uint32_t delivery_count = 1; // this delivery included; x-delivery-count = this - 1
    MessagePtr message;
    // From a stream: the message's offset and append time (epoch ms).
    std::optional<std::uint64_t> stream_offset;
    std::int64_t timestamp = 0;
};

class DeliverySink {
public:
    virtual ~DeliverySink() = default;
    virtual bool ready() const = 0;
    virtual void deliver(const Delivery& delivery) = 0;
    // The consumer ended without the client asking (its queue was deleted).
    virtual void cancelled(std::string_view consumer_tag) { (void)consumer_tag; }
    // A consumer-group subscription's partitions changed (a member joined or left).
    virtual void assigned(const std::vector<std::string>& partitions) { (void)partitions; }
};

} // namespace warren::server
