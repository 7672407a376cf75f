#pragma once

// FanoutExchange: every binding matches; the routing key and headers are ignored.
// Lifetime and threads: owned by Router's exchange entry; no locks, the owner serializes calls.

#include "routing/bound_destination.hpp"
#include "routing/exchange.hpp"

namespace warren::routing {

class FanoutExchange final : public Exchange {
public:
    ExchangeType type() const override { return ExchangeType::fanout; }
    bool bind(const Destination& destination, std::string_view binding_key,
              const boost::json::object& arguments) override;
    bool unbind(const Destination& destination, std::string_view binding_key,
                const boost::json::object& arguments) override;
    void collect(std::string_view routing_key, const boost::json::object& headers,
                 std::vector<const Destination*>& out) const override;

private:
    // The key is kept only because it is part of a binding's identity (RabbitMQ lists a fanout
    // binding with its key, and "k1" and "k2" to the same queue are two bindings).
    struct Entry {
        std::string key;
        BoundDestination bound;
    };
    std::vector<Entry> bindings_;
};

} // namespace warren::routing
