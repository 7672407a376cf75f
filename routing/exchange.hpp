#pragma once

// Exchange: one routing rule over its bindings. Concrete types (direct, fanout, topic, headers)
// keep whatever index makes collect() fast; the list of bindings for the API lives in Router.
// Pure and synchronous: no I/O, no locks; the owner serializes all calls.

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "routing/destination.hpp"

namespace warren::routing {

enum class ExchangeType { direct, fanout, topic, headers };

std::optional<ExchangeType> parse_exchange_type(std::string_view name);
std::string_view to_string(ExchangeType type);

class Exchange {
public:
    virtual ~Exchange() = default;
    virtual ExchangeType type() const = 0;

    // Adds a binding; false when an identical one (destination, key, arguments) already exists.
    virtual bool bind(const Destination& destination, std::string_view binding_key,
                      const boost::json::object& arguments) = 0;
    // Removes a binding; false when there was none.
    virtual bool unbind(const Destination& destination, std::string_view binding_key,
                        const boost::json::object& arguments) = 0;

    // Appends every destination whose binding matches. May append one destination more than
    // once; Router removes duplicates. Pointers stay valid until the next bind/unbind.
    virtual void collect(std::string_view routing_key, const boost::json::object& headers,
                         std::vector<const Destination*>& out) const = 0;
};

std::unique_ptr<Exchange> make_exchange(ExchangeType type);

} // namespace warren::routing
