#pragma once

// Consumer: one subscription to one queue. Owned by its Queue; its Connection refers to it by
// (queue, id). Deliveries are pulled: the queue delivers to a consumer only while it has credit,
// that is, its sink is ready and (manual ack) its unacked count is below the prefetch.

#include <cstdint>
#include <string>

#include "server/delivery_sink.hpp"
#include "server/specs.hpp"

namespace warren::server {

class Connection;

struct Consumer {
    std::uint64_t id = 0;
    std::string tag;
    Connection* connection = nullptr;
    DeliverySink* sink = nullptr;
    ConsumeOptions options;
    std::uint32_t unacked = 0;
    std::uint64_t delivered = 0;

    // Its sink is ready and, under manual acks, both its own prefetch and its connection's
    // (AMQP's per-channel basic.qos global) leave room (connection.cpp).
    bool has_credit() const;
};

} // namespace warren::server
