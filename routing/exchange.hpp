#pragma once

// Exchange: one routing rule over its bindings. Concrete types (direct, fanout, topic, headers)
// keep whatever index makes collect() fast; the list of bindings for the API lives in Router.
// Pure and synchronous: no I/O, no locks; the owner serializes all calls.

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "common/message.hpp"
#include "common/message_key.hpp"
#include "routing/destination.hpp"

namespace warren::routing {

enum class ExchangeType { direct, fanout, topic, headers, consistent_hash };

std::optional<ExchangeType> parse_exchange_type(std::string_view name);
std::string_view to_string(ExchangeType type);

// What a type reads from the exchange's arguments (the others need nothing).
struct ExchangeOptions {
    std::optional<MessageKey> hash_on; // x-consistent-hash: hash-header / hash-property
    // x-consistent-hash with "x-partitions": N, a topic (DESIGN.md section 7): its N partition
    // streams are bound to it, and a message's key is its x-partition-key header, else its
    // routing key. 0: not a topic.
    std::uint32_t partitions = 0;
};
inline constexpr const char* kPartitionsArgument = "x-partitions";
inline constexpr const char* kPartitionKeyHeader = "x-partition-key";
inline constexpr std::int64_t kMaxPartitions = 1000;
// Checks the arguments a type understands; bad_request with a reason naming the argument.
// `where`: "exchange 'x' in vhost '/'".
Result<ExchangeOptions> parse_exchange_options(ExchangeType type,
                                               const boost::json::object& arguments,
                                               std::string_view where);

// What routing sees of a message. properties may be null (then no property matches).
struct RouteInput {
    std::string_view routing_key;
    const boost::json::object& headers;
    const Properties* properties = nullptr;
};

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
    // The same with the whole message in view, for types that read more than the key and headers.
    virtual void collect_from(const RouteInput& input, std::vector<const Destination*>& out) const {
        collect(input.routing_key, input.headers, out);
    }
};

std::unique_ptr<Exchange> make_exchange(ExchangeType type, const ExchangeOptions& options = {});

} // namespace warren::routing
