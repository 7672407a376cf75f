#pragma once

// ConsistentHashExchange ("x-consistent-hash", RabbitMQ plugin compatible): each message goes
// to exactly one of the bound destinations, chosen by hashing its routing key (or the header
// named by the exchange argument hash-header, or the property named by hash-property) onto a
// ring. A binding's key is its weight, a positive integer: a destination with weight w owns
// w * kPointsPerWeight points of the ring. A point's place is a hash of the destination's kind,
// name and the point's number only, so the ring is a function of the bound names and weights:
// a key lands on the same queue after a restart and on any node, and binding or unbinding one
// queue moves only the keys that go to or come from that queue. (RabbitMQ's plugin seeds its
// ring per node and run, so keys move on restart.) A topic (argument x-partitions) is this
// exchange with its partition streams bound, each with weight 1.
//
// Lifetime and threads: owned by Router's exchange entry; no locks, the owner serializes calls.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/message_key.hpp"
#include "routing/bound_destination.hpp"
#include "routing/exchange.hpp"

namespace warren::routing {

// Points per unit of weight: enough that each queue's share stays within a few percent of its
// weight (the spread of a queue's share is about 1/sqrt(points)).
inline constexpr std::uint32_t kPointsPerWeight = 1000;
inline constexpr std::uint32_t kMaxWeight = 1000;

// The ring's hash: FNV-1a with a murmur3 finalizer, fixed forever (a change would move keys).
std::uint64_t ring_hash(std::string_view bytes);

// A binding key as a weight: a decimal integer in [1, kMaxWeight].
Result<std::uint32_t> parse_weight(std::string_view binding_key);

class ConsistentHashExchange final : public Exchange {
public:
    // hash_on: where the key comes from; nothing = the routing key. A topic's exchange
    // (`partitioned`) takes the x-partition-key header when a message has one, else the
    // routing key: a producer keys by either.
    ConsistentHashExchange(std::optional<MessageKey> hash_on, bool partitioned);

    ExchangeType type() const override { return ExchangeType::consistent_hash; }
    bool bind(const Destination& destination, std::string_view binding_key,
              const boost::json::object& arguments) override;
    bool unbind(const Destination& destination, std::string_view binding_key,
                const boost::json::object& arguments) override;
    void collect(std::string_view routing_key, const boost::json::object& headers,
                 std::vector<const Destination*>& out) const override;
    void collect_from(const RouteInput& input, std::vector<const Destination*>& out) const override;

private:
    struct Entry {
        std::string key;
        BoundDestination bound;
        std::uint32_t weight = 0;
    };
    struct Point {
        std::uint64_t hash;
        const Destination* destination;
    };
    void rebuild();
    void pick(std::string_view key, std::vector<const Destination*>& out) const;

    std::optional<MessageKey> hash_on_;
    bool partitioned_ = false;
    std::vector<Entry> bindings_;
    std::vector<Point> ring_; // sorted by hash
};

} // namespace warren::routing
