#pragma once

// Destination: where a binding leads, a queue or (exchange-to-exchange) another exchange.

#include <cstdint>
#include <functional>
#include <string>

namespace warren::routing {

struct Destination {
    enum class Kind : std::uint8_t { queue, exchange };
    Kind kind = Kind::queue;
    std::string name;

    static Destination queue(std::string n) { return {Kind::queue, std::move(n)}; }
    static Destination exchange(std::string n) { return {Kind::exchange, std::move(n)}; }
    friend bool operator==(const Destination&, const Destination&) = default;
};

struct DestinationHash {
    std::size_t operator()(const Destination& d) const noexcept {
        return std::hash<std::string>{}(d.name) * 2 + static_cast<std::size_t>(d.kind);
    }
};

} // namespace warren::routing
