#include <algorithm>

#include <gtest/gtest.h>

#include "routing/direct_exchange.hpp"

namespace warren::routing {
namespace {

std::vector<std::string> collect(const Exchange& x, std::string_view key) {
    std::vector<const Destination*> out;
    x.collect(key, {}, out);
    std::vector<std::string> names;
    for (const Destination* d : out) {
        names.push_back(d->name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

using Names = std::vector<std::string>;

TEST(DirectExchange, MatchesOnlyTheByteEqualKey) {
    DirectExchange x;
    x.bind(Destination::queue("q"), "orders.created", {});
    EXPECT_EQ(collect(x, "orders.created"), Names{"q"});
    EXPECT_EQ(collect(x, "Orders.created"), Names{});
    EXPECT_EQ(collect(x, "orders.created "), Names{});
    EXPECT_EQ(collect(x, "orders.*"), Names{});
    EXPECT_EQ(collect(x, "orders"), Names{});
}

TEST(DirectExchange, WildcardsAreLiteral) {
    DirectExchange x;
    x.bind(Destination::queue("q"), "#", {});
    EXPECT_EQ(collect(x, "anything"), Names{});
    EXPECT_EQ(collect(x, "#"), Names{"q"});
}

TEST(DirectExchange, EmptyKeyIsAKeyLikeAnyOther) {
    DirectExchange x;
    x.bind(Destination::queue("q"), "", {});
    EXPECT_EQ(collect(x, ""), Names{"q"});
    EXPECT_EQ(collect(x, "a"), Names{});
}

TEST(DirectExchange, SeveralDestinationsMayShareAKey) {
    DirectExchange x;
    x.bind(Destination::queue("q1"), "k", {});
    x.bind(Destination::queue("q2"), "k", {});
    x.bind(Destination::exchange("x2"), "k", {});
    x.bind(Destination::queue("q3"), "other", {});
    EXPECT_EQ(collect(x, "k"), (Names{"q1", "q2", "x2"}));
}

TEST(DirectExchange, BindAndUnbindAreIdempotentAndArgumentsArePartOfTheBinding) {
    DirectExchange x;
    EXPECT_TRUE(x.bind(Destination::queue("q"), "k", {}));
    EXPECT_FALSE(x.bind(Destination::queue("q"), "k", {}));
    EXPECT_TRUE(x.bind(Destination::queue("q"), "k", {{"a", 1}}));
    EXPECT_FALSE(x.unbind(Destination::queue("q"), "k", {{"a", 2}}));
    EXPECT_FALSE(x.unbind(Destination::queue("q"), "other", {}));
    EXPECT_TRUE(x.unbind(Destination::queue("q"), "k", {}));
    EXPECT_EQ(collect(x, "k"), Names{"q"});
    EXPECT_TRUE(x.unbind(Destination::queue("q"), "k", {{"a", 1}}));
    EXPECT_FALSE(x.unbind(Destination::queue("q"), "k", {{"a", 1}}));
    EXPECT_EQ(collect(x, "k"), Names{});
}

TEST(DirectExchange, ReportsItsType) {
    EXPECT_EQ(DirectExchange{}.type(), ExchangeType::direct);
}

} // namespace
} // namespace warren::routing
