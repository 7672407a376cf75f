#include <algorithm>

#include <gtest/gtest.h>

#include "routing/fanout_exchange.hpp"

namespace warren::routing {
namespace {

std::vector<std::string> collect(const Exchange& x, std::string_view key,
                                 const boost::json::object& headers = {}) {
    std::vector<const Destination*> out;
    x.collect(key, headers, out);
    std::vector<std::string> names;
    for (const Destination* d : out) {
        names.push_back(d->name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

using Names = std::vector<std::string>;

TEST(FanoutExchange, RoutesToEveryBindingWhateverTheKey) {
    FanoutExchange x;
    x.bind(Destination::queue("q1"), "", {});
    x.bind(Destination::queue("q2"), "ignored", {});
    x.bind(Destination::exchange("x2"), "#", {});
    EXPECT_EQ(collect(x, "anything"), (Names{"q1", "q2", "x2"}));
    EXPECT_EQ(collect(x, "", {{"h", 1}}), (Names{"q1", "q2", "x2"}));
}

TEST(FanoutExchange, NoBindingsRoutesNowhere) {
    EXPECT_EQ(collect(FanoutExchange{}, "k"), Names{});
}

// The key plays no part in routing but, as in RabbitMQ, it is part of the binding's identity.
TEST(FanoutExchange, KeyAndArgumentsArePartOfTheBinding) {
    FanoutExchange x;
    EXPECT_TRUE(x.bind(Destination::queue("q"), "k1", {}));
    EXPECT_FALSE(x.bind(Destination::queue("q"), "k1", {}));
    EXPECT_TRUE(x.bind(Destination::queue("q"), "k2", {}));
    EXPECT_TRUE(x.bind(Destination::queue("q"), "k1", {{"a", true}}));
    EXPECT_EQ(collect(x, "z"), (Names{"q", "q", "q"}));
    EXPECT_TRUE(x.unbind(Destination::queue("q"), "k2", {}));
    EXPECT_FALSE(x.unbind(Destination::queue("q"), "k2", {}));
    EXPECT_FALSE(x.unbind(Destination::queue("q"), "k1", {{"a", false}}));
    EXPECT_EQ(collect(x, "z"), (Names{"q", "q"}));
}

TEST(FanoutExchange, ReportsItsType) {
    EXPECT_EQ(FanoutExchange{}.type(), ExchangeType::fanout);
}

} // namespace
} // namespace warren::routing
