// RateTracker: rates over the last sample window, totals that outlive deleted objects, and
// objects recreated under the same name.

#include "server/stats.hpp"
#include "tests/unit/server/broker_fixture.hpp"

namespace warren::server::testing {
namespace {

class RateTrackerTest : public BrokerTest {
protected:
    void delete_queue(const std::string& name) {
        auto r = broker.delete_queue("/", name, false, false);
        ASSERT_TRUE(r.has_value()) << r.error().reason;
    }

    RateTracker stats{clock.now()};
};

TEST_F(RateTrackerTest, EverythingIsZeroBeforeAnyActivity) {
    declare_queue("q");
    stats.sample(broker, clock.now() + 5000);
    EXPECT_EQ(stats.queue_rates(*queue("q")).publish, 0.0);
    EXPECT_EQ(stats.node_rates().publish, 0.0);
    EXPECT_EQ(stats.node_totals(broker).publish, 0u);
}

TEST_F(RateTrackerTest, RateIsTheIncreaseOverTheLastWindow) {
    declare_queue("q");
    stats.sample(broker, clock.now());
    for (int i = 0; i < 10; ++i) {
        send("q", "m");
    }
    clock.advance(5000);
    stats.sample(broker, clock.now());
    EXPECT_DOUBLE_EQ(stats.queue_rates(*queue("q")).publish, 2.0);
    EXPECT_DOUBLE_EQ(stats.exchange_rates("/", "").publish_in, 2.0);
    EXPECT_DOUBLE_EQ(stats.vhost_rates("/").publish, 2.0);
    EXPECT_DOUBLE_EQ(stats.node_rates().publish, 2.0);

    // Gets count as deliver_get; the publish rate falls to 0 in a quiet window.
    auto got = broker.get("/", "q", 5, GetMode::ack_requeue_false);
    ASSERT_TRUE(got.has_value());
    clock.advance(2500);
    stats.sample(broker, clock.now());
    EXPECT_DOUBLE_EQ(stats.queue_rates(*queue("q")).publish, 0.0);
    EXPECT_DOUBLE_EQ(stats.queue_rates(*queue("q")).deliver_get, 2.0);
    EXPECT_EQ(stats.node_totals(broker).publish, 10u);
    EXPECT_EQ(stats.node_totals(broker).deliver_get, 5u);
}

TEST_F(RateTrackerTest, TotalsIncludeActivitySinceTheLastSample) {
    declare_queue("q");
    send("q", "a");
    EXPECT_EQ(stats.node_totals(broker).publish, 1u);
    EXPECT_EQ(stats.vhost_totals(*broker.find_vhost("/")).publish, 1u);
    stats.sample(broker, clock.now() + 1000);
    send("q", "b");
    EXPECT_EQ(stats.node_totals(broker).publish, 2u);
}

TEST_F(RateTrackerTest, TotalsKeepWhatDeletedQueuesCounted) {
    declare_queue("q");
    send("q", "a");
    ASSERT_TRUE(broker.get("/", "q", 1, GetMode::ack_requeue_false).has_value());
    stats.sample(broker, clock.now() + 1000);
    delete_queue("q");
    stats.sample(broker, clock.now() + 2000);
    EXPECT_EQ(stats.node_totals(broker).deliver_get, 1u);
    EXPECT_EQ(stats.node_totals(broker).publish, 1u);
}

TEST_F(RateTrackerTest, RecreatedExchangeStartsAfresh) {
    declare_exchange("x", routing::ExchangeType::fanout);
    for (int i = 0; i < 4; ++i) {
        publish("x", "", "m");
    }
    stats.sample(broker, clock.now() + 1000);
    ASSERT_TRUE(broker.delete_exchange("/", "x", false).has_value());
    declare_exchange("x", routing::ExchangeType::fanout);
    publish("x", "", "m");
    stats.sample(broker, clock.now() + 2000);
    // One publish in the second window, not a negative jump from 4 to 1.
    EXPECT_DOUBLE_EQ(stats.exchange_rates("/", "x").publish_in, 1.0);
    EXPECT_EQ(stats.node_totals(broker).publish, 5u);
}

} // namespace
} // namespace warren::server::testing
