#include "routing/exchange.hpp"

#include "routing/direct_exchange.hpp"
#include "routing/fanout_exchange.hpp"
#include "routing/headers_exchange.hpp"
#include "routing/topic_exchange.hpp"

namespace warren::routing {

// The only list of exchange types: adding one means a case in each of these three functions.

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
    }
    return "direct";
}

std::unique_ptr<Exchange> make_exchange(ExchangeType type) {
    switch (type) {
    case ExchangeType::direct:
        return std::make_unique<DirectExchange>();
    case ExchangeType::fanout:
        return std::make_unique<FanoutExchange>();
    case ExchangeType::topic:
        return std::make_unique<TopicExchange>();
    case ExchangeType::headers:
        return std::make_unique<HeadersExchange>();
    }
    return nullptr;
}

} // namespace warren::routing
