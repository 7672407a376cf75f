// Deduplication in the core: the window (TTL, size, oldest first), the key sources
// (Idempotency-Key, x-deduplication-header, message_id), exchange- and queue-level checks, and
// how a duplicate is answered (confirmed as its first publish was, never enqueued).

#include <deque>
#include <map>
#include <random>

#include <boost/json/serialize.hpp>

#include "broker_fixture.hpp"
#include "server/dedup.hpp"

namespace warren::server::testing {
namespace {

TEST(DedupWindow, KeysLeaveByTtlAndBySizeOldestFirst) {
    DedupWindow window(DedupSettings{std::nullopt, 1000, 2});
    window.remember("a", 1, true, 0);
    window.remember("b", 2, false, 10);
    ASSERT_TRUE(window.find("a", 500));
    EXPECT_FALSE(window.find("b", 500)->routed);
    window.remember("c", 3, true, 20); // past the size: "a" (the oldest) leaves
    EXPECT_FALSE(window.find("a", 30));
    EXPECT_TRUE(window.find("b", 30));
    EXPECT_EQ(window.forgotten_below(), 2u);
    EXPECT_FALSE(window.find("b", 1010)); // past its TTL
    window.expire(1015);
    EXPECT_EQ(window.size(), 1u);
    EXPECT_EQ(window.forgotten_below(), 3u);
}

TEST(DedupWindow, AKeySeenAgainAfterItLeftStartsOver) {
    DedupWindow window(DedupSettings{std::nullopt, 100, 10});
    window.remember("a", 1, true, 0);
    window.remember("a", 2, false, 200); // "a" had expired: a first publish again
    window.expire(250);
    ASSERT_TRUE(window.find("a", 250));
    EXPECT_FALSE(window.find("a", 250)->routed);
    EXPECT_EQ(window.size(), 1u);
}

// The window against a plain model (a map and a FIFO), over many random claims, undos, TTLs
// and evictions: the open-addressing index must answer exactly as the model does, including
// after its backward-shift deletions and growth.
TEST(DedupWindow, AgreesWithASimpleModelOverRandomOperations) {
    std::mt19937 random(7);
    const DedupSettings settings{std::nullopt, 500, 300};
    DedupWindow window(settings);
    struct Kept {
        std::uint64_t seq;
        Millis expires_at;
        bool routed;
    };
    std::map<std::string, Kept> model;
    struct Mark {
        std::uint64_t seq;
        std::string key;
        Millis expires_at;
    };
    std::deque<Mark> order; // oldest first
    Millis now = 0;
    std::uint64_t seq = 1;
    auto model_evict = [&] {
        const Mark mark = order.front();
        order.pop_front();
        if (auto it = model.find(mark.key); it != model.end() && it->second.seq == mark.seq) {
            model.erase(it);
        }
    };
    for (int step = 0; step < 200000; ++step) {
        now += static_cast<Millis>(random() % 3);
        const std::string key = "k" + std::to_string(random() % 1000);
        const bool routed = random() % 2 == 0;
        auto it = model.find(key);
        const bool dup = it != model.end() && it->second.expires_at > now;
        auto claim = window.claim(key, seq, now);
        ASSERT_EQ(claim.duplicate.has_value(), dup) << "step " << step << " key " << key;
        if (dup) {
            EXPECT_EQ(claim.duplicate->routed, it->second.routed);
            continue;
        }
        ASSERT_TRUE(claim.claimed);
        if (random() % 10 == 0) {
            window.undo();
            ++seq;
            continue;
        }
        window.finish(routed, now);
        model[key] = Kept{seq, now + settings.ttl, routed};
        order.push_back(Mark{seq, key, now + settings.ttl});
        ++seq;
        while (!order.empty() && order.front().expires_at <= now) {
            model_evict();
        }
        while (model.size() > settings.max_keys) {
            model_evict();
        }
        ASSERT_EQ(window.size(), model.size()) << "step " << step;
    }
}

TEST(DedupArguments, AreCheckedWithReasons) {
    auto ok = parse_dedup_arguments({{"x-message-deduplication", true},
                                     {"x-deduplication-header", "msg-key"},
                                     {"x-cache-ttl", 5000},
                                     {"x-cache-size", 10}},
                                    "queue 'q'");
    ASSERT_TRUE(ok && *ok);
    EXPECT_EQ((*ok)->header, "msg-key");
    EXPECT_EQ((*ok)->ttl, 5000);
    EXPECT_EQ((*ok)->max_keys, 10u);
    EXPECT_FALSE(*parse_dedup_arguments({}, "queue 'q'")); // off
    struct Case {
        boost::json::object arguments;
        std::string reason_part;
    };
    for (const auto& c : std::vector<Case>{
             {{{"x-message-deduplication", "yes"}}, "expected true or false"},
             {{{"x-message-deduplication", true}, {"x-cache-ttl", -1}}, "positive number"},
             {{{"x-message-deduplication", true}, {"x-cache-ttl", "60"}}, "positive number"},
             {{{"x-message-deduplication", true}, {"x-cache-size", 0}}, "positive integer"},
             {{{"x-message-deduplication", true}, {"x-deduplication-header", 7}}, "header name"},
             {{{"x-cache-size", 10}}, "x-message-deduplication must be true as well"},
         }) {
        auto r = parse_dedup_arguments(c.arguments, "queue 'q'");
        ASSERT_FALSE(r) << boost::json::serialize(c.arguments);
        EXPECT_EQ(r.error().code, Errc::bad_request);
        EXPECT_NE(r.error().reason.find(c.reason_part), std::string::npos) << r.error().reason;
    }
}

class Dedup : public BrokerTest {
protected:
    PublishOutcome publish_id(const std::string& exchange, const std::string& key,
                              const std::string& id, const std::string& body,
                              std::string_view idempotency_key = {}) {
        Properties props;
        if (!id.empty()) {
            props.message_id = id;
        }
        PublishOptions options;
        options.idempotency_key = idempotency_key;
        auto r = broker.publish("/", exchange, make_message(exchange, key, props, body), options);
        EXPECT_TRUE(r) << r.error().reason;
        return r ? *r : PublishOutcome{};
    }

    void declare_dedup_exchange(const std::string& name, boost::json::object extra = {}) {
        extra["x-message-deduplication"] = true;
        ExchangeSpec spec;
        spec.name = name;
        spec.type = "direct";
        spec.arguments = std::move(extra);
        auto r = broker.declare_exchange("/", spec);
        ASSERT_TRUE(r) << r.error().reason;
    }
};

TEST_F(Dedup, AnExchangeConfirmsADuplicateAndRoutesItNowhere) {
    declare_dedup_exchange("payments");
    declare_queue("refunds");
    bind("payments", "refunds", "refund");
    const auto first = publish_id("payments", "refund", "r-1", "refund 10 EUR");
    EXPECT_TRUE(first.routed);
    EXPECT_FALSE(first.duplicate);
    const auto again = publish_id("payments", "refund", "r-1", "refund 10 EUR");
    EXPECT_TRUE(again.routed); // as the first was answered
    EXPECT_TRUE(again.duplicate);
    EXPECT_FALSE(publish_id("payments", "refund", "r-2", "another").duplicate);
    EXPECT_EQ(queue("refunds")->messages_ready(), 2u);
    const ExchangeState* x = broker.find_vhost("/")->find_exchange("payments");
    EXPECT_EQ(x->dedup->duplicates(), 1u);
}

TEST_F(Dedup, ADuplicateIsAnsweredAsItsFirstPublishWasEvenUnroutable) {
    declare_dedup_exchange("payments");
    EXPECT_FALSE(publish_id("payments", "nowhere", "r-1", "x").routed);
    declare_queue("late");
    bind("payments", "late", "nowhere");
    const auto again = publish_id("payments", "nowhere", "r-1", "x");
    EXPECT_TRUE(again.duplicate);
    EXPECT_FALSE(again.routed);
    EXPECT_EQ(queue("late")->messages_ready(), 0u);
}

TEST_F(Dedup, AMessageWithoutAKeyIsNeverADuplicate) {
    declare_dedup_exchange("payments");
    declare_queue("refunds");
    bind("payments", "refunds", "refund");
    EXPECT_FALSE(publish_id("payments", "refund", "", "a").duplicate);
    EXPECT_FALSE(publish_id("payments", "refund", "", "a").duplicate);
    EXPECT_EQ(queue("refunds")->messages_ready(), 2u);
}

TEST_F(Dedup, TheHeaderNamedByTheArgumentIsTheKeyAndIdempotencyKeyWins) {
    declare_dedup_exchange("payments", {{"x-deduplication-header", "refund-id"}});
    declare_queue("refunds");
    bind("payments", "refunds", "refund");
    auto with_header = [&](const std::string& value, const std::string& message_id,
                           std::string_view idempotency = {}) {
        Properties props;
        props.headers["refund-id"] = value;
        props.message_id = message_id;
        PublishOptions options;
        options.idempotency_key = idempotency;
        return broker
            .publish("/", "payments", make_message("payments", "refund", props, "x"), options)
            .value();
    };
    EXPECT_FALSE(with_header("h-1", "m-1").duplicate);
    EXPECT_TRUE(with_header("h-1", "m-2").duplicate);            // same header, another message_id
    EXPECT_FALSE(with_header("h-2", "m-1").duplicate);           // message_id is not the key here
    EXPECT_FALSE(with_header("h-1", "m-1", "idem-1").duplicate); // the Idempotency-Key wins
    EXPECT_TRUE(with_header("h-9", "m-9", "idem-1").duplicate);
}

TEST_F(Dedup, AQueueKeepsDuplicatesOutAtEnqueue) {
    declare_queue("orders", {{"x-message-deduplication", true}, {"x-cache-size", 2}});
    declare_queue("audit");
    declare_exchange("fan", routing::ExchangeType::fanout);
    bind("fan", "orders", "");
    bind("fan", "audit", "");
    EXPECT_FALSE(publish_id("fan", "", "o-1", "a").duplicate);
    // The audit queue takes it again: a duplicate for one queue only is not a duplicate publish.
    const auto again = publish_id("fan", "", "o-1", "a");
    EXPECT_FALSE(again.duplicate);
    EXPECT_TRUE(again.routed);
    EXPECT_EQ(queue("orders")->messages_ready(), 1u);
    EXPECT_EQ(queue("audit")->messages_ready(), 2u);
    EXPECT_EQ(queue("orders")->deduplication()->duplicates(), 1u);
    // Straight to the queue: every queue reached calls it a duplicate.
    EXPECT_TRUE(publish_id("", "orders", "o-1", "a").duplicate);
    // Window of 2: o-1 leaves after two newer keys.
    publish_id("", "orders", "o-2", "b");
    publish_id("", "orders", "o-3", "c");
    EXPECT_FALSE(publish_id("", "orders", "o-1", "a").duplicate);
}

TEST_F(Dedup, TheWindowEndsAfterTheTtl) {
    declare_queue("orders", {{"x-message-deduplication", true}, {"x-cache-ttl", 1000}});
    publish_id("", "orders", "o-1", "a");
    clock.advance(999);
    EXPECT_TRUE(publish_id("", "orders", "o-1", "a").duplicate);
    clock.advance(1);
    EXPECT_FALSE(publish_id("", "orders", "o-1", "a").duplicate);
    EXPECT_EQ(queue("orders")->messages_ready(), 2u);
}

TEST_F(Dedup, ARefusedPublishIsNotRemembered) {
    declare_queue(
        "full",
        {{"x-message-deduplication", true}, {"x-max-length", 1}, {"x-overflow", "reject-publish"}});
    publish_id("", "full", "a", "1");
    const auto refused = publish_id("", "full", "b", "2");
    EXPECT_TRUE(refused.rejected);
    ASSERT_TRUE(broker.get("/", "full", 1, GetMode::ack_requeue_false));
    EXPECT_FALSE(publish_id("", "full", "b", "2").duplicate); // the retry goes in
    EXPECT_EQ(queue("full")->messages_ready(), 1u);
}

TEST_F(Dedup, BadArgumentsOnExchangesAndQueuesAre400s) {
    ExchangeSpec spec;
    spec.name = "x";
    spec.type = "direct";
    spec.arguments = {{"x-message-deduplication", true}, {"x-cache-ttl", -5}};
    auto r = broker.declare_exchange("/", spec);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::bad_request);
    EXPECT_NE(r.error().reason.find("x-cache-ttl"), std::string::npos) << r.error().reason;
    QueueSpec q;
    q.name = "q";
    q.arguments = {{"x-message-deduplication", 1}};
    auto rq = broker.declare_queue("/", q);
    ASSERT_FALSE(rq);
    EXPECT_EQ(rq.error().code, Errc::bad_request);
}

} // namespace
} // namespace warren::server::testing
