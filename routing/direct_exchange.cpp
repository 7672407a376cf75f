#include "routing/direct_exchange.hpp"

namespace warren::routing {

bool DirectExchange::bind(const Destination& destination, std::string_view binding_key,
                          const boost::json::object& arguments) {
    auto it = by_key_.find(binding_key);
    if (it == by_key_.end()) {
        it = by_key_.emplace(std::string(binding_key), std::vector<BoundDestination>{}).first;
    }
    return add_unique(it->second, destination, arguments);
}

bool DirectExchange::unbind(const Destination& destination, std::string_view binding_key,
                            const boost::json::object& arguments) {
    const auto it = by_key_.find(binding_key);
    if (it == by_key_.end() || !remove_one(it->second, destination, arguments)) {
        return false;
    }
    if (it->second.empty()) {
        by_key_.erase(it);
    }
    return true;
}

void DirectExchange::collect(std::string_view routing_key, const boost::json::object& /*headers*/,
                             std::vector<const Destination*>& out) const {
    const auto it = by_key_.find(routing_key);
    if (it == by_key_.end()) {
        return;
    }
    for (const BoundDestination& b : it->second) {
        out.push_back(&b.destination);
    }
}

} // namespace warren::routing
