#include "routing/exchange.hpp"

#include "routing/consistent_hash_exchange.hpp"
#include "routing/direct_exchange.hpp"
#include "routing/fanout_exchange.hpp"
#include "routing/headers_exchange.hpp"
#include "routing/topic_exchange.hpp"

namespace warren::routing {

// The only list of exchange types: adding one means a case in each of these functions.

std::optional<ExchangeType> parse_exchange_type(std::string_view name) {
    if (name == "direct") {
        return ExchangeType::direct;
    }
    if (name == "fanout") {
        return ExchangeType::fanout;
    }
    if (name == "topic") {
        return ExchangeType::topic;
    }
    if (name == "headers") {
        return ExchangeType::headers;
    }
    if (name == "x-consistent-hash") {
        return ExchangeType::consistent_hash;
    }
    return std::nullopt;
}

std::string_view to_string(ExchangeType type) {
    switch (type) {
    case ExchangeType::direct:
        return "direct";
    case ExchangeType::fanout:
        return "fanout";
    case ExchangeType::topic:
        return "topic";
    case ExchangeType::headers:
        return "headers";
    case ExchangeType::consistent_hash:
        return "x-consistent-hash";
    }
    return "direct";
}

Result<ExchangeOptions> parse_exchange_options(ExchangeType type,
                                               const boost::json::object& arguments,
                                               std::string_view where) {
    ExchangeOptions out;
    if (type != ExchangeType::consistent_hash) {
        return out;
    }
    const auto* header = arguments.if_contains("hash-header");
    const auto* property = arguments.if_contains("hash-property");
    auto invalid = [&](std::string_view key, std::string_view why) {
        return make_error(Errc::bad_request, "invalid arg '" + std::string(key) + "' for " +
                                                 std::string(where) + ": " + std::string(why));
    };
    if (const auto* partitions = arguments.if_contains(kPartitionsArgument)) {
        const auto count = partitions->is_int64() ? partitions->get_int64() : 0;
        if (count < 1 || count > kMaxPartitions) {
            return invalid(kPartitionsArgument,
                           "expected the topic's partition count, an integer from 1 to " +
                               std::to_string(kMaxPartitions));
        }
        if (header != nullptr || property != nullptr) {
            return invalid(kPartitionsArgument, "a topic hashes the " +
                                                    std::string(kPartitionKeyHeader) +
                                                    " header or the routing key; "
                                                    "hash-header and hash-property do not apply");
        }
        out.partitions = static_cast<std::uint32_t>(count);
    }
    if (header != nullptr && property != nullptr) {
        return invalid("hash-property", "hash-header and hash-property cannot both be set");
    }
    if (header != nullptr) {
        if (!header->is_string() || header->get_string().empty()) {
            return invalid("hash-header", "expected a header name");
        }
        out.hash_on = MessageKey{MessageKey::Source::header, std::string(header->get_string())};
    }
    if (property != nullptr) {
        if (!property->is_string() ||
            (!is_key_property(property->get_string()) && property->get_string() != "timestamp")) {
            return invalid("hash-property", "expected message_id, correlation_id, timestamp, type, "
                                            "user_id or app_id");
        }
        out.hash_on = MessageKey{MessageKey::Source::property, std::string(property->get_string())};
    }
    return out;
}

std::unique_ptr<Exchange> make_exchange(ExchangeType type, const ExchangeOptions& options) {
    switch (type) {
    case ExchangeType::direct:
        return std::make_unique<DirectExchange>();
    case ExchangeType::fanout:
        return std::make_unique<FanoutExchange>();
    case ExchangeType::topic:
        return std::make_unique<TopicExchange>();
    case ExchangeType::headers:
        return std::make_unique<HeadersExchange>();
    case ExchangeType::consistent_hash:
        return std::make_unique<ConsistentHashExchange>(options.hash_on, options.partitions != 0);
    }
    return nullptr;
}

} // namespace warren::routing
