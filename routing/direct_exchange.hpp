#pragma once

// DirectExchange: a binding matches when its key equals the routing key byte for byte. Several
// destinations may share a key (multicast). Router also uses the type for the default exchange "",
// whose implicit per-queue bindings it resolves itself.
// Lifetime and threads: owned by Router's exchange entry; no locks, the owner serializes calls.

#include <string>
#include <unordered_map>

#include "routing/bound_destination.hpp"
#include "routing/exchange.hpp"
#include "routing/string_hash.hpp"

namespace warren::routing {

class DirectExchange final : public Exchange {
public:
    ExchangeType type() const override { return ExchangeType::direct; }
    bool bind(const Destination& destination, std::string_view binding_key,
              const boost::json::object& arguments) override;
    bool unbind(const Destination& destination, std::string_view binding_key,
                const boost::json::object& arguments) override;
    void collect(std::string_view routing_key, const boost::json::object& headers,
                 std::vector<const Destination*>& out) const override;

private:
    std::unordered_map<std::string, std::vector<BoundDestination>, StringHash, std::equal_to<>>
        by_key_;
};

} // namespace warren::routing
