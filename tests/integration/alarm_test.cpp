// Resource alarms against the real binary: past a watermark, publishes get 503 with
// Retry-After and the JSON error, while consumers keep draining and nothing is lost.

#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"
#include "tests/integration/support/wait_until.hpp"

namespace warren::test {
namespace {

const std::string kPublish =
    R"({"properties":{"delivery_mode":2},"routing_key":"q","payload":"m","payload_encoding":"string"})";

TEST(Alarms, DiskAlarmRefusesPublishesWith503AndConsumersStillDrain) {
    // No disk has a petabyte free: the disk alarm is on from the first check.
    WarrenProcess warren({"--disk-free-limit", "1000000GB"});
    Api api(warren.port());
    ASSERT_EQ(api.put("/api/queues/%2F/q", R"({"durable":true})").status, 201u);
    HttpReply reply;
    ASSERT_TRUE(wait_until([&] {
        reply = api.post("/api/exchanges/%2F/amq.default/publish", kPublish);
        return reply.status == 503;
    }));
    EXPECT_EQ(reply.header("Retry-After"), "5");
    auto body = reply.json();
    EXPECT_EQ(body.at("error"), "resource_alarm");
    EXPECT_NE(body.at("reason").as_string().find("disk alarm"), std::string::npos);
    // Reading is not refused.
    auto get = api.post("/api/queues/%2F/q/get",
                        R"({"count":1,"ackmode":"ack_requeue_false","encoding":"auto"})");
    EXPECT_EQ(get.status, 200u);
    EXPECT_TRUE(warren.wait_for_output("disk alarm"));
}

TEST(Alarms, MemoryAlarmRefusesPublishes) {
    WarrenProcess warren({"--memory-high-watermark", "1MB"});
    Api api(warren.port());
    HttpReply reply;
    ASSERT_TRUE(wait_until([&] {
        reply = api.post("/api/exchanges/%2F/amq.default/publish", kPublish);
        return reply.status == 503;
    }));
    EXPECT_EQ(reply.json().at("error"), "resource_alarm");
    EXPECT_EQ(api.get("/api/overview").status, 200u); // the server is fine otherwise
}

TEST(Alarms, WithoutAlarmsPublishingWorks) {
    WarrenProcess warren;
    Api api(warren.port());
    ASSERT_EQ(api.put("/api/queues/%2F/q", R"({"durable":true})").status, 201u);
    auto reply = api.post("/api/exchanges/%2F/amq.default/publish", kPublish);
    EXPECT_EQ(reply.status, 200u) << reply.body;
}

} // namespace
} // namespace warren::test
