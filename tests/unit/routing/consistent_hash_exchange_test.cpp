// The x-consistent-hash exchange: one destination per message, shares within 10 % of the
// weights, a ring that depends only on names and weights (so keys stay put across a restart
// and only the moved queue's share moves), and the hash-header / hash-property sources.

#include <map>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "routing/consistent_hash_exchange.hpp"
#include "routing/router.hpp"

namespace warren::routing {
namespace {

constexpr int kKeys = 100000;

std::map<std::string, int> spread(const Router& router, int keys = kKeys) {
    std::map<std::string, int> count;
    for (int i = 0; i < keys; ++i) {
        const auto r = router.route("hash", "order-" + std::to_string(i), {});
        EXPECT_EQ(r.queues.size(), 1u);
        if (!r.queues.empty()) {
            ++count[std::string(r.queues[0])];
        }
    }
    return count;
}

Router with_ring(const std::vector<std::pair<std::string, std::string>>& bindings,
                 ExchangeOptions options = {}) {
    Router router;
    router.add_exchange("hash", ExchangeType::consistent_hash, {}, options);
    for (const auto& [queue, weight] : bindings) {
        router.add_queue(queue);
        EXPECT_TRUE(router.bind({"hash", Destination::queue(queue), weight, {}}));
    }
    return router;
}

TEST(ConsistentHash, SharesFollowTheWeightsWithinTenPercent) {
    const Router router = with_ring({{"q1", "1"}, {"q2", "2"}, {"q3", "3"}, {"q4", "4"}});
    const auto count = spread(router);
    for (const auto& [queue, weight] :
         std::map<std::string, double>{{"q1", 1.0}, {"q2", 2.0}, {"q3", 3.0}, {"q4", 4.0}}) {
        const double expected = kKeys * weight / 10.0;
        EXPECT_NEAR(count.at(queue), expected, expected * 0.10) << queue;
    }
}

TEST(ConsistentHash, TheRingDependsOnlyOnNamesAndWeights) {
    // The same bindings made in another order (another run, another node) route every key alike.
    const Router one = with_ring({{"a", "1"}, {"b", "2"}, {"c", "1"}});
    const Router two = with_ring({{"c", "1"}, {"b", "2"}, {"a", "1"}});
    for (int i = 0; i < 10000; ++i) {
        const std::string key = "k" + std::to_string(i);
        EXPECT_EQ(one.route("hash", key, {}).queues[0], two.route("hash", key, {}).queues[0]);
    }
}

TEST(ConsistentHash, RebindingOneQueueMovesOnlyItsShare) {
    Router router = with_ring({{"a", "1"}, {"b", "1"}, {"c", "1"}});
    std::map<int, std::string> before;
    for (int i = 0; i < 20000; ++i) {
        before[i] = std::string(router.route("hash", "k" + std::to_string(i), {}).queues[0]);
    }
    ASSERT_TRUE(router.unbind({"hash", Destination::queue("c"), "1", {}}));
    for (int i = 0; i < 20000; ++i) {
        const std::string now(router.route("hash", "k" + std::to_string(i), {}).queues[0]);
        if (before[i] != "c") {
            EXPECT_EQ(now, before[i]) << "key k" << i << " moved though its queue stayed";
        }
    }
    ASSERT_TRUE(router.bind({"hash", Destination::queue("c"), "1", {}}));
    for (int i = 0; i < 20000; ++i) {
        EXPECT_EQ(router.route("hash", "k" + std::to_string(i), {}).queues[0], before[i]);
    }
}

TEST(ConsistentHash, TheBindingKeyIsAWeight) {
    Router router;
    router.add_exchange("hash", ExchangeType::consistent_hash);
    router.add_queue("q");
    for (const char* bad : {"", "abc", "0", "-1", "1.5", "1001", " 1"}) {
        auto r = router.bind({"hash", Destination::queue("q"), bad, {}});
        ASSERT_FALSE(r) << "'" << bad << "'";
        EXPECT_EQ(r.error().code, Errc::bad_request);
        EXPECT_NE(r.error().reason.find("weight"), std::string::npos) << r.error().reason;
    }
    EXPECT_TRUE(router.bind({"hash", Destination::queue("q"), "1000", {}}));
}

TEST(ConsistentHash, AnUnboundRingRoutesNothing) {
    Router router;
    router.add_exchange("hash", ExchangeType::consistent_hash);
    EXPECT_FALSE(router.route("hash", "k", {}).routed());
}

TEST(ConsistentHash, HashHeaderAndHashPropertyPickTheKey) {
    const Router by_header =
        with_ring({{"a", "1"}, {"b", "1"}},
                  ExchangeOptions{MessageKey{MessageKey::Source::header, "account"}});
    // The routing key does not matter; the header does; no header, no route.
    const boost::json::object account{{"account", "acme"}};
    const auto first = by_header.route("hash", "x", account).queues.at(0);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(by_header.route("hash", "r" + std::to_string(i), account).queues.at(0), first);
    }
    EXPECT_FALSE(by_header.route("hash", "x", {}).routed());

    const Router by_property =
        with_ring({{"a", "1"}, {"b", "1"}},
                  ExchangeOptions{MessageKey{MessageKey::Source::property, "correlation_id"}});
    Properties props;
    props.correlation_id = "c-7";
    const auto chosen = by_property.route("hash", "x", {}, &props).queues.at(0);
    for (int i = 0; i < 50; ++i) {
        EXPECT_EQ(by_property.route("hash", "r" + std::to_string(i), {}, &props).queues.at(0),
                  chosen);
    }
    EXPECT_FALSE(by_property.route("hash", "x", {}, nullptr).routed());

    // timestamp, as RabbitMQ's plugin offers it: the same second, the same queue.
    const Router by_time =
        with_ring({{"a", "1"}, {"b", "1"}},
                  ExchangeOptions{MessageKey{MessageKey::Source::property, "timestamp"}});
    Properties at;
    at.timestamp = 1'700'000'000;
    const auto when = by_time.route("hash", "x", {}, &at).queues.at(0);
    EXPECT_EQ(by_time.route("hash", "y", {}, &at).queues.at(0), when);
    Properties none;
    EXPECT_FALSE(by_time.route("hash", "x", {}, &none).routed());
}

TEST(ConsistentHash, ArgumentsAreChecked) {
    auto ok = parse_exchange_options(ExchangeType::consistent_hash,
                                     {{"hash-property", "message_id"}}, "exchange 'h'");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->hash_on->name, "message_id");
    for (const auto& args :
         std::vector<boost::json::object>{{{"hash-header", "a"}, {"hash-property", "message_id"}},
                                          {{"hash-header", 5}},
                                          {{"hash-header", ""}},
                                          {{"hash-property", "priority"}}}) {
        auto r = parse_exchange_options(ExchangeType::consistent_hash, args, "exchange 'h'");
        ASSERT_FALSE(r) << boost::json::serialize(args);
        EXPECT_EQ(r.error().code, Errc::bad_request);
    }
}

TEST(ConsistentHash, TheRingHashIsFixed) {
    // Changing ring_hash would move every key of every user's ring: these values pin it (also
    // computed independently, by the same definition in Python).
    EXPECT_EQ(ring_hash(""), 0xefd01f60ba992926ULL);
    EXPECT_EQ(ring_hash("order-1"), 0x491b422e3af0d9a5ULL);
    EXPECT_EQ(ring_hash("queue:a#0"), 0xf6dd947dfcb42e21ULL);
}

} // namespace
} // namespace warren::routing
