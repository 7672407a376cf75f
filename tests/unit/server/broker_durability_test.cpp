// The broker core over a store: what a restart brings back. Typed over MemoryStore and
// SqliteStore; a restart is a new Broker over what the last one left (the same MemoryStore
// object, or the same SQLite file reopened).

#include <gtest/gtest.h>

#include "server/connection.hpp"
#include "server/core.hpp"
#include "server/vhost.hpp"
#include "support/manual_executor.hpp"
#include "support/store_kinds.hpp"

namespace warren::server {
namespace {

using routing::Destination;
using routing::ExchangeType;

struct Sink : DeliverySink {
    bool ready() const override { return true; }
    void deliver(const Delivery& d) override {
        tags.push_back(d.delivery_tag);
        bodies.push_back(*d.message->body);
        redelivered.push_back(d.redelivered);
        counts.push_back(d.delivery_count);
    }
    std::vector<std::uint64_t> tags;
    std::vector<std::string> bodies;
    std::vector<bool> redelivered;
    std::vector<std::uint32_t> counts;
};

template <class Kind> class DurableBrokerTest : public ::testing::Test {
protected:
    void SetUp() override { start(); }
    void TearDown() override { stop(); }

    // A start over what the last run left: the same file (SQLite) or MemoryStore object.
    void start() {
        kind.open();
        ASSERT_FALSE(::testing::Test::HasFatalFailure());
        broker = std::make_unique<Core>(clock, &kind.store(), executor.poster());
        auto stats = broker->recover();
        ASSERT_TRUE(stats) << stats.error().reason;
        recovered = *stats;
    }

    void stop() {
        if (!broker) {
            return;
        }
        flush();
        broker.reset();
        kind.close();
    }

    void restart() {
        stop();
        start();
    }

    void flush() {
        bool done = false;
        broker->flush([&](Result<void> r) {
            EXPECT_TRUE(r) << r.error().reason;
            done = true;
        });
        ASSERT_TRUE(executor.run_until([&] { return done; }));
    }

    void declare_queue(const std::string& name, bool durable = true,
                       boost::json::object args = {}) {
        QueueSpec spec;
        spec.name = name;
        spec.durable = durable;
        spec.arguments = std::move(args);
        ASSERT_TRUE(broker->declare_queue("/", spec));
    }

    void publish(const std::string& exchange, const std::string& key, const std::string& body,
                 bool persistent = true) {
        Properties props;
        props.delivery_mode = persistent ? 2 : 1;
        props.headers["trace"] = "abc";
        auto r = broker->publish("/", exchange, make_message(exchange, key, props, body));
        ASSERT_TRUE(r && r->routed);
    }

    std::shared_ptr<Queue> queue(const std::string& name) {
        return broker->find_vhost("/")->find_queue(name);
    }

    std::vector<std::string> drain(const std::string& name) {
        std::vector<std::string> out;
        auto got = broker->get("/", name, 1000, GetMode::ack_requeue_false);
        for (const auto& g : *got) {
            out.push_back(*g.entry.message->body);
        }
        return out;
    }

    warren::testing::ManualExecutor executor;
    FakeClock clock;
    Kind kind{executor.poster()};
    std::unique_ptr<Core> broker;
    storage::RecoveryStats recovered;
};

using StoreKinds =
    ::testing::Types<warren::testing::MemoryStoreKind, warren::testing::SqliteStoreKind>;
TYPED_TEST_SUITE(DurableBrokerTest, StoreKinds, warren::testing::StoreKindName);

TYPED_TEST(DurableBrokerTest, PersistentMessagesInDurableQueuesSurviveRestart) {
    this->declare_queue("orders");
    this->publish("", "orders", "one");
    this->publish("", "orders", "two");
    this->publish("", "orders", "transient", false);
    this->restart();
    ASSERT_NE(this->queue("orders"), nullptr);
    EXPECT_EQ(this->recovered.entries, 2u);
    auto got = this->broker->get("/", "orders", 10, GetMode::ack_requeue_false);
    ASSERT_EQ(got->size(), 2u);
    EXPECT_EQ(*(*got)[0].entry.message->body, "one");
    EXPECT_EQ(*(*got)[1].entry.message->body, "two");
    // Properties come back as they were published.
    const auto& props = (*got)[0].entry.message->properties;
    EXPECT_EQ(props.delivery_mode, 2);
    EXPECT_EQ(props.headers.at("trace"), "abc");
    EXPECT_EQ((*got)[0].entry.message->routing_key, "orders");
}

TYPED_TEST(DurableBrokerTest, HeaderTypeLettersAndByteArraysSurviveRestart) {
    // What an AMQP publisher's Byte and byte[] headers become: the letters ride in
    // header_types, the bytes (not UTF-8) in a JSON string.
    this->declare_queue("typed");
    Properties props;
    props.delivery_mode = 2;
    props.headers["small"] = 7;
    props.headers["raw"] = boost::json::string(std::string_view("\xff\x00\x01", 3));
    props.header_types["/small"] = "b";
    props.header_types["/raw"] = "x";
    ASSERT_TRUE(this->broker->publish("/", "", make_message("", "typed", props, "m")));
    this->restart();
    EXPECT_EQ(this->recovered.entries, 1u);
    auto got = this->broker->get("/", "typed", 10, GetMode::ack_requeue_false);
    ASSERT_EQ(got->size(), 1u);
    EXPECT_EQ((*got)[0].entry.message->properties, props);
}

TYPED_TEST(DurableBrokerTest, TransientObjectsAreNotRestored) {
    this->declare_queue("temp", false);
    ExchangeSpec x{"tx", "fanout", false, false, false, {}};
    ASSERT_TRUE(this->broker->declare_exchange("/", x));
    this->publish("", "temp", "m");
    this->restart();
    EXPECT_EQ(this->queue("temp"), nullptr);
    EXPECT_EQ(this->broker->find_vhost("/")->find_exchange("tx"), nullptr);
}

TYPED_TEST(DurableBrokerTest, DefinitionsAndBindingsRouteAfterRestart) {
    ASSERT_TRUE(this->broker->declare_vhost("shop"));
    ExchangeSpec x{"events", "topic", true, false, false, {{"alternate-exchange", "unrouted"}}};
    ASSERT_TRUE(this->broker->declare_exchange("/", x));
    this->declare_queue("orders", true, {{"x-max-length", 100}});
    ASSERT_TRUE(this->broker->bind("/", {"events", Destination::queue("orders"), "order.*", {}}));
    this->restart();
    EXPECT_NE(this->broker->find_vhost("shop"), nullptr);
    const auto* events = this->broker->find_vhost("/")->find_exchange("events");
    ASSERT_NE(events, nullptr);
    EXPECT_EQ(events->type, ExchangeType::topic);
    EXPECT_EQ(events->spec.arguments.at("alternate-exchange"), "unrouted");
    EXPECT_EQ(this->queue("orders")->arguments().max_length, 100u);
    this->publish("events", "order.created", "routed after restart");
    EXPECT_EQ(this->queue("orders")->messages_ready(), 1u);
}

TYPED_TEST(DurableBrokerTest, AckedMessagesStayGone) {
    this->declare_queue("q");
    this->publish("", "q", "a");
    this->publish("", "q", "b");
    auto c = this->broker->open_connection("c", "guest");
    Sink sink;
    ASSERT_TRUE(c->consume("/", "q", {}, sink));
    ASSERT_TRUE(c->ack(sink.tags[0], false));
    this->flush();
    c.reset();
    this->restart();
    EXPECT_EQ(this->drain("q"), std::vector<std::string>{"b"});
}

TYPED_TEST(DurableBrokerTest, DeliveredButUnackedComesBackRedelivered) {
    this->declare_queue("q");
    this->publish("", "q", "m");
    {
        auto c = this->broker->open_connection("c", "guest");
        Sink sink;
        ASSERT_TRUE(c->consume("/", "q", {}, sink));
        ASSERT_EQ(sink.counts, std::vector<std::uint32_t>{1});
        this->flush(); // the delivery count is on disk; the process then "dies" with it unacked
    }
    this->restart();
    auto c = this->broker->open_connection("c", "guest");
    Sink sink;
    ASSERT_TRUE(c->consume("/", "q", {}, sink));
    ASSERT_EQ(sink.bodies.size(), 1u);
    EXPECT_TRUE(sink.redelivered[0]);
    EXPECT_EQ(sink.counts[0], 2u);
}

TYPED_TEST(DurableBrokerTest, DeliveredAsItArrivesComesBackRedelivered) {
    // A waiting consumer takes the message in the turn that enqueued it: the writer folds the
    // delivery count into the new entry (no separate update), and a restart still knows.
    this->declare_queue("q");
    {
        auto c = this->broker->open_connection("c", "guest");
        Sink sink;
        ASSERT_TRUE(c->consume("/", "q", {}, sink));
        this->publish("", "q", "m1");
        this->publish("", "q", "m2");
        ASSERT_EQ(sink.counts, (std::vector<std::uint32_t>{1, 1}));
        this->flush();
    }
    this->restart();
    auto c = this->broker->open_connection("c", "guest");
    Sink sink;
    ASSERT_TRUE(c->consume("/", "q", {}, sink));
    ASSERT_EQ(sink.bodies, (std::vector<std::string>{"m1", "m2"}));
    EXPECT_EQ(sink.redelivered, (std::vector<bool>{true, true}));
    EXPECT_EQ(sink.counts, (std::vector<std::uint32_t>{2, 2}));
}

TYPED_TEST(DurableBrokerTest, DeliveryLimitHoldsAcrossRestarts) {
    ExchangeSpec dlx{"dlx", "fanout", true, false, false, {}};
    ASSERT_TRUE(this->broker->declare_exchange("/", dlx));
    this->declare_queue("dead");
    ASSERT_TRUE(this->broker->bind("/", {"dlx", Destination::queue("dead"), "", {}}));
    this->declare_queue("work", true, {{"x-delivery-limit", 1}, {"x-dead-letter-exchange", "dlx"}});
    this->publish("", "work", "flaky");
    {
        auto c = this->broker->open_connection("c", "guest");
        Sink sink;
        ASSERT_TRUE(c->consume("/", "work", {}, sink));
        this->flush();
    }
    this->restart();
    auto c = this->broker->open_connection("c", "guest");
    Sink sink;
    ASSERT_TRUE(c->consume("/", "work", {}, sink));
    ASSERT_EQ(sink.counts, std::vector<std::uint32_t>{2});
    ASSERT_TRUE(c->nack(sink.tags[0], false, true)); // 2 deliveries > limit 1
    EXPECT_EQ(this->queue("work")->messages_ready(), 0u);
    EXPECT_EQ(this->queue("dead")->messages_ready(), 1u);
    c.reset();
    this->restart();
    // The dead-lettered copy is durable too, and the original is gone.
    EXPECT_EQ(this->queue("work")->messages_ready(), 0u);
    EXPECT_EQ(this->drain("dead"), std::vector<std::string>{"flaky"});
}

TYPED_TEST(DurableBrokerTest, FanoutSharesOneStoredMessage) {
    ExchangeSpec fan{"fan", "fanout", true, false, false, {}};
    ASSERT_TRUE(this->broker->declare_exchange("/", fan));
    for (const char* q : {"a", "b", "c"}) {
        this->declare_queue(q);
        ASSERT_TRUE(this->broker->bind("/", {"fan", Destination::queue(q), "", {}}));
    }
    this->publish("fan", "", "x");
    this->restart();
    EXPECT_EQ(this->recovered.entries, 3u);
    EXPECT_EQ(this->recovered.entries, 3u); // three entries of one stored message...
    auto a = this->broker->get("/", "a", 1, GetMode::ack_requeue_true)->at(0).entry.message;
    auto b = this->broker->get("/", "b", 1, GetMode::ack_requeue_true)->at(0).entry.message;
    EXPECT_EQ(a.get(), b.get()); // ...but shared again in memory
}

TYPED_TEST(DurableBrokerTest, PurgeKeepsOnlyWhatIsOutWithAConsumer) {
    this->declare_queue("q");
    for (int i = 0; i < 5; ++i) {
        this->publish("", "q", std::to_string(i));
    }
    auto c = this->broker->open_connection("c", "guest");
    Sink sink;
    ConsumeOptions options;
    options.prefetch = 1;
    ASSERT_TRUE(c->consume("/", "q", options, sink)); // "0" is out
    ASSERT_TRUE(c->nack(sink.tags[0], false, true));  // requeued, "0" out again (tag 2)
    EXPECT_EQ(*this->broker->purge_queue("/", "q"), 4u);
    this->flush();
    c.reset(); // requeues "0" in memory
    this->restart();
    EXPECT_EQ(this->drain("q"), std::vector<std::string>{"0"});
}

TYPED_TEST(DurableBrokerTest, DeletedQueueDoesNotComeBack) {
    this->declare_queue("q");
    this->publish("", "q", "m");
    ASSERT_TRUE(this->broker->delete_queue("/", "q", false, false));
    this->restart();
    EXPECT_EQ(this->queue("q"), nullptr);
    this->declare_queue("q");
    EXPECT_EQ(this->queue("q")->messages_ready(), 0u);
}

TYPED_TEST(DurableBrokerTest, NewIdsNeverCollideWithStoredOnes) {
    this->declare_queue("q");
    this->publish("", "q", "before");
    this->restart();
    this->publish("", "q", "after");
    this->restart();
    EXPECT_EQ(this->drain("q"), (std::vector<std::string>{"before", "after"}));
}

TYPED_TEST(DurableBrokerTest, ConfirmArrivesOnlyAfterTheCommit) {
    this->declare_queue("q");
    this->publish("", "q", "m");
    bool confirmed = false;
    this->broker->flush([&](Result<void> r) { confirmed = r.has_value(); });
    EXPECT_FALSE(confirmed); // nothing runs until the store has committed and posted back
    ASSERT_TRUE(this->executor.run_until([&] { return confirmed; }));
}

// The journal puts a turn's changes in one Batch, whose definitions apply kind by kind, puts
// before deletes (storage/store.hpp). A durable object deleted and then created again in the same
// turn was deleted for good at the next restart, on both stores, until the journal learned to
// submit what is pending before such a put (Journal::batch_for_put).
TYPED_TEST(DurableBrokerTest, AnExchangeDeletedAndDeclaredAgainInOneTurnSurvivesRestart) {
    ExchangeSpec x{"x", "fanout", true, false, false, {}};
    ASSERT_TRUE(this->broker->declare_exchange("/", x));
    this->flush();
    ASSERT_TRUE(this->broker->delete_exchange("/", "x", false));
    ASSERT_TRUE(this->broker->declare_exchange("/", x));
    this->restart();
    EXPECT_NE(this->broker->find_vhost("/")->find_exchange("x"), nullptr);
}

TYPED_TEST(DurableBrokerTest, AVhostDeletedAndCreatedAgainInOneTurnSurvivesRestart) {
    ASSERT_TRUE(this->broker->declare_vhost("v"));
    this->flush();
    ASSERT_TRUE(this->broker->delete_vhost("v"));
    ASSERT_TRUE(this->broker->declare_vhost("v"));
    this->restart();
    EXPECT_NE(this->broker->find_vhost("v"), nullptr);
}

TYPED_TEST(DurableBrokerTest, ABindingRemovedAndAddedAgainInOneTurnSurvivesRestart) {
    ExchangeSpec x{"x", "fanout", true, false, false, {}};
    ASSERT_TRUE(this->broker->declare_exchange("/", x));
    this->declare_queue("q");
    ASSERT_TRUE(this->broker->bind("/", {"x", Destination::queue("q"), "k", {}}));
    this->flush();
    ASSERT_TRUE(this->broker->unbind("/", {"x", Destination::queue("q"), "k", {}}));
    ASSERT_TRUE(this->broker->bind("/", {"x", Destination::queue("q"), "k", {}}));
    this->restart();
    this->publish("x", "k", "m");
    EXPECT_EQ(this->queue("q")->messages_ready(), 1u);
}

// A queue deleted and declared again in one turn is a new queue: its old bindings stay gone
// after a restart.
TYPED_TEST(DurableBrokerTest, AQueueDeletedAndDeclaredAgainInOneTurnLosesItsBindings) {
    ExchangeSpec x{"x", "direct", true, false, false, {}};
    ASSERT_TRUE(this->broker->declare_exchange("/", x));
    this->declare_queue("q");
    ASSERT_TRUE(this->broker->bind("/", {"x", Destination::queue("q"), "k", {}}));
    this->flush();
    ASSERT_TRUE(this->broker->delete_queue("/", "q", false, false));
    this->declare_queue("q");
    this->restart();
    ASSERT_NE(this->queue("q"), nullptr);
    auto routed = this->broker->publish("/", "x", make_message("x", "k", {}, "m"));
    ASSERT_TRUE(routed);
    EXPECT_FALSE(routed->routed);
}

// Dedup keys are committed with their messages: a duplicate is recognised after a restart
// exactly as before it; keys past their TTL or evicted are not; a deleted exchange's keys do
// not come back in a new exchange of the same name.
TYPED_TEST(DurableBrokerTest, DedupKeysAreRecognisedAfterARestart) {
    auto publish_id = [&](const std::string& exchange, const std::string& key,
                          const std::string& id) {
        Properties props;
        props.delivery_mode = 2;
        props.message_id = id;
        return this->broker->publish("/", exchange, make_message(exchange, key, props, id)).value();
    };
    this->declare_queue(
        "orders", true,
        {{"x-message-deduplication", true}, {"x-cache-ttl", 10000}, {"x-cache-size", 3}});
    ExchangeSpec spec{"payments", "fanout", true,
                      false,      false,    {{"x-message-deduplication", true}}};
    ASSERT_TRUE(this->broker->declare_exchange("/", spec));
    ASSERT_TRUE(this->broker->bind("/", {"payments", Destination::queue("orders"), "", {}}));
    EXPECT_FALSE(publish_id("payments", "", "pay-1").duplicate);
    for (const char* id : {"o-1", "o-2", "o-3", "o-4"}) { // o-1 leaves the window of 3
        EXPECT_FALSE(publish_id("", "orders", id).duplicate);
    }
    this->restart();
    EXPECT_TRUE(publish_id("payments", "", "pay-1").duplicate);
    EXPECT_TRUE(publish_id("", "orders", "o-4").duplicate);
    EXPECT_TRUE(publish_id("", "orders", "o-2").duplicate);
    EXPECT_FALSE(publish_id("", "orders", "o-1").duplicate); // evicted before the restart
    this->restart();
    this->clock.advance(10001);
    this->restart();
    EXPECT_FALSE(publish_id("", "orders", "o-4").duplicate); // its TTL ran out
    // Deleted and declared again: a new window.
    ASSERT_TRUE(this->broker->delete_exchange("/", "payments", false));
    ASSERT_TRUE(this->broker->declare_exchange("/", spec));
    this->restart();
    EXPECT_FALSE(publish_id("payments", "", "pay-1").duplicate);
}

} // namespace
} // namespace warren::server
