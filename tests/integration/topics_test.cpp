// Partitioned topics and consumer groups (DESIGN.md section 7) against the real binary: a key's
// messages land in one partition in order (by routing key or x-partition-key); a group's members
// split the partitions and rebalance when one joins or is killed, with no acked message read
// again and each key's order kept across the move; a restarted group goes on where it stopped
// after a kill -9; bad group subscriptions get a clear error.

#include <map>
#include <set>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/api.hpp"
#include "support/wait_until.hpp"
#include "support/warren_process.hpp"
#include "support/ws_client.hpp"

namespace warren::test {
namespace {

namespace json = boost::json;

// What `warrenctl topic create` does: the hashing exchange, N streams, a binding of weight 1 each.
void create_topic(Api& api, std::string_view topic, int partitions) {
    auto exchange = api.put(
        "/api/exchanges/%2F/" + std::string(topic),
        json::serialize(json::object{{"type", "x-consistent-hash"},
                                     {"durable", true},
                                     {"arguments", json::object{{"x-partitions", partitions}}}}));
    ASSERT_EQ(exchange.status, 201u) << exchange.body;
    for (int i = 0; i < partitions; ++i) {
        const std::string stream = std::string(topic) + "-" + std::to_string(i);
        auto queue = api.put(
            "/api/queues/%2F/" + stream,
            json::serialize(json::object{{"durable", true},
                                         {"arguments", json::object{{"x-queue-type", "stream"}}}}));
        ASSERT_EQ(queue.status, 201u) << queue.body;
        auto bound = api.post("/api/bindings/%2F/e/" + std::string(topic) + "/q/" + stream,
                              R"({"routing_key":"1"})");
        ASSERT_EQ(bound.status, 201u) << bound.body;
    }
}

// Publishes `per_key` messages for each of `keys` keys, payload "<key>:<seq>", interleaved
// (k0:0, k1:0, ..., k0:1, ...), in one confirmed HTTP batch per round.
void publish_keys(Api& api, std::string_view topic, int keys, int per_key, int first_seq = 0) {
    for (int seq = first_seq; seq < first_seq + per_key; ++seq) {
        json::array batch;
        for (int k = 0; k < keys; ++k) {
            const std::string key = "k" + std::to_string(k);
            batch.push_back({{"properties", json::object{}},
                             {"routing_key", key},
                             {"payload", key + ":" + std::to_string(seq)},
                             {"payload_encoding", "string"}});
        }
        auto reply = api.post("/api/exchanges/%2F/" + std::string(topic) + "/publish",
                              json::serialize(batch));
        ASSERT_EQ(reply.status, 200u) << reply.body;
    }
}

std::pair<std::string, int> key_and_seq(std::string_view payload) {
    const auto colon = payload.find(':');
    return {std::string(payload.substr(0, colon)),
            std::stoi(std::string(payload.substr(colon + 1)))};
}

TEST(Topics, EveryMessageOfAKeyLandsInOnePartitionInOrder) {
    WarrenProcess warren;
    Api api(warren.port());
    create_topic(api, "orders", 3);
    publish_keys(api, "orders", 30, 5);
    // By header: x-partition-key wins over the routing key.
    auto by_header = api.post(
        "/api/exchanges/%2F/orders/publish",
        R"({"properties":{"headers":{"x-partition-key":"k7"}},"routing_key":"other","payload":"k7:5","payload_encoding":"string"})");
    ASSERT_EQ(by_header.status, 200u) << by_header.body;
    EXPECT_EQ(by_header.json().at("routed"), true);

    std::map<std::string, int> partition_of;
    std::map<std::string, std::vector<int>> seqs;
    std::size_t total = 0;
    std::set<int> used;
    for (int p = 0; p < 3; ++p) {
        auto page = api.get_json("/api/streams/%2F/orders-" + std::to_string(p) +
                                 "/messages?offset=first&count=1000");
        for (const auto& m : page.at("messages").as_array()) {
            auto [key, seq] = key_and_seq(m.at("payload").as_string());
            auto [it, added] = partition_of.try_emplace(key, p);
            EXPECT_EQ(it->second, p) << key << " is in two partitions";
            seqs[key].push_back(seq);
            used.insert(p);
            ++total;
        }
    }
    EXPECT_EQ(total, 151u);
    EXPECT_EQ(used.size(), 3u) << "30 keys spread over all 3 partitions";
    for (const auto& [key, list] : seqs) {
        std::vector<int> expected;
        for (int i = 0; i < (key == "k7" ? 6 : 5); ++i) {
            expected.push_back(i);
        }
        EXPECT_EQ(list, expected) << key;
    }
}

// A group member over one WebSocket: acks each message as it is read ("processed" = acked).
struct Member {
    explicit Member(std::uint16_t port) : ws(port) {}
    WsClient ws;
    std::set<std::string> partitions;
    int processed = 0;
};

struct Processed {
    std::map<std::string, std::vector<int>> seqs_by_key;  // in ack order
    std::set<std::pair<std::string, std::int64_t>> acked; // (partition, offset)
    std::size_t duplicates = 0;
};

void join(Member& member, std::string_view group, json::object extra = {}) {
    json::object op{{"op", "subscribe"},
                    {"id", "g"},
                    {"exchange", "orders"},
                    {"group", group},
                    {"prefetch", 5}};
    for (auto& [k, v] : extra) {
        op[k] = v;
    }
    member.ws.send(op);
    auto subscribed = member.ws.expect("subscribed");
    ASSERT_EQ(subscribed.at("group").as_string(), group);
    member.partitions.clear();
    for (const auto& p : subscribed.at("partitions").as_array()) {
        member.partitions.insert(std::string(p.as_string()));
    }
}

// Reads what one member has within `wait`, acking each message; returns how many it processed.
int poll(Member& member, Processed& processed, std::chrono::milliseconds wait, int limit) {
    int n = 0;
    while (n < limit) {
        auto frame = member.ws.read(wait);
        if (!frame) {
            break;
        }
        const auto type = frame->at("type").as_string();
        if (type == "assigned") {
            member.partitions.clear();
            for (const auto& p : frame->at("partitions").as_array()) {
                member.partitions.insert(std::string(p.as_string()));
            }
            continue;
        }
        EXPECT_EQ(type, "message") << json::serialize(*frame);
        if (type != "message") {
            continue;
        }
        const std::string partition(frame->at("queue").as_string());
        EXPECT_TRUE(member.partitions.contains(partition))
            << "a delivery from " << partition << ", which this member does not own";
        const auto offset = frame->at("offset").to_number<std::int64_t>();
        member.ws.send(json::object{{"op", "ack"}, {"tag", frame->at("tag")}});
        if (!processed.acked.insert({partition, offset}).second) {
            ++processed.duplicates;
        }
        auto [key, seq] = key_and_seq(frame->at("payload").as_string());
        processed.seqs_by_key[key].push_back(seq);
        ++n;
    }
    member.processed += n;
    return n;
}

TEST(Topics, AGroupSplitsThePartitionsAndRebalancesWhenAMemberIsKilled) {
    WarrenProcess warren;
    Api api(warren.port());
    create_topic(api, "orders", 3);
    publish_keys(api, "orders", 60, 10); // 600 messages

    Processed processed;
    Member a(warren.port());
    join(a, "billing", {{"offset", "first"}});
    EXPECT_EQ(a.partitions.size(), 3u) << "the first member owns every partition";
    Member b(warren.port());
    join(b, "billing");
    Member c(warren.port());
    join(c, "billing");
    // Each joiner waits for its partitions until the old owner settled what it held: a must
    // process (ack) what it has for them to start.
    std::vector<Member*> members{&a, &b, &c};
    for (int round = 0; round < 400 && processed.acked.size() < 200; ++round) {
        for (Member* m : members) {
            poll(*m, processed, std::chrono::milliseconds(20), 10);
        }
    }
    ASSERT_GE(processed.acked.size(), 200u);
    EXPECT_EQ(a.partitions.size(), 1u);
    EXPECT_EQ(b.partitions.size(), 1u);
    EXPECT_EQ(c.partitions.size(), 1u);

    EXPECT_GT(b.processed, 0);
    EXPECT_GT(c.processed, 0);
    // c dies with deliveries in flight (read by the socket, never acked): they go to the others.
    ASSERT_TRUE(c.ws.read(std::chrono::seconds(1)).has_value()) << "c holds a delivery unacked";
    c.ws.drop();
    members = {&a, &b};
    for (int round = 0; round < 1000 && processed.acked.size() < 600; ++round) {
        for (Member* m : members) {
            poll(*m, processed, std::chrono::milliseconds(20), 50);
        }
    }
    EXPECT_EQ(processed.acked.size(), 600u) << "every message processed";
    EXPECT_EQ(processed.duplicates, 0u) << "no message processed twice after its ack";
    EXPECT_EQ(a.partitions.size() + b.partitions.size(), 3u);
    for (const auto& [key, seqs] : processed.seqs_by_key) {
        std::vector<int> expected;
        for (int i = 0; i < 10; ++i) {
            expected.push_back(i);
        }
        EXPECT_EQ(seqs, expected) << "key " << key << " kept its order across the moves";
    }
    // The offsets are stored per partition under the group's name.
    for (int p = 0; p < 3; ++p) {
        const std::string stream = "orders-" + std::to_string(p);
        auto summary = api.get_json("/api/streams/%2F/" + stream);
        EXPECT_TRUE(wait_until([&] {
            auto stored = api.get("/api/streams/%2F/" + stream + "/consumers/billing");
            return stored.status == 200 && stored.json().at("offset") == summary.at("last_offset");
        })) << stream;
    }
}

TEST(Topics, ARestartedGroupGoesOnWhereItStoppedAfterKill9) {
    WarrenProcess warren;
    Api api(warren.port());
    create_topic(api, "orders", 2);
    publish_keys(api, "orders", 10, 3); // 30
    {
        Processed processed;
        Member a(warren.port());
        join(a, "audit", {{"offset", "first"}});
        for (int round = 0; round < 200 && processed.acked.size() < 30; ++round) {
            poll(a, processed, std::chrono::milliseconds(20), 50);
        }
        ASSERT_EQ(processed.acked.size(), 30u);
        a.ws.sync(); // the acks are in
    }
    for (int p = 0; p < 2; ++p) {
        const std::string stream = "orders-" + std::to_string(p);
        ASSERT_TRUE(wait_until([&] {
            auto summary = api.get_json("/api/streams/%2F/" + stream);
            auto stored = api.get("/api/streams/%2F/" + stream + "/consumers/audit");
            return stored.status == 200 && stored.json().at("offset") == summary.at("last_offset");
        })) << stream;
    }
    warren.kill9();
    warren.restart();
    Api after(warren.port());
    publish_keys(after, "orders", 10, 2, 3); // 20 more, seqs 3 and 4
    Processed processed;
    Member again(warren.port());
    join(again, "audit", {{"offset", "first"}}); // a stored offset wins over a new group's start
    for (int round = 0; round < 200 && processed.acked.size() < 20; ++round) {
        poll(again, processed, std::chrono::milliseconds(20), 50);
    }
    EXPECT_EQ(processed.acked.size(), 20u);
    EXPECT_TRUE(again.ws.sync().empty()) << "nothing older comes again";
    for (const auto& [key, seqs] : processed.seqs_by_key) {
        EXPECT_EQ(seqs, (std::vector<int>{3, 4})) << key;
    }
}

TEST(Topics, APartitionAddedToALiveTopicJoinsItsGroupAtOnce) {
    WarrenProcess warren;
    Api api(warren.port());
    create_topic(api, "orders", 1);
    Member a(warren.port());
    join(a, "billing");
    EXPECT_EQ(a.partitions, (std::set<std::string>{"orders-0"}));
    // A second partition: declared and bound while the group runs.
    ASSERT_EQ(api.put("/api/queues/%2F/orders-1",
                      R"({"durable":true,"arguments":{"x-queue-type":"stream"}})")
                  .status,
              201u);
    ASSERT_EQ(api.post("/api/bindings/%2F/e/orders/q/orders-1", R"({"routing_key":"1"})").status,
              201u);
    auto assigned = a.ws.expect("assigned");
    EXPECT_EQ(json::serialize(assigned.at("partitions")), R"(["orders-0","orders-1"])");
    a.partitions = {"orders-0", "orders-1"};
    // Keys now spread over both; the member reads each partition.
    publish_keys(api, "orders", 20, 1);
    Processed processed;
    for (int round = 0; round < 200 && processed.acked.size() < 20; ++round) {
        poll(a, processed, std::chrono::milliseconds(20), 50);
    }
    std::set<std::string> from;
    for (const auto& [partition, offset] : processed.acked) {
        from.insert(partition);
    }
    EXPECT_EQ(processed.acked.size(), 20u);
    EXPECT_EQ(from.size(), 2u);
    // Unbinding it takes it away again.
    ASSERT_EQ(api.del("/api/bindings/%2F/e/orders/q/orders-1/1").status, 204u);
    EXPECT_EQ(json::serialize(a.ws.expect("assigned").at("partitions")), R"(["orders-0"])");
}

TEST(Topics, BadGroupSubscriptionsGetAClearError) {
    WarrenProcess warren;
    Api api(warren.port());
    create_topic(api, "orders", 2);
    ASSERT_EQ(api.put("/api/exchanges/%2F/plain", R"({"type":"fanout"})").status, 201u);
    WsClient ws(warren.port());
    auto refused = [&](json::object op, std::string_view error, std::string_view words) {
        op["op"] = "subscribe";
        op["id"] = "g";
        ws.send(op);
        auto e = ws.expect("error");
        EXPECT_EQ(e.at("error").as_string(), error) << json::serialize(op);
        EXPECT_NE(std::string(e.at("reason").as_string()).find(words), std::string::npos)
            << e.at("reason");
    };
    refused({{"exchange", "plain"}, {"group", "g1"}}, "bad_request", "is not a topic");
    refused({{"exchange", "nope"}, {"group", "g1"}}, "not_found", "no exchange 'nope'");
    refused({{"queue", "orders-0"}, {"group", "g1"}}, "bad_request", "subscribe to its exchange");
    refused({{"exchange", "orders"}, {"group", ""}}, "bad_request", "'group'");
    refused({{"exchange", "orders"}, {"group", 7}}, "bad_request", "'group'");
    refused({{"exchange", "orders"}, {"group", "g1"}, {"consumer", "c"}}, "bad_request",
            "'consumer' does not apply");
    refused({{"exchange", "orders"}, {"group", "g1"}, {"offset", "sideways"}}, "bad_request",
            "'offset'");
    // An x-partitions argument that makes no sense is refused at declaration.
    auto bad = api.put("/api/exchanges/%2F/t2",
                       R"({"type":"x-consistent-hash","arguments":{"x-partitions":0}})");
    EXPECT_EQ(bad.status, 400u);
    EXPECT_NE(bad.body.find("x-partitions"), std::string::npos) << bad.body;
}

} // namespace
} // namespace warren::test
