#pragma once

// DestinationPool: one shared, reference-counted copy of each distinct destination an index's
// bindings lead to. Bindings far outnumber queues, so routing then reads the matched
// destinations from a small set that stays in cache instead of one scattered copy per binding.
// Pointers stay valid while a binding holds them (unordered_map nodes do not move).
// Lifetime and threads: owned by the index that uses it; no locks.

#include <cstddef>
#include <unordered_map>

#include "routing/destination.hpp"

namespace warren::routing {

class DestinationPool {
public:
    const Destination* acquire(const Destination& destination) {
        const auto it = refs_.try_emplace(destination, 0).first;
        ++it->second;
        return &it->first;
    }

    void release(const Destination* destination) {
        const auto it = refs_.find(*destination);
        if (it != refs_.end() && --it->second == 0) {
            refs_.erase(it);
        }
    }

    std::size_t size() const { return refs_.size(); }

private:
    std::unordered_map<Destination, std::size_t, DestinationHash> refs_;
};

} // namespace warren::routing
