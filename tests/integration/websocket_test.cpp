// GET /ws against the real binary: subscribe, deliveries, acks and redeliveries, prefetch,
// competing consumers, exchange subscriptions, publisher confirms, cancellation and shutdown.
// Authentication and bad input are in websocket_auth_test.cpp, load and bounds in
// websocket_load_test.cpp.

#include <csignal>
#include <set>

#include "tests/integration/support/ws_fixture.hpp"

namespace warren::test {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

using WebSocket = WsTest;

TEST_F(WebSocket, SubscribeReceiveAndAck) {
    put_queue("orders");
    ASSERT_TRUE(publish_http("amq.default", "orders", R"({"id":1})"));
    auto ws = connect();
    auto subscribed = subscribe(*ws, "s1", "orders");
    EXPECT_EQ(subscribed, json::parse(R"({"type":"subscribed","id":"s1","queue":"orders"})"));
    auto m = ws->expect("message");
    EXPECT_EQ(m.at("sub"), "s1");
    EXPECT_EQ(m.at("exchange"), "");
    EXPECT_EQ(m.at("routing_key"), "orders");
    EXPECT_EQ(m.at("redelivered"), false);
    EXPECT_EQ(m.at("delivery_count"), 1);
    EXPECT_EQ(m.at("payload"), R"({"id":1})");
    EXPECT_EQ(m.at("payload_encoding"), "string");
    EXPECT_EQ(m.at("properties").at("delivery_mode"), 2);
    EXPECT_EQ(queue_info("orders")->at("messages_unacknowledged"), 1);
    ack(*ws, tag_of(m));
    EXPECT_TRUE(ws->sync().empty()); // no error for the ack
    EXPECT_EQ(queue_messages("orders"), 0);
}

TEST_F(WebSocket, NackWithRequeueRedelivers) {
    put_queue("q");
    ASSERT_TRUE(publish_http("amq.default", "q", "again"));
    auto ws = connect();
    subscribe(*ws, "s", "q", {{"prefetch", 1}});
    auto first = ws->expect("message");
    ws->send(json::object{{"op", "nack"}, {"tag", tag_of(first)}, {"requeue", true}});
    auto second = ws->expect("message");
    EXPECT_EQ(second.at("payload"), "again");
    EXPECT_EQ(second.at("redelivered"), true);
    EXPECT_EQ(second.at("delivery_count"), 2);
    EXPECT_EQ(second.at("properties").at("headers").at("x-delivery-count"), 1);
    EXPECT_NE(tag_of(second), tag_of(first));
    ws->send(json::object{{"op", "reject"}, {"tag", tag_of(second)}, {"requeue", false}});
    EXPECT_TRUE(ws->sync().empty());
    EXPECT_EQ(queue_messages("q"), 0);
}

TEST_F(WebSocket, ClosingWithUnackedMessagesRedeliversThemToAnotherConsumer) {
    put_queue("q");
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(publish_http("amq.default", "q", "m" + std::to_string(i)));
    }
    for (bool abrupt : {false, true}) {
        SCOPED_TRACE(abrupt ? "dropped" : "closed");
        auto a = connect();
        subscribe(*a, "a", "q");
        for (int i = 0; i < 3; ++i) {
            a->expect("message");
        }
        abrupt ? a->drop() : a->close();
        auto b = connect();
        subscribe(*b, "b", "q");
        std::set<std::string> payloads;
        for (int i = 0; i < 3; ++i) {
            auto m = b->expect("message");
            EXPECT_EQ(m.at("redelivered"), true);
            payloads.insert(std::string(m.at("payload").as_string()));
        }
        EXPECT_EQ(payloads, (std::set<std::string>{"m0", "m1", "m2"}));
        b->close(); // unacked again: the next round gets them too
    }
}

TEST_F(WebSocket, PrefetchIsNeverExceeded) {
    put_queue("q");
    for (int i = 0; i < 40; ++i) {
        ASSERT_TRUE(publish_http("amq.default", "q", std::to_string(i), 1));
    }
    auto ws = connect();
    subscribe(*ws, "s", "q", {{"prefetch", 5}});
    std::set<std::int64_t> unacked;
    std::size_t received = 0;
    std::size_t max_unacked = 0;
    while (received < 40) {
        auto m = ws->read(2s);
        ASSERT_TRUE(m) << "stalled after " << received;
        ASSERT_EQ(m->at("type"), "message");
        unacked.insert(tag_of(*m));
        ++received;
        max_unacked = std::max(max_unacked, unacked.size());
        if (unacked.size() == 5) {
            if (received % 10 == 5) { // now and then: nothing more comes while the window is full
                EXPECT_FALSE(ws->read(100ms)) << "a delivery beyond the prefetch";
            }
            ack(*ws, *unacked.begin());
            unacked.erase(unacked.begin());
        }
    }
    EXPECT_EQ(max_unacked, 5u);
    ack(*ws, *unacked.rbegin(), true);
    EXPECT_TRUE(ws->sync().empty());
    EXPECT_EQ(queue_messages("q"), 0);
}

TEST_F(WebSocket, AutoAckNeedsNoAcks) {
    put_queue("q");
    for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(publish_http("amq.default", "q", std::to_string(i)));
    }
    auto ws = connect();
    subscribe(*ws, "s", "q", {{"ack", "auto"}});
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(ws->expect("message").at("payload").as_string(), std::to_string(i));
    }
    EXPECT_TRUE(wait_until([&] { return queue_messages("q") == 0; }));
}

TEST_F(WebSocket, CompetingConsumersShareAQueueRoundRobin) {
    put_queue("work");
    auto a = connect();
    auto b = connect();
    subscribe(*a, "a", "work");
    subscribe(*b, "b", "work");
    for (int i = 0; i < 20; ++i) {
        ASSERT_TRUE(publish_http("amq.default", "work", std::to_string(i), 1));
    }
    std::set<std::string> all;
    for (auto* ws : {a.get(), b.get()}) {
        for (int i = 0; i < 10; ++i) {
            all.insert(std::string(ws->expect("message").at("payload").as_string()));
        }
        EXPECT_TRUE(ws->sync().empty()) << "more than its half";
    }
    EXPECT_EQ(all.size(), 20u);
}

TEST_F(WebSocket, ExchangeSubscriptionGetsItsOwnQueueThatGoesAway) {
    put_exchange("events", "topic");
    auto ws = connect();
    ws->send(json::object{
        {"op", "subscribe"}, {"id", "s2"}, {"exchange", "events"}, {"binding_key", "order.*"}});
    auto subscribed = ws->expect("subscribed");
    const std::string queue(subscribed.at("queue").as_string());
    EXPECT_TRUE(queue.starts_with("amq.gen-")) << queue;
    auto info = queue_info(queue);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->at("exclusive"), true);
    EXPECT_EQ(info->at("auto_delete"), true);
    EXPECT_EQ(info->at("durable"), false);

    ws->send(json::object{{"op", "publish"},
                          {"exchange", "events"},
                          {"routing_key", "user.created"},
                          {"payload", "no"}});
    EXPECT_TRUE(publish_http("events", "order.created", "yes"));
    auto m = ws->expect("message");
    EXPECT_EQ(m.at("sub"), "s2");
    EXPECT_EQ(m.at("exchange"), "events");
    EXPECT_EQ(m.at("routing_key"), "order.created");
    EXPECT_EQ(m.at("payload"), "yes");
    EXPECT_TRUE(ws->sync().empty()); // user.created did not match

    ws->send(json::object{{"op", "unsubscribe"}, {"id", "s2"}});
    EXPECT_TRUE(ws->sync().empty());
    EXPECT_FALSE(queue_info(queue)) << "the queue outlived its subscription";
    EXPECT_FALSE(publish_http("events", "order.created", "nobody"));

    // And when the socket closes instead.
    ws->send(json::object{{"op", "subscribe"}, {"id", "s3"}, {"exchange", "amq.fanout"}});
    const std::string second(ws->expect("subscribed").at("queue").as_string());
    EXPECT_TRUE(queue_info(second));
    ws->close();
    EXPECT_TRUE(wait_until([&] { return !queue_info(second); }));
}

TEST_F(WebSocket, HeadersExchangeSubscriptionTakesBindingArguments) {
    auto ws = connect();
    ws->send(json::object{{"op", "subscribe"},
                          {"id", "h"},
                          {"exchange", "amq.headers"},
                          {"arguments", json::object{{"x-match", "all"}, {"kind", "a"}}}});
    ws->expect("subscribed");
    ws->send(json::parse(R"({"op":"publish","exchange":"amq.headers","payload":"b",
        "properties":{"headers":{"kind":"b"}}})"));
    ws->send(json::parse(R"({"op":"publish","exchange":"amq.headers","payload":"a",
        "properties":{"headers":{"kind":"a"}}})"));
    EXPECT_EQ(ws->expect("message").at("payload"), "a");
    EXPECT_TRUE(ws->sync().empty());
}

TEST_F(WebSocket, ConfirmsArriveInPublishOrder) {
    put_queue("durable");
    auto ws = connect();
    constexpr int kCount = 300;
    for (int i = 0; i < kCount; ++i) {
        const bool unroutable = i % 10 == 3;
        ws->send(json::object{{"op", "publish"},
                              {"exchange", i % 2 == 0 ? "" : "amq.default"},
                              {"routing_key", unroutable ? "nowhere" : "durable"},
                              {"payload", "m" + std::to_string(i)},
                              // transient ones are confirmed at once, yet wait their turn
                              {"properties", json::object{{"delivery_mode", i % 3 == 0 ? 1 : 2}}},
                              {"confirm", i}});
    }
    int expected_routed = 0;
    for (int i = 0; i < kCount; ++i) {
        auto c = ws->expect("confirm");
        ASSERT_EQ(c.at("confirm"), i);
        EXPECT_EQ(c.at("routed"), i % 10 != 3) << i;
        expected_routed += i % 10 != 3;
    }
    EXPECT_EQ(queue_messages("durable"), expected_routed);
    // A string confirm id is echoed as given.
    ws->send(json::parse(R"({"op":"publish","exchange":"","routing_key":"x","confirm":"c-1"})"));
    EXPECT_EQ(ws->expect("confirm").at("confirm"), "c-1");
}

TEST_F(WebSocket, ConfirmedMessagesSurviveACrash) {
    put_queue("keep");
    auto ws = connect();
    for (int i = 0; i < 20; ++i) {
        ws->send(json::object{{"op", "publish"},
                              {"exchange", ""},
                              {"routing_key", "keep"},
                              {"payload", std::to_string(i)},
                              {"properties", json::object{{"delivery_mode", 2}}},
                              {"confirm", i}});
    }
    for (int i = 0; i < 20; ++i) {
        ASSERT_EQ(ws->expect("confirm").at("confirm"), i);
    }
    ws.reset();
    warren.kill9();
    warren.restart();
    HttpClient after(warren.port());
    auto r = after.get("/api/queues/%2F/keep");
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.json().at("messages"), 20);
}

TEST_F(WebSocket, RejectPublishOverflowAnswersAnErrorForThatConfirm) {
    put_queue("small",
              R"({"durable":true,"arguments":{"x-max-length":1,"x-overflow":"reject-publish"}})");
    auto ws = connect();
    for (int i = 1; i <= 2; ++i) {
        ws->send(json::object{{"op", "publish"},
                              {"exchange", ""},
                              {"routing_key", "small"},
                              {"payload", "x"},
                              {"confirm", i}});
    }
    EXPECT_EQ(ws->expect("confirm").at("confirm"), 1);
    auto e = ws->expect("error");
    EXPECT_EQ(e.at("error"), "rejected");
    EXPECT_EQ(e.at("confirm"), 2);
}

TEST_F(WebSocket, DeletingTheQueueCancelsTheSubscription) {
    put_queue("doomed");
    auto ws = connect();
    subscribe(*ws, "s1", "doomed");
    auto r = http.request(http::verb::delete_, "/api/queues/%2F/doomed");
    ASSERT_EQ(r.status, 204u) << r.body;
    auto cancelled = ws->expect("cancelled");
    EXPECT_EQ(cancelled.at("id"), "s1");
    EXPECT_EQ(cancelled.at("queue"), "doomed");
    // The id is free again, and the socket still works.
    put_queue("doomed");
    subscribe(*ws, "s1", "doomed");
}

TEST_F(WebSocket, ConnectionsAndConsumersAreListed) {
    put_queue("q");
    auto ws = connect();
    subscribe(*ws, "listed", "q");
    auto r = http.get("/api/connections");
    ASSERT_EQ(r.status, 200u) << r.body;
    const json::array connections = r.json().as_array();
    ASSERT_EQ(connections.size(), 1u);
    EXPECT_EQ(connections[0].at("user"), "guest");
    const std::string name(connections[0].at("name").as_string());
    EXPECT_NE(name.find("127.0.0.1:"), std::string::npos) << name;
    EXPECT_NE(name.find(" -> 127.0.0.1:" + std::to_string(warren.port())), std::string::npos)
        << name;
    auto c = http.get("/api/consumers");
    ASSERT_EQ(c.status, 200u) << c.body;
    ASSERT_EQ(c.json().as_array().size(), 1u);
    EXPECT_EQ(c.json().as_array()[0].at("consumer_tag"), "listed");
    ws->close();
    EXPECT_TRUE(wait_until([&] { return http.get("/api/connections").json().as_array().empty(); }));
}

TEST_F(WebSocket, ShutdownSendsGoingAwayAndExitsCleanly) {
    put_queue("q");
    auto ws = connect();
    subscribe(*ws, "s", "q");
    warren.signal(SIGTERM);
    EXPECT_TRUE(ws->wait_closed());
    EXPECT_EQ(ws->close_code(), 1001); // going away
    EXPECT_EQ(warren.wait_exit(5s), 0);
}

} // namespace
} // namespace warren::test

namespace warren::test {
namespace {

// A client that stops reading (so it never answers the server's pings) is dropped after
// --ws-idle-timeout, and its unacked delivery goes back to the queue; one that keeps reading
// stays, however silent it is.
TEST(WebSocketLiveness, ASilentDeadClientIsDroppedAndItsDeliveryRequeued) {
    WarrenProcess warren({"--ws-ping-interval", "1", "--ws-idle-timeout", "2"});
    HttpClient http(warren.port());
    ASSERT_EQ(
        http.request(boost::beast::http::verb::put, "/api/queues/%2F/live", R"({"durable":true})")
            .status,
        201u);
    WsClient dead(warren.port());
    WsClient alive(warren.port());
    dead.send(boost::json::parse(
        R"({"op":"subscribe","id":"d","vhost":"/","queue":"live","prefetch":1})"));
    ASSERT_EQ(dead.expect("subscribed").at("id"), "d");
    auto r = http.request(boost::beast::http::verb::post, "/api/exchanges/%2F/amq.default/publish",
                          R"({"routing_key":"live","payload":"x","payload_encoding":"string",)"
                          R"("properties":{"delivery_mode":2}})");
    ASSERT_EQ(r.status, 200u) << r.body;
    ASSERT_EQ(dead.expect("message").at("payload"), "x");

    // `dead` now reads nothing (no pongs); `alive` keeps reading, so it answers pings.
    const auto until = std::chrono::steady_clock::now() + 4s;
    while (std::chrono::steady_clock::now() < until) {
        (void)alive.read(200ms);
    }
    EXPECT_FALSE(alive.closed());
    auto connections = http.get("/api/connections").json().as_array();
    EXPECT_EQ(connections.size(), 1u) << boost::json::serialize(connections);
    auto queue = http.get("/api/queues/%2F/live").json();
    EXPECT_EQ(queue.at("messages_ready"), 1) << queue;
    EXPECT_EQ(queue.at("messages_unacknowledged"), 0) << queue;
}

} // namespace
} // namespace warren::test
