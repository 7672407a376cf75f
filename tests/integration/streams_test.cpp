// Stream queues (DESIGN.md section 7) against the real binary: declaration rules, reading by
// every kind of offset over HTTP and WebSocket before and after a kill -9, named consumers that
// resume after out-of-order acks (a gap holds the stored offset back), standby takeover,
// retention under a reader at the old end, and a replay long enough to come from the store
// rather than the in-memory tail.

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

// Publishes payloads "<prefix><i>" for i in [from, to) to queue `queue` through the default
// exchange, in HTTP batches of up to 1000 (each batch answered after its commit).
void publish(Api& api, std::string_view queue, int from, int to, std::string_view prefix = "m") {
    for (int start = from; start < to; start += 1000) {
        json::array batch;
        for (int i = start; i < std::min(to, start + 1000); ++i) {
            batch.push_back({{"properties", json::object{}},
                             {"routing_key", queue},
                             {"payload", std::string(prefix) + std::to_string(i)},
                             {"payload_encoding", "string"}});
        }
        auto reply = api.post("/api/exchanges/%2F/amq.default/publish", json::serialize(batch));
        ASSERT_EQ(reply.status, 200u) << reply.body;
    }
}

void declare_stream(Api& api, std::string_view name, json::object extra = {}) {
    json::object arguments{{"x-queue-type", "stream"}};
    for (auto& [k, v] : extra) {
        arguments[k] = v;
    }
    auto reply =
        api.put("/api/queues/%2F/" + std::string(name),
                json::serialize(json::object{{"durable", true}, {"arguments", arguments}}));
    ASSERT_EQ(reply.status, 201u) << reply.body;
}

std::vector<std::int64_t> offsets_of(const json::value& page) {
    std::vector<std::int64_t> out;
    for (const auto& m : page.at("messages").as_array()) {
        out.push_back(m.at("offset").to_number<std::int64_t>());
    }
    return out;
}

// Subscribes `ws` to stream `queue` with the given extra fields; expects `subscribed`.
void subscribe(WsClient& ws, std::string_view queue, json::object extra) {
    json::object op{{"op", "subscribe"}, {"id", "s"}, {"queue", queue}, {"prefetch", 100}};
    for (auto& [k, v] : extra) {
        op[k] = v;
    }
    ws.send(op);
    ws.expect("subscribed");
}

// Reads `n` deliveries; returns their offsets (checks each carries a timestamp).
std::vector<std::int64_t> receive(WsClient& ws, int n, std::vector<std::int64_t>* tags = nullptr) {
    std::vector<std::int64_t> offsets;
    for (int i = 0; i < n; ++i) {
        auto m = ws.expect("message");
        EXPECT_GT(m.at("timestamp").to_number<std::int64_t>(), 0);
        offsets.push_back(m.at("offset").to_number<std::int64_t>());
        if (tags != nullptr) {
            tags->push_back(m.at("tag").to_number<std::int64_t>());
        }
    }
    return offsets;
}

std::vector<std::int64_t> range(std::int64_t from, std::int64_t to) {
    std::vector<std::int64_t> out;
    for (auto i = from; i < to; ++i) {
        out.push_back(i);
    }
    return out;
}

TEST(Streams, DeclarationRulesAsRabbitMQ) {
    WarrenProcess warren;
    Api api(warren.port());
    declare_stream(api, "ok",
                   {{"x-max-age", "7D"},
                    {"x-max-length-bytes", 1000000},
                    {"x-stream-max-segment-size-bytes", 100000}});
    auto view = api.get_json("/api/queues/%2F/ok");
    EXPECT_EQ(view.at("type"), "stream");
    EXPECT_EQ(view.at("stream").at("max_age_ms"), 7LL * 24 * 3600 * 1000);
    const std::pair<const char*, const char*> refused[] = {
        {R"({"durable":false,"arguments":{"x-queue-type":"stream"}})", "non-durable"},
        {R"({"durable":true,"auto_delete":true,"arguments":{"x-queue-type":"stream"}})",
         "auto-delete"},
        {R"({"durable":true,"arguments":{"x-queue-type":"stream","x-message-ttl":5}})",
         "x-message-ttl"},
        {R"({"durable":true,"arguments":{"x-queue-type":"stream","x-max-length":5}})",
         "x-max-length"},
        {R"({"durable":true,"arguments":{"x-queue-type":"stream","x-dead-letter-exchange":"d"}})",
         "x-dead-letter-exchange"},
        {R"({"durable":true,"arguments":{"x-queue-type":"stream","x-overflow":"drop-head"}})",
         "x-overflow"},
        {R"({"durable":true,"arguments":{"x-queue-type":"stream","x-max-age":"7X"}})", "x-max-age"},
        {R"({"durable":true,"arguments":{"x-queue-type":"stream","x-max-age":7}})", "x-max-age"},
        {R"({"durable":true,"arguments":{"x-queue-type":"stream","x-max-length-bytes":-1}})",
         "x-max-length-bytes"},
        {R"({"durable":true,"arguments":{"x-max-age":"7D"}})", "x-max-age"},
    };
    for (const auto& [body, word] : refused) {
        auto reply = api.put("/api/queues/%2F/bad", body);
        expect_api_error(reply, 400, "bad_request");
        EXPECT_NE(reply.body.find(word), std::string::npos) << body << " -> " << reply.body;
    }
    EXPECT_EQ(api.get("/api/queues/%2F/bad").status, 404u);
    // A stream is read by offset: no get, no purge.
    publish(api, "ok", 0, 3);
    expect_api_error(api.post("/api/queues/%2F/ok/get",
                              R"({"count":1,"ackmode":"ack_requeue_true","encoding":"auto"})"),
                     405, "method_not_allowed");
    expect_api_error(api.del("/api/queues/%2F/ok/contents"), 405, "method_not_allowed");
    EXPECT_EQ(api.get_json("/api/queues/%2F/ok").at("messages"), 3);
}

TEST(Streams, HttpPollFromEveryOffsetKindBeforeAndAfterKill9) {
    WarrenProcess warren;
    Api api(warren.port());
    declare_stream(api, "log");
    publish(api, "log", 0, 5);
    const auto middle = api.get_json("/api/streams/%2F/log/messages?offset=2&count=1");
    const std::int64_t t2 = middle.at("messages").at(0).at("timestamp").to_number<std::int64_t>();
    publish(api, "log", 5, 10);

    auto check = [&](Api& client) {
        auto first = client.get_json("/api/streams/%2F/log/messages?offset=first&count=4");
        EXPECT_EQ(offsets_of(first), range(0, 4));
        EXPECT_EQ(first.at("next_offset"), 4);
        EXPECT_EQ(first.at("messages").at(0).at("payload"), "m0");
        EXPECT_EQ(offsets_of(client.get_json("/api/streams/%2F/log/messages?offset=4")),
                  range(4, 10));
        EXPECT_EQ(offsets_of(client.get_json("/api/streams/%2F/log/messages?offset=last")),
                  std::vector<std::int64_t>{9});
        auto next = client.get_json("/api/streams/%2F/log/messages?offset=next");
        EXPECT_TRUE(next.at("messages").as_array().empty());
        EXPECT_EQ(next.at("next_offset"), 10);
        auto by_time = client.get_json(
            "/api/streams/%2F/log/messages?offset=timestamp:" + std::to_string(t2) + "&count=1000");
        ASSERT_FALSE(by_time.at("messages").as_array().empty());
        EXPECT_LE(offsets_of(by_time).front(), 2); // appends in the same ms may come first
        EXPECT_EQ(offsets_of(by_time).back(), 9);
        auto summary = client.get_json("/api/streams/%2F/log");
        EXPECT_EQ(summary.at("first_offset"), 0);
        EXPECT_EQ(summary.at("last_offset"), 9);
        EXPECT_EQ(summary.at("messages"), 10);
    };
    check(api);
    warren.kill9();
    warren.restart();
    Api after(warren.port());
    check(after);
    // New appends go on from the next offset.
    publish(after, "log", 10, 11);
    EXPECT_EQ(offsets_of(after.get_json("/api/streams/%2F/log/messages?offset=last")),
              std::vector<std::int64_t>{10});
}

TEST(Streams, BadOffsetsAndUnknownStreamsGetClearErrors) {
    WarrenProcess warren;
    Api api(warren.port());
    declare_stream(api, "log");
    ASSERT_EQ(api.put("/api/queues/%2F/plain", R"({"durable":true})").status, 201u);
    for (const char* q : {"?offset=-1", "?offset=abc", "?offset=timestamp:x", "?count=0",
                          "?count=1001", "?count=x"}) {
        expect_api_error(api.get(std::string("/api/streams/%2F/log/messages") + q), 400,
                         "bad_request");
    }
    EXPECT_EQ(api.get("/api/streams/%2F/missing/messages").status, 404u);
    EXPECT_EQ(api.get("/api/streams/%2F/missing").status, 404u);
    expect_api_error(api.get("/api/streams/%2F/plain/messages"), 400, "bad_request");
    expect_api_error(api.put("/api/streams/%2F/log/consumers/c", R"({"offset":-1})"), 400,
                     "bad_request");
    expect_api_error(api.put("/api/streams/%2F/log/consumers/c", R"({"offset":"1"})"), 400,
                     "bad_request");
    EXPECT_EQ(api.get("/api/streams/%2F/log/consumers/never").status, 404u);

    WsClient ws(warren.port());
    for (const char* offset : {R"("middle")", "-3", R"({"timestamp":"x"})", R"({"ts":1})"}) {
        ws.send(json::parse(std::string(R"({"op":"subscribe","id":"s","queue":"log","offset":)") +
                            offset + "}"));
        auto error = ws.expect("error");
        EXPECT_EQ(error.at("error"), "bad_request") << offset;
    }
    ws.send(json::parse(R"({"op":"subscribe","id":"s","queue":"plain","offset":"first"})"));
    EXPECT_EQ(ws.expect("error").at("error"), "bad_request");
    ws.send(json::parse(R"({"op":"subscribe","id":"s","queue":"log","consumer":""})"));
    EXPECT_EQ(ws.expect("error").at("error"), "bad_request");
    // The socket still works.
    subscribe(ws, "log", {{"offset", "first"}});
}

TEST(Streams, WebSocketSubscribeFromEveryOffsetKind) {
    WarrenProcess warren;
    Api api(warren.port());
    declare_stream(api, "log");
    publish(api, "log", 0, 5);
    const std::int64_t t3 = api.get_json("/api/streams/%2F/log/messages?offset=3&count=1")
                                .at("messages")
                                .at(0)
                                .at("timestamp")
                                .to_number<std::int64_t>();
    {
        WsClient ws(warren.port());
        subscribe(ws, "log", {{"offset", "first"}, {"ack", "auto"}});
        EXPECT_EQ(receive(ws, 5), range(0, 5));
    }
    {
        WsClient ws(warren.port());
        subscribe(ws, "log", {{"offset", 3}, {"ack", "auto"}});
        EXPECT_EQ(receive(ws, 2), range(3, 5));
    }
    {
        WsClient ws(warren.port());
        subscribe(ws, "log", {{"offset", "last"}, {"ack", "auto"}});
        EXPECT_EQ(receive(ws, 1), std::vector<std::int64_t>{4});
    }
    {
        WsClient ws(warren.port());
        subscribe(ws, "log", {{"offset", json::object{{"timestamp", t3}}}, {"ack", "auto"}});
        auto got = receive(ws, 1);
        EXPECT_LE(got.front(), 3);
    }
    // "next" (the default): only what comes after the subscribe.
    WsClient ws(warren.port());
    subscribe(ws, "log", {{"ack", "auto"}});
    ws.sync();
    publish(api, "log", 5, 7);
    EXPECT_EQ(receive(ws, 2), range(5, 7));
    EXPECT_TRUE(ws.sync().empty());
}

TEST(Streams, NamedConsumerResumesAfterItsContiguousAcksAcrossKill9) {
    WarrenProcess warren;
    Api api(warren.port());
    declare_stream(api, "log");
    publish(api, "log", 0, 10);
    {
        WsClient ws(warren.port());
        subscribe(ws, "log", {{"offset", "first"}, {"consumer", "billing"}, {"prefetch", 10}});
        std::vector<std::int64_t> tags;
        EXPECT_EQ(receive(ws, 10, &tags), range(0, 10));
        // Acks 0, 1, 2, then 5 and 6: the gap at 3 and 4 holds the stored offset at 2.
        for (int i : {0, 1, 2, 5, 6}) {
            ws.send(json::object{{"op", "ack"}, {"tag", tags[static_cast<std::size_t>(i)]}});
        }
        ws.sync();
        // The stored offset is committed with the acks' batch: wait for it.
        ASSERT_TRUE(wait_until([&] {
            auto r = api.get("/api/streams/%2F/log/consumers/billing");
            return r.status == 200 && r.json().at("offset") == 2;
        }));
        EXPECT_EQ(api.get_json("/api/streams/%2F/log/consumers/billing").at("lag"), 7);
        ws.drop();
    }
    warren.kill9();
    warren.restart();
    Api after(warren.port());
    EXPECT_EQ(after.get_json("/api/streams/%2F/log/consumers/billing").at("offset"), 2);
    EXPECT_EQ(after.get_json("/api/streams/%2F/log").at("consumers").at(0).at("name"), "billing");
    WsClient ws(warren.port());
    subscribe(ws, "log", {{"consumer", "billing"}, {"prefetch", 10}});
    std::vector<std::int64_t> tags;
    EXPECT_EQ(receive(ws, 7, &tags), range(3, 10)); // 5 and 6 again: 3 and 4 were never acked
    ws.send(json::object{{"op", "ack"}, {"tag", tags.back()}, {"multiple", true}});
    ws.sync();
    ASSERT_TRUE(wait_until([&] {
        return after.get_json("/api/streams/%2F/log/consumers/billing").at("offset") == 9;
    }));
    // An HTTP commit moves it too, and a new subscriber of the name starts after it.
    ASSERT_EQ(after.put("/api/streams/%2F/log/consumers/audit", R"({"offset":6})").status, 204u);
    WsClient audit(warren.port());
    subscribe(audit, "log", {{"consumer", "audit"}, {"ack", "auto"}});
    EXPECT_EQ(receive(audit, 3), range(7, 10));
}

TEST(Streams, AcksAfterUnsubscribeStillMoveTheNamedOffset) {
    // warrenctl consume --count does this: unsubscribe first (so the last ack opens no window to
    // more deliveries), then ack what it printed. AMQP allows acks after basic.cancel too.
    WarrenProcess warren;
    Api api(warren.port());
    declare_stream(api, "log");
    publish(api, "log", 0, 4);
    WsClient ws(warren.port());
    subscribe(ws, "log", {{"offset", "first"}, {"consumer", "c"}, {"prefetch", 2}});
    std::vector<std::int64_t> tags;
    EXPECT_EQ(receive(ws, 2, &tags), range(0, 2));
    ws.send(json::object{{"op", "unsubscribe"}, {"id", "s"}});
    ws.send(json::object{{"op", "ack"}, {"tag", tags[1]}, {"multiple", true}});
    ws.sync();
    ASSERT_TRUE(wait_until([&] {
        auto r = api.get("/api/streams/%2F/log/consumers/c");
        return r.status == 200 && r.json().at("offset") == 1;
    }));
    WsClient next(warren.port());
    subscribe(next, "log", {{"consumer", "c"}, {"ack", "auto"}});
    EXPECT_EQ(receive(next, 2), range(2, 4));
}

TEST(Streams, AStandbyTakesOverWhereTheActiveConsumerStopped) {
    WarrenProcess warren;
    Api api(warren.port());
    declare_stream(api, "log");
    publish(api, "log", 0, 6);
    WsClient active(warren.port());
    subscribe(active, "log", {{"offset", "first"}, {"consumer", "c"}, {"prefetch", 10}});
    std::vector<std::int64_t> tags;
    EXPECT_EQ(receive(active, 6, &tags), range(0, 6));
    WsClient standby(warren.port());
    subscribe(standby, "log", {{"consumer", "c"}, {"prefetch", 10}});
    EXPECT_TRUE(standby.sync().empty()) << "a standby receives nothing while the first is active";
    active.send(json::object{{"op", "ack"}, {"tag", tags[2]}, {"multiple", true}}); // 0..2
    active.sync();
    active.close();
    // It takes over after the stored offset: 3, 4, 5 come to it.
    EXPECT_EQ(receive(standby, 3), range(3, 6));
}

TEST(Streams, RetentionDropsWholeSegmentsButNotUnderAReader) {
    WarrenProcess warren;
    Api api(warren.port());
    // Segments of ~100 bytes (a few 40-byte messages), at most 1000 bytes kept.
    declare_stream(api, "log",
                   {{"x-stream-max-segment-size-bytes", 100}, {"x-max-length-bytes", 1000}});
    const std::string pad(38, 'x');
    publish(api, "log", 0, 3, pad);
    // A reader at the old end holds its segment: it is there, at offset 0.
    WsClient reader(warren.port());
    subscribe(reader, "log", {{"offset", "first"}, {"prefetch", 1}});
    auto m = reader.expect("message");
    EXPECT_EQ(m.at("offset"), 0);
    publish(api, "log", 3, 100, pad);
    auto held = api.get_json("/api/streams/%2F/log");
    EXPECT_EQ(held.at("first_offset"), 0) << held;
    EXPECT_GT(held.at("bytes").to_number<std::int64_t>(), 1000);
    // Once it leaves, the next append trims to the limit, whole segments at a time.
    reader.close();
    ASSERT_TRUE(wait_until([&] { return api.get_json("/api/consumers").as_array().empty(); }));
    publish(api, "log", 100, 101, pad);
    auto trimmed = api.get_json("/api/streams/%2F/log");
    EXPECT_GT(trimmed.at("first_offset").to_number<std::int64_t>(), 0) << trimmed;
    EXPECT_LE(trimmed.at("bytes").to_number<std::int64_t>(), 1000 + 100) << trimmed;
    EXPECT_EQ(trimmed.at("last_offset"), 100);
    // What is left reads back from the new first offset, and survives a restart.
    auto first = api.get_json("/api/streams/%2F/log/messages?offset=first&count=1000");
    EXPECT_EQ(offsets_of(first).front(), trimmed.at("first_offset").to_number<std::int64_t>());
    EXPECT_EQ(offsets_of(first).back(), 100);
    warren.kill9();
    warren.restart();
    Api after(warren.port());
    EXPECT_EQ(after.get_json("/api/streams/%2F/log").at("first_offset"),
              trimmed.at("first_offset"));
    EXPECT_EQ(offsets_of(after.get_json("/api/streams/%2F/log/messages?offset=0&count=1000")),
              offsets_of(first));
}

TEST(Streams, AReplayLongerThanTheMemoryTailComesFromTheStoreInOrder) {
    WarrenProcess warren;
    Api api(warren.port());
    declare_stream(api, "log");
    constexpr int kMessages = 40000; // more than StreamLog::kCacheEntries
    publish(api, "log", 0, kMessages);
    WsClient ws(warren.port());
    subscribe(ws, "log", {{"offset", "first"}, {"prefetch", 1000}});
    std::int64_t expected = 0;
    while (expected < kMessages) {
        auto m = ws.expect("message");
        ASSERT_EQ(m.at("offset"), expected);
        ASSERT_EQ(m.at("payload").as_string(), "m" + std::to_string(expected));
        ws.send(json::object{{"op", "ack"}, {"tag", m.at("tag")}});
        ++expected;
    }
    // After a restart nothing is in memory: all of it from the store.
    warren.kill9();
    warren.restart();
    WsClient again(warren.port());
    subscribe(again, "log", {{"offset", 12345}, {"prefetch", 1000}, {"ack", "auto"}});
    for (std::int64_t o = 12345; o < kMessages; ++o) {
        auto m = again.expect("message");
        ASSERT_EQ(m.at("offset"), o);
    }
}

} // namespace
} // namespace warren::test
