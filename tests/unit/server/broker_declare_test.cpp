#include <boost/json/serialize.hpp>

#include "broker_fixture.hpp"

namespace warren::server::testing {
namespace {

using routing::Destination;
using routing::ExchangeType;

ExchangeSpec exchange_spec(std::string name, ExchangeType type = ExchangeType::direct) {
    ExchangeSpec spec;
    spec.name = std::move(name);
    spec.type = std::string(routing::to_string(type));
    return spec;
}

QueueSpec queue_spec(std::string name, boost::json::object arguments = {}) {
    QueueSpec spec;
    spec.name = std::move(name);
    spec.arguments = std::move(arguments);
    return spec;
}

TEST_F(BrokerTest, DefaultVhostHasTheBuiltInExchanges) {
    const Vhost* vhost = broker.find_vhost("/");
    ASSERT_NE(vhost, nullptr);
    for (const char* name : {"", "amq.direct", "amq.fanout", "amq.topic", "amq.headers"}) {
        EXPECT_NE(vhost->find_exchange(name), nullptr) << name;
    }
    EXPECT_EQ(vhost->find_exchange("amq.topic")->type, ExchangeType::topic);
    EXPECT_EQ(broker.totals().vhosts, 1u);
}

TEST_F(BrokerTest, ExchangeDeclareIsIdempotentWhenEquivalent) {
    EXPECT_EQ(*broker.declare_exchange("/", exchange_spec("events", ExchangeType::topic)),
              Declared::created);
    EXPECT_EQ(*broker.declare_exchange("/", exchange_spec("events", ExchangeType::topic)),
              Declared::existed);
}

TEST_F(BrokerTest, ExchangeRedeclareWithOtherTypeIsAPreconditionFailure) {
    ASSERT_TRUE(broker.declare_exchange("/", exchange_spec("events", ExchangeType::topic)));
    auto r = broker.declare_exchange("/", exchange_spec("events", ExchangeType::fanout));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::precondition_failed);
    EXPECT_EQ(r.error().reason, "inequivalent arg 'type' for exchange 'events' in vhost '/': "
                                "received 'fanout' but current is 'topic'");
    auto durable = exchange_spec("events", ExchangeType::topic);
    durable.durable = false;
    EXPECT_EQ(broker.declare_exchange("/", durable).error().code, Errc::precondition_failed);
}

TEST_F(BrokerTest, AmqPrefixIsReservedForExchangesAndQueues) {
    EXPECT_EQ(broker.declare_exchange("/", exchange_spec("amq.mine")).error().code,
              Errc::access_refused);
    EXPECT_EQ(broker.declare_queue("/", queue_spec("amq.q")).error().code, Errc::access_refused);
    EXPECT_EQ(broker.delete_exchange("/", "amq.direct", false).error().code, Errc::access_refused);
    EXPECT_EQ(broker.delete_exchange("/", "", false).error().code, Errc::access_refused);
}

TEST_F(BrokerTest, NamesAreLimitedTo255BytesOfUtf8) {
    EXPECT_TRUE(broker.declare_queue("/", queue_spec(std::string(255, 'q'))));
    auto long_name = broker.declare_queue("/", queue_spec(std::string(256, 'q')));
    ASSERT_FALSE(long_name);
    EXPECT_EQ(long_name.error().code, Errc::bad_request);
    EXPECT_EQ(broker.declare_exchange("/", exchange_spec(std::string(256, 'x'))).error().code,
              Errc::bad_request);
    EXPECT_EQ(broker.declare_queue("/", queue_spec("bad\xff")).error().code, Errc::bad_request);
    EXPECT_TRUE(broker.declare_queue("/", queue_spec("заказы-😀")));
}

TEST_F(BrokerTest, QueueRedeclareMustMatch) {
    ASSERT_EQ(*broker.declare_queue("/", queue_spec("q", {{"x-max-length", 10}})),
              Declared::created);
    EXPECT_EQ(*broker.declare_queue("/", queue_spec("q", {{"x-max-length", 10}})),
              Declared::existed);
    auto other_args = broker.declare_queue("/", queue_spec("q", {{"x-max-length", 11}}));
    EXPECT_EQ(other_args.error().code, Errc::precondition_failed);
    auto transient = queue_spec("q", {{"x-max-length", 10}});
    transient.durable = false;
    auto r = broker.declare_queue("/", transient);
    EXPECT_EQ(r.error().code, Errc::precondition_failed);
    EXPECT_NE(r.error().reason.find("inequivalent arg 'durable'"), std::string::npos);
}

TEST_F(BrokerTest, QueueArgumentsAreValidated) {
    struct Case {
        boost::json::object args;
        bool ok;
    };
    const Case cases[] = {
        {{{"x-message-ttl", 1000}}, true},
        {{{"x-message-ttl", -1}}, false},
        {{{"x-message-ttl", "1000"}}, false},
        {{{"x-expires", 0}}, false},
        {{{"x-expires", 5000}}, true},
        {{{"x-max-length", 3}}, true},
        {{{"x-max-length-bytes", 1.5}}, false},
        {{{"x-overflow", "reject-publish"}}, true},
        {{{"x-overflow", "reject-publish-dlx"}}, false},
        {{{"x-dead-letter-exchange", "dlx"}}, true},
        {{{"x-dead-letter-routing-key", "k"}}, false},
        {{{"x-delivery-limit", 3}}, true},
        {{{"x-delivery-limit", -1}}, true},
        {{{"x-single-active-consumer", true}}, true},
        {{{"x-single-active-consumer", "yes"}}, false},
        {{{"x-max-lenght", 3}}, false},
        {{{"x-queue-type", "classic"}}, true},
        {{{"x-queue-type", "lifo"}}, false},
        {{{"custom", "anything"}}, true},
    };
    int n = 0;
    for (const auto& c : cases) {
        auto r = broker.declare_queue("/", queue_spec("q" + std::to_string(n++), c.args));
        EXPECT_EQ(r.has_value(), c.ok) << boost::json::serialize(c.args);
        if (!r) {
            EXPECT_EQ(r.error().code, Errc::bad_request);
        }
    }
}

TEST_F(BrokerTest, DeleteQueueHonoursIfEmptyAndIfUnused) {
    declare_queue("q");
    send("q", "m");
    EXPECT_EQ(broker.delete_queue("/", "q", false, true).error().code, Errc::precondition_failed);
    auto connection = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*connection, "q", sink);
    EXPECT_EQ(broker.delete_queue("/", "q", true, false).error().code, Errc::precondition_failed);
    EXPECT_TRUE(broker.delete_queue("/", "q", false, false));
    EXPECT_EQ(sink.cancelled_tags.size(), 1u);
    EXPECT_EQ(broker.delete_queue("/", "q", false, false).error().code, Errc::not_found);
}

TEST_F(BrokerTest, UnknownVhostIsNotFound) {
    EXPECT_EQ(broker.declare_queue("nope", queue_spec("q")).error().code, Errc::not_found);
    EXPECT_EQ(broker.publish("nope", "", make_message("", "q", {}, "b")).error().code,
              Errc::not_found);
}

TEST_F(BrokerTest, PublishToMissingOrInternalExchangeFails) {
    EXPECT_EQ(broker.publish("/", "nope", make_message("nope", "k", {}, "b")).error().code,
              Errc::not_found);
    auto internal = exchange_spec("inner", ExchangeType::fanout);
    internal.internal = true;
    ASSERT_TRUE(broker.declare_exchange("/", internal));
    EXPECT_EQ(broker.publish("/", "inner", make_message("inner", "k", {}, "b")).error().code,
              Errc::access_refused);
}

TEST_F(BrokerTest, BindingNeedsBothEndsAndNotTheDefaultExchange) {
    declare_queue("q");
    auto missing_queue =
        broker.bind("/", routing::Binding{"amq.direct", Destination::queue("nope"), "k", {}});
    EXPECT_EQ(missing_queue.error().code, Errc::not_found);
    auto missing_exchange =
        broker.bind("/", routing::Binding{"nope", Destination::queue("q"), "k", {}});
    EXPECT_EQ(missing_exchange.error().code, Errc::not_found);
    auto default_exchange =
        broker.bind("/", routing::Binding{"", Destination::queue("q"), "k", {}});
    EXPECT_EQ(default_exchange.error().code, Errc::access_refused);
    EXPECT_TRUE(
        *broker.bind("/", routing::Binding{"amq.direct", Destination::queue("q"), "k", {}}));
    EXPECT_FALSE(
        *broker.bind("/", routing::Binding{"amq.direct", Destination::queue("q"), "k", {}}));
}

TEST_F(BrokerTest, AutoDeleteExchangeGoesWithItsLastBinding) {
    auto spec = exchange_spec("temp", ExchangeType::fanout);
    spec.auto_delete = true;
    ASSERT_TRUE(broker.declare_exchange("/", spec));
    declare_queue("a");
    declare_queue("b");
    bind("temp", "a", "");
    bind("temp", "b", "");
    ASSERT_TRUE(broker.unbind("/", routing::Binding{"temp", Destination::queue("a"), "", {}}));
    EXPECT_NE(broker.find_vhost("/")->find_exchange("temp"), nullptr);
    // Deleting the queue removes the last binding, which takes the exchange with it.
    ASSERT_TRUE(broker.delete_queue("/", "b", false, false));
    EXPECT_EQ(broker.find_vhost("/")->find_exchange("temp"), nullptr);
}

TEST_F(BrokerTest, DeletingAnExchangeRemovesItsBindings) {
    declare_exchange("src", ExchangeType::fanout);
    declare_exchange("mid", ExchangeType::fanout);
    declare_queue("q");
    ASSERT_TRUE(broker.bind("/", routing::Binding{"src", Destination::exchange("mid"), "", {}}));
    bind("mid", "q", "");
    EXPECT_TRUE(publish("src", "k", "1").routed);
    ASSERT_TRUE(broker.delete_exchange("/", "mid", false));
    EXPECT_FALSE(publish("src", "k", "2").routed);
    EXPECT_TRUE(broker.find_vhost("/")->router().bindings_from("src").empty());
}

TEST_F(BrokerTest, DeleteExchangeIfUnused) {
    declare_exchange("x", ExchangeType::direct);
    declare_queue("q");
    bind("x", "q", "k");
    EXPECT_EQ(broker.delete_exchange("/", "x", true).error().code, Errc::precondition_failed);
    EXPECT_TRUE(broker.delete_exchange("/", "x", false));
}

TEST_F(BrokerTest, VhostsCanBeAddedAndDeleted) {
    EXPECT_EQ(*broker.declare_vhost("staging"), Declared::created);
    EXPECT_EQ(*broker.declare_vhost("staging"), Declared::existed);
    ASSERT_TRUE(broker.declare_queue("staging", queue_spec("q")));
    EXPECT_EQ(broker.totals().queues, 1u);
    EXPECT_TRUE(broker.delete_vhost("staging"));
    EXPECT_EQ(broker.totals().queues, 0u);
    EXPECT_EQ(broker.delete_vhost("staging").error().code, Errc::not_found);
}

TEST_F(BrokerTest, TotalsCountMessagesAndConsumers) {
    declare_queue("q");
    send("q", "1");
    send("q", "2");
    send("q", "3");
    auto connection = broker.open_connection("c", "guest");
    RecordingSink sink;
    consume(*connection, "q", sink, 1);
    const Totals t = broker.totals();
    EXPECT_EQ(t.connections, 1u);
    EXPECT_EQ(t.consumers, 1u);
    EXPECT_EQ(t.messages_ready, 2u);
    EXPECT_EQ(t.messages_unacknowledged, 1u);
}

} // namespace
} // namespace warren::server::testing
