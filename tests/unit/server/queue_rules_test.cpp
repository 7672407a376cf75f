#include "broker_fixture.hpp"

namespace warren::server::testing {
namespace {

Properties expiring(std::string ms) {
    Properties p;
    p.expiration = std::move(ms);
    return p;
}

TEST_F(BrokerTest, QueueTtlExpiresMessagesAtTheHead) {
    declare_queue("q", {{"x-message-ttl", 1000}});
    send("q", "old");
    clock.advance(500);
    send("q", "young");
    clock.advance(501);
    broker.run_timers();
    EXPECT_EQ(queue("q")->messages_ready(), 1u);
    EXPECT_EQ(queue("q")->stats().expired, 1u);
    clock.advance(500);
    broker.run_timers();
    EXPECT_EQ(queue("q")->messages_ready(), 0u);
}

TEST_F(BrokerTest, RunTimersSaysWhenTheNextExpiryIsDue) {
    declare_queue("q", {{"x-message-ttl", 1000}});
    const Millis start = clock.now();
    send("q", "m");
    EXPECT_EQ(broker.run_timers(), start + 1001);
}

TEST_F(BrokerTest, PerMessageExpirationAndQueueTtlTakeTheLower) {
    declare_queue("q", {{"x-message-ttl", 10000}});
    send("q", "short", expiring("100"));
    clock.advance(101);
    broker.run_timers();
    EXPECT_EQ(queue("q")->messages_ready(), 0u);
}

TEST_F(BrokerTest, ExpiredMessagesAreNeverDelivered) {
    declare_queue("q");
    send("q", "stale", expiring("50"));
    send("q", "fresh");
    clock.advance(51);
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "q", sink);
    EXPECT_EQ(sink.bodies(), std::vector<std::string>{"fresh"});
}

TEST_F(BrokerTest, ZeroTtlDeliversOnlyIfAConsumerIsReadyNow) {
    declare_queue("q", {{"x-message-ttl", 0}});
    send("q", "nobody-home");
    EXPECT_EQ(queue("q")->messages_ready(), 0u);
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "q", sink);
    send("q", "caught");
    EXPECT_EQ(sink.bodies(), std::vector<std::string>{"caught"});
}

TEST_F(BrokerTest, InvalidExpirationIsRefusedAtPublish) {
    declare_queue("q");
    for (const char* bad : {"-5", "abc", "", "1.5"}) {
        auto r = broker.publish("/", "", make_message("", "q", expiring(bad), "b"));
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, Errc::bad_request);
    }
    EXPECT_EQ(queue("q")->messages_ready(), 0u);
}

TEST_F(BrokerTest, RequeueKeepsTheOriginalExpiry) {
    declare_queue("q", {{"x-message-ttl", 1000}});
    send("q", "m");
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "q", sink);
    const std::string tag = sink.got[0].consumer_tag;
    ASSERT_TRUE(c->cancel(tag));
    clock.advance(1001);
    c.reset(); // requeued, already past its expiry
    broker.run_timers();
    EXPECT_EQ(queue("q")->messages_ready(), 0u);
}

TEST_F(BrokerTest, MaxLengthDropsFromTheHead) {
    declare_queue("q", {{"x-max-length", 2}});
    send("q", "1");
    send("q", "2");
    send("q", "3");
    EXPECT_EQ(queue("q")->messages_ready(), 2u);
    auto got = broker.get("/", "q", 5, GetMode::ack_requeue_false);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), 2u);
    EXPECT_EQ(*(*got)[0].entry.message->body, "2");
    EXPECT_EQ(*(*got)[1].entry.message->body, "3");
}

TEST_F(BrokerTest, MaxLengthBytesCountsReadyBodies) {
    declare_queue("q", {{"x-max-length-bytes", 10}});
    send("q", "aaaa");
    send("q", "bbbb");
    send("q", "cccc");
    EXPECT_EQ(queue("q")->messages_ready(), 2u);
    EXPECT_EQ(queue("q")->ready_bytes(), 8u);
}

TEST_F(BrokerTest, RejectPublishRefusesNewMessagesWhenFull) {
    declare_queue("q", {{"x-max-length", 1}, {"x-overflow", "reject-publish"}});
    declare_queue("other");
    declare_exchange("fan", routing::ExchangeType::fanout);
    bind("fan", "q", "");
    bind("fan", "other", "");
    EXPECT_FALSE(publish("fan", "", "1").rejected);
    auto outcome = publish("fan", "", "2");
    EXPECT_TRUE(outcome.routed);
    EXPECT_TRUE(outcome.rejected);
    EXPECT_EQ(queue("q")->messages_ready(), 1u);
    EXPECT_EQ(queue("other")->messages_ready(), 2u); // other queues still take it
    EXPECT_EQ(queue("q")->stats().rejected, 1u);
}

TEST_F(BrokerTest, UnackedMessagesDoNotCountTowardsMaxLength) {
    declare_queue("q", {{"x-max-length", 1}, {"x-overflow", "reject-publish"}});
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "q", sink, 1);
    send("q", "1"); // delivered, unacked
    EXPECT_FALSE(publish("", "q", "2").rejected);
    EXPECT_TRUE(publish("", "q", "3").rejected);
}

TEST_F(BrokerTest, QueueExpiresWhenUnused) {
    declare_queue("q", {{"x-expires", 1000}});
    clock.advance(999);
    broker.run_timers();
    EXPECT_NE(queue("q"), nullptr);
    clock.advance(1);
    broker.run_timers();
    EXPECT_EQ(queue("q"), nullptr);
}

TEST_F(BrokerTest, QueueWithAConsumerDoesNotExpire) {
    declare_queue("q", {{"x-expires", 1000}});
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    const std::string tag = consume(*c, "q", sink);
    clock.advance(5000);
    broker.run_timers();
    ASSERT_NE(queue("q"), nullptr);
    ASSERT_TRUE(c->cancel(tag));
    clock.advance(999);
    broker.run_timers();
    EXPECT_NE(queue("q"), nullptr);
    clock.advance(1);
    broker.run_timers();
    EXPECT_EQ(queue("q"), nullptr);
}

TEST_F(BrokerTest, ExclusiveQueueBelongsToItsConnection) {
    auto owner = broker.open_connection("owner", "guest");
    QueueSpec spec;
    spec.name = "mine";
    spec.exclusive = true;
    spec.durable = false;
    ASSERT_TRUE(broker.declare_queue("/", spec, owner->id()));
    auto other = broker.open_connection("other", "guest");
    RecordingSink sink;
    EXPECT_EQ(other->consume("/", "mine", {}, sink).error().code, Errc::resource_locked);
    EXPECT_EQ(broker.declare_queue("/", spec, other->id()).error().code, Errc::resource_locked);
    EXPECT_EQ(broker.get("/", "mine", 1, GetMode::ack_requeue_true).error().code,
              Errc::resource_locked);
    EXPECT_TRUE(owner->consume("/", "mine", {}, sink));
    owner.reset();
    EXPECT_EQ(queue("mine"), nullptr);
}

TEST_F(BrokerTest, ExclusiveQueueNeedsAConnection) {
    QueueSpec spec;
    spec.name = "mine";
    spec.exclusive = true;
    EXPECT_EQ(broker.declare_queue("/", spec).error().code, Errc::bad_request);
}

TEST_F(BrokerTest, AutoDeleteQueueGoesWithItsLastConsumer) {
    declare_queue("q", {}, true);
    auto c = broker.open_connection("c", "guest");
    RecordingSink a, b;
    const std::string ta = consume(*c, "q", a);
    const std::string tb = consume(*c, "q", b);
    ASSERT_TRUE(c->cancel(ta));
    EXPECT_NE(queue("q"), nullptr);
    ASSERT_TRUE(c->cancel(tb));
    EXPECT_EQ(queue("q"), nullptr);
}

TEST_F(BrokerTest, SingleActiveConsumerFailsOverInOrder) {
    declare_queue("q", {{"x-single-active-consumer", true}});
    auto c = broker.open_connection("c", "guest");
    RecordingSink first, second;
    const std::string t1 = consume(*c, "q", first);
    consume(*c, "q", second);
    send("q", "1");
    send("q", "2");
    EXPECT_EQ(first.got.size(), 2u);
    EXPECT_TRUE(second.got.empty());
    auto infos = c->consumers();
    ASSERT_EQ(infos.size(), 2u);
    EXPECT_TRUE(infos[0].active);
    EXPECT_FALSE(infos[1].active);
    ASSERT_TRUE(c->cancel(t1));
    send("q", "3");
    EXPECT_EQ(second.bodies(), std::vector<std::string>{"3"});
}

TEST_F(BrokerTest, GetWithRequeueMarksRedelivered) {
    declare_queue("q");
    send("q", "a");
    send("q", "b");
    auto got = broker.get("/", "q", 1, GetMode::ack_requeue_true);
    ASSERT_TRUE(got);
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ((*got)[0].entry.delivery_count, 1u);
    EXPECT_EQ((*got)[0].message_count, 1u);
    EXPECT_EQ(queue("q")->messages_ready(), 2u);
    auto again = broker.get("/", "q", 2, GetMode::ack_requeue_false);
    ASSERT_EQ(again->size(), 2u);
    EXPECT_EQ(*(*again)[0].entry.message->body, "a");
    EXPECT_EQ((*again)[0].entry.delivery_count, 2u);
    EXPECT_EQ((*again)[1].entry.delivery_count, 1u);
    EXPECT_EQ(queue("q")->messages_ready(), 0u);
    EXPECT_EQ(queue("q")->messages_unacknowledged(), 0u);
}

TEST_F(BrokerTest, GetFromMissingQueueIsNotFound) {
    EXPECT_EQ(broker.get("/", "nope", 1, GetMode::ack_requeue_true).error().code, Errc::not_found);
}

TEST_F(BrokerTest, PurgeRemovesReadyMessagesOnly) {
    declare_queue("q");
    send("q", "1");
    send("q", "2");
    send("q", "3");
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "q", sink, 1);
    EXPECT_EQ(*broker.purge_queue("/", "q"), 2u);
    EXPECT_EQ(queue("q")->messages_ready(), 0u);
    EXPECT_EQ(queue("q")->messages_unacknowledged(), 1u);
    EXPECT_EQ(broker.purge_queue("/", "nope").error().code, Errc::not_found);
}

} // namespace
} // namespace warren::server::testing
