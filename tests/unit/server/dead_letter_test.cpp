#include <boost/json/parse.hpp>

#include "broker_fixture.hpp"
#include "server/dead_letter.hpp"

namespace warren::server::testing {
namespace {

namespace json = boost::json;

class DeadLetterTest : public BrokerTest {
protected:
    void SetUp() override {
        declare_exchange("dlx", routing::ExchangeType::fanout);
        declare_queue("dead");
        bind("dlx", "dead", "");
    }

    const json::object& headers_of_dead(std::size_t index = 0) {
        dead_ = broker.get("/", "dead", 100, GetMode::ack_requeue_true).value();
        return dead_.at(index).entry.message->properties.headers;
    }

    std::vector<GotEntry> dead_;
};

TEST_F(DeadLetterTest, RejectedMessageGoesToTheDeadLetterExchangeWithXDeath) {
    declare_queue("work", {{"x-dead-letter-exchange", "dlx"}});
    send("work", "poison");
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "work", sink);
    ASSERT_TRUE(c->nack(sink.got[0].tag, false, false));
    EXPECT_EQ(queue("work")->messages_ready(), 0u);
    ASSERT_EQ(queue("dead")->messages_ready(), 1u);

    const auto& headers = headers_of_dead();
    const auto& deaths = headers.at("x-death").as_array();
    ASSERT_EQ(deaths.size(), 1u);
    const auto& death = deaths[0].as_object();
    EXPECT_EQ(death.at("queue"), "work");
    EXPECT_EQ(death.at("reason"), "rejected");
    EXPECT_EQ(death.at("count"), 1);
    EXPECT_EQ(death.at("exchange"), "");
    EXPECT_EQ(death.at("routing-keys"), json::array({"work"}));
    EXPECT_EQ(headers.at("x-first-death-queue"), "work");
    EXPECT_EQ(headers.at("x-first-death-reason"), "rejected");
    EXPECT_EQ(headers.at("x-last-death-reason"), "rejected");
    EXPECT_EQ(dead_[0].entry.message->exchange, "dlx");
    EXPECT_EQ(*dead_[0].entry.message->body, "poison");
}

TEST_F(DeadLetterTest, DeadLetterRoutingKeyReplacesTheKey) {
    declare_exchange("dlx-direct", routing::ExchangeType::direct);
    declare_queue("parking");
    bind("dlx-direct", "parking", "parked");
    declare_queue("work", {{"x-dead-letter-exchange", "dlx-direct"},
                           {"x-dead-letter-routing-key", "parked"}});
    send("work", "m");
    ASSERT_TRUE(broker.get("/", "work", 1, GetMode::reject_requeue_false));
    ASSERT_EQ(queue("parking")->messages_ready(), 1u);
    auto got = broker.get("/", "parking", 1, GetMode::ack_requeue_false).value();
    EXPECT_EQ(got[0].entry.message->routing_key, "parked");
}

TEST_F(DeadLetterTest, ExpiredMessagesAreDeadLetteredWithReasonExpired) {
    declare_queue("work", {{"x-dead-letter-exchange", "dlx"}, {"x-message-ttl", 100}});
    Properties props;
    props.expiration = "50";
    send("work", "late", props);
    clock.advance(51);
    broker.run_timers();
    ASSERT_EQ(queue("dead")->messages_ready(), 1u);
    const auto& headers = headers_of_dead();
    const auto& death = headers.at("x-death").as_array()[0].as_object();
    EXPECT_EQ(death.at("reason"), "expired");
    EXPECT_EQ(death.at("original-expiration"), "50");
    // The copy no longer carries the expiration, so it does not expire again at once.
    EXPECT_FALSE(dead_[0].entry.message->properties.expiration.has_value());
}

TEST_F(DeadLetterTest, DropHeadDeadLettersWithReasonMaxlen) {
    declare_queue("work", {{"x-dead-letter-exchange", "dlx"}, {"x-max-length", 1}});
    send("work", "1");
    send("work", "2");
    ASSERT_EQ(queue("dead")->messages_ready(), 1u);
    const auto& headers = headers_of_dead();
    EXPECT_EQ(headers.at("x-death").as_array()[0].as_object().at("reason"), "maxlen");
    EXPECT_EQ(*dead_[0].entry.message->body, "1");
}

TEST_F(DeadLetterTest, DeliveryLimitDeadLettersInsteadOfRedeliveringForever) {
    declare_queue("work", {{"x-dead-letter-exchange", "dlx"}, {"x-delivery-limit", 2}});
    send("work", "flaky");
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "work", sink, 1);
    // Delivered 3 times (the first and 2 redeliveries); the third return dead-letters it.
    for (int attempt = 1; attempt <= 3; ++attempt) {
        ASSERT_EQ(sink.got.size(), static_cast<std::size_t>(attempt));
        EXPECT_EQ(sink.got.back().delivery_count, static_cast<std::uint32_t>(attempt));
        ASSERT_TRUE(c->nack(sink.got.back().tag, false, true));
    }
    EXPECT_EQ(sink.got.size(), 3u);
    EXPECT_EQ(queue("work")->messages_ready(), 0u);
    ASSERT_EQ(queue("dead")->messages_ready(), 1u);
    const auto& headers = headers_of_dead();
    EXPECT_EQ(headers.at("x-death").as_array()[0].as_object().at("reason"), "delivery_limit");
}

TEST_F(DeadLetterTest, DeliveryLimitAlsoCountsConnectionLoss) {
    declare_queue("work", {{"x-dead-letter-exchange", "dlx"}, {"x-delivery-limit", 0}});
    send("work", "m");
    {
        auto c = broker.open_connection("c", "guest");
        RecordingSink sink;
        consume(*c, "work", sink);
        ASSERT_EQ(sink.got.size(), 1u);
    }
    EXPECT_EQ(queue("work")->messages_ready(), 0u);
    EXPECT_EQ(queue("dead")->messages_ready(), 1u);
}

TEST_F(DeadLetterTest, WithoutALimitRedeliveryGoesOn) {
    declare_queue("work");
    send("work", "m");
    auto c = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*c, "work", sink, 1);
    for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE(c->nack(sink.got.back().tag, false, true));
    }
    EXPECT_EQ(sink.got.back().delivery_count, 51u);
}

TEST_F(DeadLetterTest, RepeatedDeathsCountInOneEntryMostRecentFirst) {
    // work -> (rejected) -> dlx -> dead, and dead dead-letters back to work: a loop that a
    // consumer drives by rejecting, which RabbitMQ allows.
    declare_exchange("back", routing::ExchangeType::fanout);
    declare_queue("work", {{"x-dead-letter-exchange", "dlx"}});
    QueueSpec again;
    ASSERT_TRUE(broker.delete_queue("/", "dead", false, false));
    declare_queue("dead", {{"x-dead-letter-exchange", "back"}});
    bind("dlx", "dead", "");
    bind("back", "work", "");
    send("work", "m");
    for (int round = 0; round < 2; ++round) {
        ASSERT_TRUE(broker.get("/", "work", 1, GetMode::reject_requeue_false));
        ASSERT_TRUE(broker.get("/", "dead", 1, GetMode::reject_requeue_false));
    }
    auto got = broker.get("/", "work", 1, GetMode::ack_requeue_false).value();
    ASSERT_EQ(got.size(), 1u);
    const auto& deaths = got[0].entry.message->properties.headers.at("x-death").as_array();
    ASSERT_EQ(deaths.size(), 2u);
    EXPECT_EQ(deaths[0].as_object().at("queue"), "dead");
    EXPECT_EQ(deaths[0].as_object().at("count"), 2);
    EXPECT_EQ(deaths[1].as_object().at("queue"), "work");
    EXPECT_EQ(deaths[1].as_object().at("count"), 2);
    EXPECT_EQ(got[0].entry.message->properties.headers.at("x-first-death-queue"), "work");
    EXPECT_EQ(got[0].entry.message->properties.headers.at("x-last-death-queue"), "dead");
}

TEST_F(DeadLetterTest, ExpiryCycleIsDroppedNotLooped) {
    // A queue dead-lettering expired messages to itself would loop forever.
    declare_exchange("self", routing::ExchangeType::fanout);
    declare_queue("loop", {{"x-dead-letter-exchange", "self"}, {"x-message-ttl", 10}});
    bind("self", "loop", "");
    send("loop", "m");
    clock.advance(11);
    broker.run_timers();
    EXPECT_EQ(queue("loop")->messages_ready(), 0u);
}

TEST_F(DeadLetterTest, MissingDeadLetterExchangeDropsTheMessage) {
    declare_queue("work", {{"x-dead-letter-exchange", "nowhere"}});
    send("work", "m");
    ASSERT_TRUE(broker.get("/", "work", 1, GetMode::reject_requeue_false));
    EXPECT_EQ(queue("work")->messages_ready(), 0u);
    EXPECT_EQ(queue("dead")->messages_ready(), 0u);
}

TEST(DeadLetterHeaders, CycleNeedsTheQueueInTheHistoryAndNoRejection) {
    auto base = make_message("x", "k", {}, "b");
    auto once = make_dead_letter(*base, "q1", "expired", "dlx", nullptr, 0);
    EXPECT_TRUE(is_dead_letter_cycle(*once.message, "q1"));
    EXPECT_FALSE(is_dead_letter_cycle(*once.message, "q2"));
    auto rejected = make_dead_letter(*base, "q1", "rejected", "dlx", nullptr, 0);
    EXPECT_FALSE(is_dead_letter_cycle(*rejected.message, "q1"));
}

TEST(DeadLetterHeaders, XDeathTimesAreTimestampsAndCountsLongs) {
    // RabbitMQ sends x-death's time as an AMQP timestamp (Spring reads it as a Date) and its
    // count as a long: the count has the default letter, the times a record each, rewritten
    // as the entries move. A stale record under x-death goes.
    Properties props;
    props.headers["keep"] = 1;
    props.header_types = json::parse(R"({"/keep":"b","/x-death/0/count":"I"})").as_object();
    auto base = make_message("x", "k", props, "b");
    auto once = make_dead_letter(*base, "q1", "rejected", "dlx", nullptr, 5'000);
    EXPECT_EQ(json::value(once.message->properties.header_types),
              json::parse(R"({"/keep":"b","/x-death/0/time":"T"})"));
    EXPECT_EQ(once.message->properties.headers.at("x-death").at(0).at("time"), 5);
    auto twice = make_dead_letter(*once.message, "q2", "expired", "dlx", nullptr, 9'000);
    EXPECT_EQ(json::value(twice.message->properties.header_types),
              json::parse(R"({"/keep":"b","/x-death/0/time":"T","/x-death/1/time":"T"})"));
    EXPECT_EQ(twice.message->properties.headers.at("x-death").at(0).at("queue"), "q2");
}

} // namespace
} // namespace warren::server::testing
