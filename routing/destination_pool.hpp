#pragma once

// DestinationPool: one shared, reference-counted copy of each distinct destination an index's
// bindings lead to, named by a small integer id. Bindings far outnumber queues, so routing then
// reads the matched destinations from a small contiguous array that stays in cache instead of
// one scattered copy per binding, and an index can keep 4-byte ids where it would keep 8-byte
// pointers (more of them fit in one cache line).
// Ids are reused once released. A pointer from get() stays valid until the next acquire (which
// may grow the array) or the release of its id.
// Lifetime and threads: owned by the index that uses it; no locks.

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "routing/destination.hpp"

namespace warren::routing {

class DestinationPool {
public:
    using Id = std::uint32_t;

    Id acquire(const Destination& destination) {
        const auto [it, added] = ids_.try_emplace(destination, 0);
        if (added) {
            if (free_.empty()) {
                it->second = static_cast<Id>(destinations_.size());
                destinations_.push_back(destination);
                refs_.push_back(0);
            } else {
                it->second = free_.back();
                free_.pop_back();
                destinations_[it->second] = destination;
            }
        }
        ++refs_[it->second];
        return it->second;
    }

    void release(Id id) {
        if (--refs_[id] == 0) {
            ids_.erase(destinations_[id]);
            destinations_[id] = Destination{};
            free_.push_back(id);
        }
    }

    const Destination* get(Id id) const { return &destinations_[id]; }
    // Distinct destinations held.
    std::size_t size() const { return ids_.size(); }

private:
    std::vector<Destination> destinations_; // by id; a released id holds an empty queue name
    std::vector<std::uint32_t> refs_;       // by id
    std::vector<Id> free_;
    std::unordered_map<Destination, Id, DestinationHash> ids_;
};

} // namespace warren::routing
