#pragma once

// WsTest: a fresh warren (port 0, temp data dir) per test, an HttpClient to set things up, and
// helpers to open WebSocket clients and speak the protocol of DESIGN.md section 4.

#include <memory>
#include <optional>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/wait_until.hpp"
#include "tests/integration/support/warren_process.hpp"
#include "tests/integration/support/ws_client.hpp"

namespace warren::test {

class WsTest : public ::testing::Test {
protected:
    using Object = boost::json::object;

    // Clients closing, dropping or misbehaving are normal: none of it is a server error.
    void TearDown() override {
        const std::string out = warren.output();
        EXPECT_EQ(out.find("[error]"), std::string::npos) << out;
        EXPECT_EQ(out.find("[critical]"), std::string::npos) << out;
    }

    std::unique_ptr<WsClient> connect(std::shared_ptr<boost::asio::io_context> ioc = nullptr) {
        return std::make_unique<WsClient>(warren.port(), "/ws", kGuest, std::move(ioc));
    }

    void put_queue(const std::string& name, const std::string& body = R"({"durable":true})") {
        auto r = http.request(boost::beast::http::verb::put, "/api/queues/%2F/" + name, body);
        ASSERT_TRUE(r.status == 201 || r.status == 204) << r.status << " " << r.body;
    }

    void put_exchange(const std::string& name, const std::string& type) {
        auto r = http.request(boost::beast::http::verb::put, "/api/exchanges/%2F/" + name,
                              R"({"type":")" + type + R"(","durable":true})");
        ASSERT_TRUE(r.status == 201 || r.status == 204) << r.status << " " << r.body;
    }

    // Publishes over HTTP (persistent by default); returns whether it was routed.
    bool publish_http(const std::string& exchange, const std::string& key,
                      const std::string& payload, int delivery_mode = 2) {
        Object body{{"properties", Object{{"delivery_mode", delivery_mode}}},
                    {"routing_key", key},
                    {"payload", payload},
                    {"payload_encoding", "string"}};
        auto r = http.request(boost::beast::http::verb::post,
                              "/api/exchanges/%2F/" + exchange + "/publish",
                              boost::json::serialize(body));
        EXPECT_EQ(r.status, 200u) << r.body;
        return r.status == 200 && r.json().at("routed").as_bool();
    }

    // GET /api/queues/%2F/{name}: the queue, or nullopt when it does not exist (404).
    std::optional<Object> queue_info(const std::string& name) {
        auto r = http.get("/api/queues/%2F/" + name);
        if (r.status == 404) {
            return std::nullopt;
        }
        EXPECT_EQ(r.status, 200u) << r.body;
        return r.json().as_object();
    }

    std::int64_t queue_messages(const std::string& name) {
        auto q = queue_info(name);
        return q ? q->at("messages").to_number<std::int64_t>() : -1;
    }

    // Sends a subscribe and returns the `subscribed` frame.
    static Object subscribe(WsClient& ws, const std::string& id, const std::string& queue,
                            Object extra = {}) {
        Object frame{{"op", "subscribe"}, {"id", id}, {"queue", queue}};
        for (auto& [k, v] : extra) {
            frame[k] = v;
        }
        ws.send(frame);
        return ws.expect("subscribed");
    }

    static void ack(WsClient& ws, std::int64_t tag, bool multiple = false) {
        ws.send(Object{{"op", "ack"}, {"tag", tag}, {"multiple", multiple}});
    }

    static std::int64_t tag_of(const Object& message) {
        return message.at("tag").to_number<std::int64_t>();
    }

    WarrenProcess warren{{"--max-message-size", "65536"}};
    HttpClient http{warren.port()};
};

} // namespace warren::test
