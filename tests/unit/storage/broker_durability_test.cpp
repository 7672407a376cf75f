// The broker core over a real SQLite store: what a restart brings back.

#include <gtest/gtest.h>

#include "server/connection.hpp"
#include "server/core.hpp"
#include "server/vhost.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "support/manual_executor.hpp"
#include "support/temp_dir.hpp"

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

class DurableBrokerTest : public ::testing::Test {
protected:
    void SetUp() override { start(); }
    void TearDown() override { stop(); }

    void start() {
        storage::sqlite::SqliteOptions options;
        options.path = dir.file("warren.db");
        auto s = storage::sqlite::SqliteStore::open(options, executor.poster());
        ASSERT_TRUE(s) << s.error().reason;
        store = std::move(*s);
        broker = std::make_unique<Core>(clock, store.get(), executor.poster());
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
        store->close();
        store.reset();
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

    warren::testing::TempDir dir;
    warren::testing::ManualExecutor executor;
    FakeClock clock;
    std::unique_ptr<storage::sqlite::SqliteStore> store;
    std::unique_ptr<Core> broker;
    storage::RecoveryStats recovered;
};

TEST_F(DurableBrokerTest, PersistentMessagesInDurableQueuesSurviveRestart) {
    declare_queue("orders");
    publish("", "orders", "one");
    publish("", "orders", "two");
    publish("", "orders", "transient", false);
    restart();
    ASSERT_NE(queue("orders"), nullptr);
    EXPECT_EQ(recovered.entries, 2u);
    auto got = broker->get("/", "orders", 10, GetMode::ack_requeue_false);
    ASSERT_EQ(got->size(), 2u);
    EXPECT_EQ(*(*got)[0].entry.message->body, "one");
    EXPECT_EQ(*(*got)[1].entry.message->body, "two");
    // Properties come back as they were published.
    const auto& props = (*got)[0].entry.message->properties;
    EXPECT_EQ(props.delivery_mode, 2);
    EXPECT_EQ(props.headers.at("trace"), "abc");
    EXPECT_EQ((*got)[0].entry.message->routing_key, "orders");
}

TEST_F(DurableBrokerTest, TransientObjectsAreNotRestored) {
    declare_queue("temp", false);
    ExchangeSpec x{"tx", "fanout", false, false, false, {}};
    ASSERT_TRUE(broker->declare_exchange("/", x));
    publish("", "temp", "m");
    restart();
    EXPECT_EQ(queue("temp"), nullptr);
    EXPECT_EQ(broker->find_vhost("/")->find_exchange("tx"), nullptr);
}

TEST_F(DurableBrokerTest, DefinitionsAndBindingsRouteAfterRestart) {
    ASSERT_TRUE(broker->declare_vhost("shop"));
    ExchangeSpec x{"events", "topic", true, false, false, {{"alternate-exchange", "unrouted"}}};
    ASSERT_TRUE(broker->declare_exchange("/", x));
    declare_queue("orders", true, {{"x-max-length", 100}});
    ASSERT_TRUE(broker->bind("/", {"events", Destination::queue("orders"), "order.*", {}}));
    restart();
    EXPECT_NE(broker->find_vhost("shop"), nullptr);
    const auto* events = broker->find_vhost("/")->find_exchange("events");
    ASSERT_NE(events, nullptr);
    EXPECT_EQ(events->type, ExchangeType::topic);
    EXPECT_EQ(events->spec.arguments.at("alternate-exchange"), "unrouted");
    EXPECT_EQ(queue("orders")->arguments().max_length, 100u);
    publish("events", "order.created", "routed after restart");
    EXPECT_EQ(queue("orders")->messages_ready(), 1u);
}

TEST_F(DurableBrokerTest, AckedMessagesStayGone) {
    declare_queue("q");
    publish("", "q", "a");
    publish("", "q", "b");
    auto c = broker->open_connection("c", "guest");
    Sink sink;
    ASSERT_TRUE(c->consume("/", "q", {}, sink));
    ASSERT_TRUE(c->ack(sink.tags[0], false));
    flush();
    c.reset();
    restart();
    EXPECT_EQ(drain("q"), std::vector<std::string>{"b"});
}

TEST_F(DurableBrokerTest, DeliveredButUnackedComesBackRedelivered) {
    declare_queue("q");
    publish("", "q", "m");
    {
        auto c = broker->open_connection("c", "guest");
        Sink sink;
        ASSERT_TRUE(c->consume("/", "q", {}, sink));
        ASSERT_EQ(sink.counts, std::vector<std::uint32_t>{1});
        flush(); // the delivery count is on disk; the process then "dies" with it unacked
    }
    restart();
    auto c = broker->open_connection("c", "guest");
    Sink sink;
    ASSERT_TRUE(c->consume("/", "q", {}, sink));
    ASSERT_EQ(sink.bodies.size(), 1u);
    EXPECT_TRUE(sink.redelivered[0]);
    EXPECT_EQ(sink.counts[0], 2u);
}

TEST_F(DurableBrokerTest, DeliveredAsItArrivesComesBackRedelivered) {
    // A waiting consumer takes the message in the turn that enqueued it: the writer folds the
    // delivery count into the new entry (no separate update), and a restart still knows.
    declare_queue("q");
    {
        auto c = broker->open_connection("c", "guest");
        Sink sink;
        ASSERT_TRUE(c->consume("/", "q", {}, sink));
        publish("", "q", "m1");
        publish("", "q", "m2");
        ASSERT_EQ(sink.counts, (std::vector<std::uint32_t>{1, 1}));
        flush();
    }
    restart();
    auto c = broker->open_connection("c", "guest");
    Sink sink;
    ASSERT_TRUE(c->consume("/", "q", {}, sink));
    ASSERT_EQ(sink.bodies, (std::vector<std::string>{"m1", "m2"}));
    EXPECT_EQ(sink.redelivered, (std::vector<bool>{true, true}));
    EXPECT_EQ(sink.counts, (std::vector<std::uint32_t>{2, 2}));
}

TEST_F(DurableBrokerTest, DeliveryLimitHoldsAcrossRestarts) {
    ExchangeSpec dlx{"dlx", "fanout", true, false, false, {}};
    ASSERT_TRUE(broker->declare_exchange("/", dlx));
    declare_queue("dead");
    ASSERT_TRUE(broker->bind("/", {"dlx", Destination::queue("dead"), "", {}}));
    declare_queue("work", true, {{"x-delivery-limit", 1}, {"x-dead-letter-exchange", "dlx"}});
    publish("", "work", "flaky");
    {
        auto c = broker->open_connection("c", "guest");
        Sink sink;
        ASSERT_TRUE(c->consume("/", "work", {}, sink));
        flush();
    }
    restart();
    auto c = broker->open_connection("c", "guest");
    Sink sink;
    ASSERT_TRUE(c->consume("/", "work", {}, sink));
    ASSERT_EQ(sink.counts, std::vector<std::uint32_t>{2});
    ASSERT_TRUE(c->nack(sink.tags[0], false, true)); // 2 deliveries > limit 1
    EXPECT_EQ(queue("work")->messages_ready(), 0u);
    EXPECT_EQ(queue("dead")->messages_ready(), 1u);
    c.reset();
    restart();
    // The dead-lettered copy is durable too, and the original is gone.
    EXPECT_EQ(queue("work")->messages_ready(), 0u);
    EXPECT_EQ(drain("dead"), std::vector<std::string>{"flaky"});
}

TEST_F(DurableBrokerTest, FanoutSharesOneStoredMessage) {
    ExchangeSpec fan{"fan", "fanout", true, false, false, {}};
    ASSERT_TRUE(broker->declare_exchange("/", fan));
    for (const char* q : {"a", "b", "c"}) {
        declare_queue(q);
        ASSERT_TRUE(broker->bind("/", {"fan", Destination::queue(q), "", {}}));
    }
    publish("fan", "", "x");
    restart();
    EXPECT_EQ(recovered.entries, 3u);
    EXPECT_EQ(recovered.entries, 3u); // three entries of one stored message...
    auto a = broker->get("/", "a", 1, GetMode::ack_requeue_true)->at(0).entry.message;
    auto b = broker->get("/", "b", 1, GetMode::ack_requeue_true)->at(0).entry.message;
    EXPECT_EQ(a.get(), b.get()); // ...but shared again in memory
}

TEST_F(DurableBrokerTest, PurgeKeepsOnlyWhatIsOutWithAConsumer) {
    declare_queue("q");
    for (int i = 0; i < 5; ++i) {
        publish("", "q", std::to_string(i));
    }
    auto c = broker->open_connection("c", "guest");
    Sink sink;
    ConsumeOptions options;
    options.prefetch = 1;
    ASSERT_TRUE(c->consume("/", "q", options, sink)); // "0" is out
    ASSERT_TRUE(c->nack(sink.tags[0], false, true));  // requeued, "0" out again (tag 2)
    EXPECT_EQ(*broker->purge_queue("/", "q"), 4u);
    flush();
    c.reset(); // requeues "0" in memory
    restart();
    EXPECT_EQ(drain("q"), std::vector<std::string>{"0"});
}

TEST_F(DurableBrokerTest, DeletedQueueDoesNotComeBack) {
    declare_queue("q");
    publish("", "q", "m");
    ASSERT_TRUE(broker->delete_queue("/", "q", false, false));
    restart();
    EXPECT_EQ(queue("q"), nullptr);
    declare_queue("q");
    EXPECT_EQ(queue("q")->messages_ready(), 0u);
}

TEST_F(DurableBrokerTest, NewIdsNeverCollideWithStoredOnes) {
    declare_queue("q");
    publish("", "q", "before");
    restart();
    publish("", "q", "after");
    restart();
    EXPECT_EQ(drain("q"), (std::vector<std::string>{"before", "after"}));
}

TEST_F(DurableBrokerTest, ConfirmArrivesOnlyAfterTheCommit) {
    declare_queue("q");
    publish("", "q", "m");
    bool confirmed = false;
    broker->flush([&](Result<void> r) { confirmed = r.has_value(); });
    EXPECT_FALSE(confirmed); // nothing runs until the store has committed and posted back
    ASSERT_TRUE(executor.run_until([&] { return confirmed; }));
}

} // namespace
} // namespace warren::server
