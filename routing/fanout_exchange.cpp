#include "routing/fanout_exchange.hpp"

#include <algorithm>

namespace warren::routing {

bool FanoutExchange::bind(const Destination& destination, std::string_view binding_key,
                          const boost::json::object& arguments) {
    if (std::any_of(bindings_.begin(), bindings_.end(),
                    SameBinding{destination, binding_key, arguments})) {
        return false;
    }
    bindings_.push_back(Entry{std::string(binding_key), BoundDestination{destination, arguments}});
    return true;
}

bool FanoutExchange::unbind(const Destination& destination, std::string_view binding_key,
                            const boost::json::object& arguments) {
    const auto it = std::find_if(bindings_.begin(), bindings_.end(),
                                 SameBinding{destination, binding_key, arguments});
    if (it == bindings_.end()) {
        return false;
    }
    bindings_.erase(it);
    return true;
}

void FanoutExchange::collect(std::string_view /*routing_key*/,
                             const boost::json::object& /*headers*/,
                             std::vector<const Destination*>& out) const {
    for (const Entry& e : bindings_) {
        out.push_back(&e.bound.destination);
    }
}

} // namespace warren::routing
