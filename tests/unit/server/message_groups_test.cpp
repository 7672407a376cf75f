// Message groups (x-group-by) in the core: one owner per group while it holds unacked messages,
// free groups spread over consumers, requeues back at the head of their group, dead-lettering
// frees the group, and one group's backlog never blocks another.

#include <boost/json/serialize.hpp>

#include "broker_fixture.hpp"

namespace warren::server::testing {
namespace {

class MessageGroups : public BrokerTest {
protected:
    // Publishes `body` with the group key in header "k" ("" = no key at all).
    void send_keyed(const std::string& queue, const std::string& key, const std::string& body) {
        Properties props;
        if (!key.empty()) {
            props.headers["k"] = key;
        }
        send(queue, body, std::move(props));
    }

    static std::string key_of(const Received& r) {
        const auto* k = r.message->properties.headers.if_contains("k");
        return k ? std::string(k->as_string()) : std::string();
    }

    void declare_grouped(const std::string& name, boost::json::object extra = {}) {
        extra["x-group-by"] = "header:k";
        declare_queue(name, std::move(extra));
    }
};

TEST_F(MessageGroups, AGroupsNextMessageWaitsForTheAckOfThePrevious) {
    declare_grouped("q");
    for (const char* body : {"a1", "a2", "a3"}) {
        send_keyed("q", "a", body);
    }
    RecordingSink one, two;
    auto c = broker.open_connection("c", "guest");
    consume(*c, "q", one, 10);
    consume(*c, "q", two, 10);
    // Both have credit, but the group is one consumer's while a1 is unacked.
    ASSERT_EQ(one.bodies(), std::vector<std::string>{"a1"});
    EXPECT_TRUE(two.got.empty());
    EXPECT_EQ(queue("q")->message_groups(), 1u);
    EXPECT_EQ(queue("q")->message_groups_owned(), 1u);
    // Acked: the group is free again and the next consumer with credit takes a2, then a3 the same
    // way; never two at once.
    auto latest = [&]() -> const Received& { // the newest delivery on the connection
        const Received* newest = nullptr;
        for (const RecordingSink* sink : {&one, &two}) {
            for (const auto& r : sink->got) {
                newest = newest == nullptr || r.tag > newest->tag ? &r : newest;
            }
        }
        return *newest;
    };
    ASSERT_TRUE(c->ack(one.got[0].tag, false));
    ASSERT_EQ(one.got.size() + two.got.size(), 2u);
    EXPECT_EQ(latest().body(), "a2");
    ASSERT_TRUE(c->ack(latest().tag, false));
    ASSERT_EQ(one.got.size() + two.got.size(), 3u);
    EXPECT_EQ(latest().body(), "a3");
    ASSERT_TRUE(c->ack(latest().tag, false));
    EXPECT_EQ(queue("q")->message_groups(), 0u);
    EXPECT_EQ(queue("q")->message_groups_owned(), 0u);
}

TEST_F(MessageGroups, OneGroupsBacklogDoesNotBlockTheOthers) {
    declare_grouped("q");
    for (int i = 0; i < 100; ++i) {
        send_keyed("q", "big", "big" + std::to_string(i));
    }
    send_keyed("q", "b", "b1");
    send_keyed("q", "c", "c1");
    send_keyed("q", "", "plain1");
    send_keyed("q", "", "plain2");
    RecordingSink sink;
    auto c = broker.open_connection("c", "guest");
    consume(*c, "q", sink, 50);
    // One of "big" (its head), the other groups' heads, and every ungrouped message.
    EXPECT_EQ(sink.bodies(), (std::vector<std::string>{"big0", "b1", "c1", "plain1", "plain2"}));
    EXPECT_EQ(queue("q")->message_groups(), 3u);
    EXPECT_EQ(queue("q")->message_groups_owned(), 3u);
}

TEST_F(MessageGroups, FreeGroupsSpreadOverConsumers) {
    declare_grouped("q");
    RecordingSink one, two;
    auto c = broker.open_connection("c", "guest");
    consume(*c, "q", one, 100);
    consume(*c, "q", two, 100);
    for (int i = 0; i < 10; ++i) {
        send_keyed("q", "k" + std::to_string(i), "m" + std::to_string(i));
    }
    EXPECT_EQ(one.got.size(), 5u);
    EXPECT_EQ(two.got.size(), 5u);
}

TEST_F(MessageGroups, AnOwnedGroupStaysWithItsConsumerWhileItHoldsAny) {
    declare_grouped("q", {{"x-group-max-in-flight", 2}});
    RecordingSink one, two;
    auto c = broker.open_connection("c", "guest");
    consume(*c, "q", one, 100);
    consume(*c, "q", two, 100);
    for (const char* body : {"a1", "a2", "a3", "a4"}) {
        send_keyed("q", "a", body);
    }
    // Two in flight at most, both with the consumer that took the first.
    ASSERT_EQ(one.bodies(), (std::vector<std::string>{"a1", "a2"}));
    EXPECT_TRUE(two.got.empty());
    ASSERT_TRUE(c->ack(one.got[0].tag, false));
    // Still held (a2): a3 goes to the same consumer, not to the idle one.
    ASSERT_EQ(one.bodies(), (std::vector<std::string>{"a1", "a2", "a3"}));
    EXPECT_TRUE(two.got.empty());
}

TEST_F(MessageGroups, ARequeuedMessageIsFirstInItsGroupAgain) {
    declare_grouped("q");
    for (const char* body : {"a1", "a2", "b1"}) {
        send_keyed("q", body[0] == 'a' ? "a" : "b", body);
    }
    RecordingSink sink;
    auto c = broker.open_connection("c", "guest");
    consume(*c, "q", sink, 10);
    ASSERT_EQ(sink.bodies(), (std::vector<std::string>{"a1", "b1"}));
    ASSERT_TRUE(c->nack(sink.got[0].tag, false, true));
    // a1 again, redelivered, before a2.
    ASSERT_EQ(sink.got.size(), 3u);
    EXPECT_EQ(sink.got[2].body(), "a1");
    EXPECT_TRUE(sink.got[2].redelivered);
    ASSERT_TRUE(c->ack(sink.got[2].tag, false));
    EXPECT_EQ(sink.got.back().body(), "a2");
}

TEST_F(MessageGroups, AConsumerThatGoesAwayHandsItsGroupsOverInOrder) {
    declare_grouped("q");
    for (const char* body : {"a1", "a2", "a3"}) {
        send_keyed("q", "a", body);
    }
    RecordingSink gone;
    auto first = broker.open_connection("first", "guest");
    consume(*first, "q", gone, 10);
    ASSERT_EQ(gone.bodies(), std::vector<std::string>{"a1"});
    RecordingSink next;
    auto second = broker.open_connection("second", "guest");
    consume(*second, "q", next, 10);
    EXPECT_TRUE(next.got.empty()); // the group is still the first consumer's
    first.reset();                 // the connection closes: what it held goes back
    ASSERT_EQ(next.bodies(), std::vector<std::string>{"a1"});
    EXPECT_TRUE(next.got[0].redelivered);
    ASSERT_TRUE(second->ack(next.got[0].tag, false));
    ASSERT_TRUE(second->ack(next.got[1].tag, false));
    EXPECT_EQ(next.bodies(), (std::vector<std::string>{"a1", "a2", "a3"}));
}

TEST_F(MessageGroups, DeadLetteringFreesTheGroup) {
    declare_exchange("dlx", routing::ExchangeType::fanout);
    declare_queue("dead");
    bind("dlx", "dead", "");
    declare_grouped("q", {{"x-dead-letter-exchange", "dlx"}, {"x-delivery-limit", 1}});
    for (const char* body : {"a1", "a2", "a3"}) {
        send_keyed("q", "a", body);
    }
    RecordingSink sink;
    auto c = broker.open_connection("c", "guest");
    consume(*c, "q", sink, 10);
    ASSERT_TRUE(c->reject(sink.got[0].tag, false)); // a1 rejected: dead-lettered
    ASSERT_EQ(sink.got.size(), 2u);
    EXPECT_EQ(sink.got[1].body(), "a2");
    ASSERT_TRUE(c->nack(sink.got[1].tag, false, true)); // a2 once more (limit 1)
    ASSERT_EQ(sink.got.size(), 3u);
    EXPECT_EQ(sink.got[2].body(), "a2");
    ASSERT_TRUE(c->nack(sink.got[2].tag, false, true)); // past the limit: dead-lettered
    ASSERT_EQ(sink.got.size(), 4u);
    EXPECT_EQ(sink.got[3].body(), "a3");
    EXPECT_EQ(queue("dead")->messages_ready(), 2u);
}

TEST_F(MessageGroups, AGetTakesOnlyFromFreeGroups) {
    declare_grouped("q");
    for (const char* body : {"a1", "a2", "b1"}) {
        send_keyed("q", body[0] == 'a' ? "a" : "b", body);
    }
    RecordingSink sink;
    auto c = broker.open_connection("c", "guest");
    consume(*c, "q", sink, 1);
    ASSERT_EQ(sink.bodies(), std::vector<std::string>{"a1"});
    auto got = broker.get("/", "q", 10, GetMode::ack_requeue_false).value();
    ASSERT_EQ(got.size(), 1u); // b1; a2 waits for the consumer holding a1
    EXPECT_EQ(*got[0].entry.message->body, "b1");
}

TEST_F(MessageGroups, AutoAckConsumersHoldNoGroup) {
    declare_grouped("q");
    for (const char* body : {"a1", "a2", "a3"}) {
        send_keyed("q", "a", body);
    }
    RecordingSink sink;
    auto c = broker.open_connection("c", "guest");
    consume(*c, "q", sink, 0, true);
    EXPECT_EQ(sink.bodies(), (std::vector<std::string>{"a1", "a2", "a3"}));
    EXPECT_EQ(queue("q")->message_groups(), 0u);
}

TEST_F(MessageGroups, TtlAndMaxLengthWorkOnTheWholeQueue) {
    declare_grouped("q", {{"x-max-length", 2}, {"x-message-ttl", 1000}});
    send_keyed("q", "a", "a1");
    send_keyed("q", "b", "b1");
    send_keyed("q", "a", "a2"); // drops the head, a1
    EXPECT_EQ(queue("q")->messages_ready(), 2u);
    clock.advance(2000);
    send_keyed("q", "c", "c1"); // the others expired meanwhile
    RecordingSink sink;
    auto c = broker.open_connection("c", "guest");
    consume(*c, "q", sink, 10);
    EXPECT_EQ(sink.bodies(), std::vector<std::string>{"c1"});
}

TEST_F(MessageGroups, RoutingKeyAndPropertyGroupsReadTheirKey) {
    declare_queue("by_key", {{"x-group-by", "routing_key"}});
    declare_exchange("x", routing::ExchangeType::topic);
    bind("x", "by_key", "#");
    publish("x", "order.1", "first");
    publish("x", "order.1", "second");
    publish("x", "order.2", "other");
    declare_queue("by_property", {{"x-group-by", "property:correlation_id"}});
    Properties props;
    props.correlation_id = "c-1";
    send("by_property", "p1", props);
    send("by_property", "p2", props);
    RecordingSink keyed, propertied;
    auto c = broker.open_connection("c", "guest");
    consume(*c, "by_key", keyed, 10);
    consume(*c, "by_property", propertied, 10);
    EXPECT_EQ(keyed.bodies(), (std::vector<std::string>{"first", "other"}));
    EXPECT_EQ(propertied.bodies(), std::vector<std::string>{"p1"});
}

TEST_F(MessageGroups, BadArgumentsAreRefusedWithAReason) {
    struct Case {
        boost::json::object arguments;
        std::string reason_part;
    };
    const std::vector<Case> cases = {
        {{{"x-group-by", "colour"}},
         "expected 'routing_key', 'header:<name>' or 'property:<name>'"},
        {{{"x-group-by", "header:"}}, "expected 'routing_key'"},
        {{{"x-group-by", "property:priority"}}, "unknown property 'priority'"},
        {{{"x-group-by", 5}}, "expected a string"},
        {{{"x-group-by", "routing_key"}, {"x-group-max-in-flight", 0}}, "positive integer"},
        {{{"x-group-by", "routing_key"}, {"x-group-max-in-flight", "2"}}, "positive integer"},
        {{{"x-group-max-in-flight", 2}}, "x-group-by must be set as well"},
    };
    for (const auto& c : cases) {
        QueueSpec spec;
        spec.name = "bad";
        spec.arguments = c.arguments;
        auto r = broker.declare_queue("/", spec);
        ASSERT_FALSE(r) << boost::json::serialize(c.arguments);
        EXPECT_EQ(r.error().code, Errc::bad_request);
        EXPECT_NE(r.error().reason.find(c.reason_part), std::string::npos) << r.error().reason;
    }
}

} // namespace
} // namespace warren::server::testing
