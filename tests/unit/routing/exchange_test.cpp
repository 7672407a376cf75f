#include <gtest/gtest.h>

#include "routing/exchange.hpp"

namespace warren::routing {
namespace {

TEST(ExchangeType, ParsesTheTypeNamesAndPrintsThemBack) {
    for (const ExchangeType type : {ExchangeType::direct, ExchangeType::fanout, ExchangeType::topic,
                                    ExchangeType::headers, ExchangeType::consistent_hash}) {
        EXPECT_EQ(parse_exchange_type(to_string(type)), type);
    }
    EXPECT_EQ(to_string(ExchangeType::topic), "topic");
    EXPECT_EQ(to_string(ExchangeType::consistent_hash), "x-consistent-hash");
}

TEST(ExchangeType, RefusesOtherNames) {
    EXPECT_EQ(parse_exchange_type(""), std::nullopt);
    EXPECT_EQ(parse_exchange_type("Direct"), std::nullopt);
    EXPECT_EQ(parse_exchange_type("x-consistent-hashing"), std::nullopt);
    EXPECT_EQ(parse_exchange_type("x-random"), std::nullopt);
    EXPECT_EQ(parse_exchange_type("topic "), std::nullopt);
}

TEST(MakeExchange, BuildsAnExchangeOfTheAskedType) {
    for (const ExchangeType type : {ExchangeType::direct, ExchangeType::fanout, ExchangeType::topic,
                                    ExchangeType::headers, ExchangeType::consistent_hash}) {
        const auto x = make_exchange(type);
        ASSERT_NE(x, nullptr);
        EXPECT_EQ(x->type(), type);
    }
}

} // namespace
} // namespace warren::routing
