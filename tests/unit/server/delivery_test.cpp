#include "broker_fixture.hpp"

namespace warren::server::testing {
namespace {

TEST_F(BrokerTest, ConsumerReceivesAndAckRemoves) {
    declare_queue("q");
    send("q", "hello");
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "q", sink);
    ASSERT_EQ(sink.got.size(), 1u);
    EXPECT_EQ(sink.got[0].body(), "hello");
    EXPECT_EQ(sink.got[0].tag, 1u);
    EXPECT_FALSE(sink.got[0].redelivered);
    EXPECT_EQ(sink.got[0].delivery_count, 1u);
    EXPECT_EQ(queue("q")->messages_unacknowledged(), 1u);
    ASSERT_TRUE(c->ack(1, false));
    EXPECT_EQ(queue("q")->messages_unacknowledged(), 0u);
    EXPECT_EQ(queue("q")->messages_ready(), 0u);
    EXPECT_EQ(queue("q")->stats().ack, 1u);
}

TEST_F(BrokerTest, MessagesPublishedLaterReachAWaitingConsumer) {
    declare_queue("q");
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "q", sink);
    send("q", "late");
    ASSERT_EQ(sink.bodies(), std::vector<std::string>{"late"});
}

TEST_F(BrokerTest, CompetingConsumersShareRoundRobin) {
    declare_queue("q");
    auto c = broker.open_connection("c", "guest");
    RecordingSink a, b;
    consume(*c, "q", a);
    consume(*c, "q", b);
    for (int i = 0; i < 6; ++i) {
        send("q", std::to_string(i));
    }
    EXPECT_EQ(a.bodies(), (std::vector<std::string>{"0", "2", "4"}));
    EXPECT_EQ(b.bodies(), (std::vector<std::string>{"1", "3", "5"}));
}

TEST_F(BrokerTest, PrefetchLimitsUnackedDeliveries) {
    declare_queue("q");
    for (int i = 0; i < 5; ++i) {
        send("q", std::to_string(i));
    }
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "q", sink, 2);
    ASSERT_EQ(sink.got.size(), 2u);
    ASSERT_TRUE(c->ack(sink.got[0].tag, false));
    ASSERT_EQ(sink.got.size(), 3u);
    EXPECT_EQ(sink.got[2].body(), "2");
    EXPECT_EQ(queue("q")->messages_ready(), 2u);
}

TEST_F(BrokerTest, AckMultipleSettlesEveryTagUpToIt) {
    declare_queue("q");
    for (int i = 0; i < 4; ++i) {
        send("q", std::to_string(i));
    }
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "q", sink);
    ASSERT_EQ(sink.got.size(), 4u);
    ASSERT_TRUE(c->ack(sink.got[2].tag, true));
    EXPECT_EQ(c->unacked_count(), 1u);
    EXPECT_EQ(queue("q")->messages_unacknowledged(), 1u);
    EXPECT_EQ(c->ack(sink.got[0].tag, false).error().code, Errc::precondition_failed);
}

TEST_F(BrokerTest, UnknownDeliveryTagIsAnError) {
    auto c = broker.open_connection("c", "guest");
    auto r = c->ack(99, false);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::precondition_failed);
    EXPECT_EQ(r.error().reason, "unknown delivery tag 99");
}

TEST_F(BrokerTest, NackWithRequeueRedeliversAtTheHead) {
    declare_queue("q");
    send("q", "first");
    send("q", "second");
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "q", sink, 1);
    ASSERT_EQ(sink.got.size(), 1u);
    ASSERT_TRUE(c->nack(sink.got[0].tag, false, true));
    ASSERT_EQ(sink.got.size(), 2u);
    EXPECT_EQ(sink.got[1].body(), "first");
    EXPECT_TRUE(sink.got[1].redelivered);
    EXPECT_EQ(sink.got[1].delivery_count, 2u);
    EXPECT_NE(sink.got[1].tag, sink.got[0].tag);
    EXPECT_EQ(queue("q")->stats().redeliver, 1u);
}

TEST_F(BrokerTest, RejectWithoutRequeueDropsWhenNoDeadLetterExchange) {
    declare_queue("q");
    send("q", "bad");
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "q", sink);
    ASSERT_TRUE(c->reject(sink.got[0].tag, false));
    EXPECT_EQ(queue("q")->messages_ready(), 0u);
    EXPECT_EQ(queue("q")->messages_unacknowledged(), 0u);
    EXPECT_EQ(queue("q")->stats().dropped, 1u);
}

TEST_F(BrokerTest, ClosingAConnectionRequeuesItsUnackedInOrder) {
    declare_queue("q");
    for (int i = 0; i < 3; ++i) {
        send("q", std::to_string(i));
    }
    RecordingSink first_sink;
    {
        auto first = broker.open_connection("first", "guest");
        consume(*first, "q", first_sink);
        ASSERT_EQ(first_sink.got.size(), 3u);
        ASSERT_TRUE(first->ack(first_sink.got[1].tag, false));
    }
    EXPECT_EQ(broker.connection_count(), 0u);
    EXPECT_EQ(queue("q")->messages_ready(), 2u);
    auto second = broker.open_connection("second", "guest");
    RecordingSink sink;
    consume(*second, "q", sink);
    ASSERT_EQ(sink.bodies(), (std::vector<std::string>{"0", "2"}));
    EXPECT_TRUE(sink.got[0].redelivered);
    EXPECT_TRUE(sink.got[1].redelivered);
}

TEST_F(BrokerTest, SinkThatIsNotReadyGetsNothingUntilResumed) {
    declare_queue("q");
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    sink.ready_ = false;
    consume(*c, "q", sink, 0, true);
    send("q", "1");
    send("q", "2");
    EXPECT_TRUE(sink.got.empty());
    EXPECT_EQ(queue("q")->messages_ready(), 2u);
    sink.ready_ = true;
    c->resume();
    EXPECT_EQ(sink.bodies(), (std::vector<std::string>{"1", "2"}));
}

TEST_F(BrokerTest, SlowSinkDoesNotStarveTheOtherConsumer) {
    declare_queue("q");
    auto c = broker.open_connection("c", "guest");
    RecordingSink slow, fast;
    slow.ready_ = false;
    consume(*c, "q", slow, 0, true);
    consume(*c, "q", fast, 0, true);
    for (int i = 0; i < 10; ++i) {
        send("q", std::to_string(i));
    }
    EXPECT_TRUE(slow.got.empty());
    EXPECT_EQ(fast.got.size(), 10u);
}

TEST_F(BrokerTest, AutoAckLeavesNothingUnacked) {
    declare_queue("q");
    send("q", "x");
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "q", sink, 0, true);
    ASSERT_EQ(sink.got.size(), 1u);
    EXPECT_EQ(c->unacked_count(), 0u);
    EXPECT_EQ(queue("q")->messages_unacknowledged(), 0u);
}

TEST_F(BrokerTest, CancelKeepsUnackedDeliveriesAckable) {
    declare_queue("q");
    send("q", "x");
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    const std::string tag = consume(*c, "q", sink);
    ASSERT_TRUE(c->cancel(tag));
    EXPECT_EQ(queue("q")->consumers().size(), 0u);
    EXPECT_TRUE(c->ack(sink.got[0].tag, false));
    EXPECT_EQ(queue("q")->messages_unacknowledged(), 0u);
    EXPECT_EQ(c->cancel(tag).error().code, Errc::not_found);
}

TEST_F(BrokerTest, ConsumerTagsMustBeUniquePerConnection) {
    declare_queue("q");
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    ConsumeOptions options;
    options.tag = "mine";
    ASSERT_TRUE(c->consume("/", "q", options, sink));
    EXPECT_EQ(c->consume("/", "q", options, sink).error().code, Errc::precondition_failed);
    EXPECT_EQ(c->consume("/", "nope", {}, sink).error().code, Errc::not_found);
}

TEST_F(BrokerTest, ExclusiveConsumerKeepsOthersOut) {
    declare_queue("q");
    auto c = broker.open_connection("c", "guest");
    RecordingSink a, b;
    ConsumeOptions exclusive;
    exclusive.exclusive = true;
    ASSERT_TRUE(c->consume("/", "q", exclusive, a));
    EXPECT_EQ(c->consume("/", "q", {}, b).error().code, Errc::access_refused);
}

TEST_F(BrokerTest, FanoutSharesOneMessageBetweenQueues) {
    declare_exchange("fan", routing::ExchangeType::fanout);
    for (const char* q : {"a", "b", "c"}) {
        declare_queue(q);
        bind("fan", q, "");
    }
    EXPECT_TRUE(publish("fan", "", "payload").routed);
    auto c = broker.open_connection("c", "guest");
    RecordingSink sa, sb, sc;
    consume(*c, "a", sa);
    consume(*c, "b", sb);
    consume(*c, "c", sc);
    ASSERT_EQ(sa.got.size(), 1u);
    EXPECT_EQ(sa.got[0].message.get(), sb.got[0].message.get());
    EXPECT_EQ(sb.got[0].message.get(), sc.got[0].message.get());
}

TEST_F(BrokerTest, UnroutableMessageIsReportedNotRouted) {
    declare_exchange("x", routing::ExchangeType::direct);
    EXPECT_FALSE(publish("x", "nobody", "lost").routed);
    EXPECT_FALSE(publish("", "no-such-queue", "lost").routed);
}

TEST_F(BrokerTest, TopicExchangeRoutesByPattern) {
    declare_exchange("events", routing::ExchangeType::topic);
    declare_queue("orders");
    declare_queue("all");
    bind("events", "orders", "order.*");
    bind("events", "all", "#");
    EXPECT_TRUE(publish("events", "order.created", "1").routed);
    EXPECT_TRUE(publish("events", "user.created", "2").routed);
    EXPECT_EQ(queue("orders")->messages_ready(), 1u);
    EXPECT_EQ(queue("all")->messages_ready(), 2u);
}

TEST_F(BrokerTest, SinkMayAckFromInsideDeliver) {
    // A transport that settles synchronously must not confuse the dispatch loop.
    declare_queue("q");
    auto c = broker.open_connection("c", "guest");
    struct AckingSink : RecordingSink {
        Connection* connection = nullptr;
        void deliver(const Delivery& d) override {
            RecordingSink::deliver(d);
            (void)connection->ack(d.delivery_tag, false);
        }
    } sink;
    sink.connection = c.get();
    consume(*c, "q", sink, 1);
    for (int i = 0; i < 5; ++i) {
        send("q", std::to_string(i));
    }
    EXPECT_EQ(sink.got.size(), 5u);
    EXPECT_EQ(queue("q")->messages_unacknowledged(), 0u);
}

} // namespace
} // namespace warren::server::testing
