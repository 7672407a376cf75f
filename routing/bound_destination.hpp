#pragma once

// BoundDestination: what an exchange keeps per binding besides its key, and the two operations
// every exchange type needs on a list of them. Two bindings are the same when destination, key and
// arguments are all equal (arguments by JSON equality), as in RabbitMQ.

#include <algorithm>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "routing/destination.hpp"

namespace warren::routing {

struct BoundDestination {
    Destination destination;
    boost::json::object arguments;
};

// Appends unless an identical entry exists; true when it was added.
inline bool add_unique(std::vector<BoundDestination>& list, const Destination& destination,
                       const boost::json::object& arguments) {
    const bool exists = std::any_of(list.begin(), list.end(), [&](const BoundDestination& b) {
        return b.destination == destination && b.arguments == arguments;
    });
    if (exists) {
        return false;
    }
    list.push_back(BoundDestination{destination, arguments});
    return true;
}

// Removes the identical entry; true when there was one.
inline bool remove_one(std::vector<BoundDestination>& list, const Destination& destination,
                       const boost::json::object& arguments) {
    const auto it = std::find_if(list.begin(), list.end(), [&](const BoundDestination& b) {
        return b.destination == destination && b.arguments == arguments;
    });
    if (it == list.end()) {
        return false;
    }
    list.erase(it);
    return true;
}

// For exchanges that keep the binding key beside a BoundDestination only for identity (fanout,
// headers): a predicate for "entry `e` is the binding (destination, key, arguments)".
struct SameBinding {
    const Destination& destination;
    std::string_view key;
    const boost::json::object& arguments;

    template <class Entry> bool operator()(const Entry& e) const {
        return e.key == key && e.bound.destination == destination && e.bound.arguments == arguments;
    }
};

} // namespace warren::routing
