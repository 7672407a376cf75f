#include "routing/consistent_hash_exchange.hpp"

#include <algorithm>
#include <charconv>
#include <map>

namespace warren::routing {

std::uint64_t ring_hash(std::string_view bytes) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const char c : bytes) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    // FNV alone leaves similar keys ("key-1", "key-2") close together; the finalizer spreads them.
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

Result<std::uint32_t> parse_weight(std::string_view binding_key) {
    std::uint32_t weight = 0;
    const char* end = binding_key.data() + binding_key.size();
    auto [ptr, ec] = std::from_chars(binding_key.data(), end, weight);
    if (binding_key.empty() || ec != std::errc{} || ptr != end || weight < 1 ||
        weight > kMaxWeight) {
        return make_error(Errc::bad_request,
                          "a binding to an x-consistent-hash exchange has its weight as the "
                          "routing key: an integer from 1 to " +
                              std::to_string(kMaxWeight) + ", not '" + std::string(binding_key) +
                              "'");
    }
    return weight;
}

ConsistentHashExchange::ConsistentHashExchange(std::optional<MessageKey> hash_on, bool partitioned)
    : hash_on_(std::move(hash_on)), partitioned_(partitioned) {}

bool ConsistentHashExchange::bind(const Destination& destination, std::string_view binding_key,
                                  const boost::json::object& arguments) {
    const bool exists = std::any_of(bindings_.begin(), bindings_.end(), [&](const Entry& e) {
        return e.key == binding_key && e.bound.destination == destination &&
               e.bound.arguments == arguments;
    });
    auto weight = parse_weight(binding_key);
    if (exists || !weight) {
        return false; // Router checked the weight before; this keeps the ring sane regardless
    }
    bindings_.push_back(
        Entry{std::string(binding_key), BoundDestination{destination, arguments}, *weight});
    rebuild();
    return true;
}

bool ConsistentHashExchange::unbind(const Destination& destination, std::string_view binding_key,
                                    const boost::json::object& arguments) {
    const auto it = std::find_if(bindings_.begin(), bindings_.end(), [&](const Entry& e) {
        return e.key == binding_key && e.bound.destination == destination &&
               e.bound.arguments == arguments;
    });
    if (it == bindings_.end()) {
        return false;
    }
    bindings_.erase(it);
    rebuild();
    return true;
}

// Two bindings to one destination add their weights: its points are numbered 0..total-1, so
// the ring still depends only on names and (total) weights.
void ConsistentHashExchange::rebuild() {
    std::map<std::pair<Destination::Kind, std::string_view>,
             std::pair<std::uint64_t, const Destination*>>
        totals;
    for (const Entry& e : bindings_) {
        auto& slot = totals[{e.bound.destination.kind, e.bound.destination.name}];
        slot.first += e.weight;
        slot.second = &e.bound.destination;
    }
    ring_.clear();
    std::string label;
    for (const auto& [id, total] : totals) {
        const auto& [kind, name] = id;
        const std::uint64_t points = total.first * kPointsPerWeight;
        label.assign(kind == Destination::Kind::queue ? "queue:" : "exchange:");
        label.append(name);
        label.push_back('#');
        const std::size_t prefix = label.size();
        for (std::uint64_t i = 0; i < points; ++i) {
            label.resize(prefix);
            label.append(std::to_string(i));
            ring_.push_back(Point{ring_hash(label), total.second});
        }
    }
    // Ties (astronomically rare) broken by name, so the order never depends on binding order.
    std::sort(ring_.begin(), ring_.end(), [](const Point& a, const Point& b) {
        if (a.hash != b.hash) {
            return a.hash < b.hash;
        }
        if (a.destination->kind != b.destination->kind) {
            return a.destination->kind < b.destination->kind;
        }
        return a.destination->name < b.destination->name;
    });
}

void ConsistentHashExchange::pick(std::string_view key,
                                  std::vector<const Destination*>& out) const {
    if (ring_.empty()) {
        return;
    }
    const std::uint64_t h = ring_hash(key);
    auto it = std::lower_bound(ring_.begin(), ring_.end(), h,
                               [](const Point& p, std::uint64_t value) { return p.hash < value; });
    if (it == ring_.end()) {
        it = ring_.begin(); // past the last point: around the ring to the first
    }
    out.push_back(it->destination);
}

void ConsistentHashExchange::collect(std::string_view routing_key,
                                     const boost::json::object& headers,
                                     std::vector<const Destination*>& out) const {
    collect_from(RouteInput{routing_key, headers, nullptr}, out);
}

void ConsistentHashExchange::collect_from(const RouteInput& input,
                                          std::vector<const Destination*>& out) const {
    if (partitioned_) {
        const auto* key = input.headers.if_contains(kPartitionKeyHeader);
        pick(key != nullptr && key->is_string() ? std::string_view(key->get_string())
                                                : input.routing_key,
             out);
        return;
    }
    if (!hash_on_ || hash_on_->source == MessageKey::Source::routing_key) {
        pick(input.routing_key, out);
        return;
    }
    // A message without the header or property is not routed (as RabbitMQ's plugin).
    if (auto key = key_of(input.routing_key, input.headers, input.properties, *hash_on_)) {
        pick(*key, out);
    }
}

} // namespace warren::routing
