// Health checks against the real binary, in RabbitMQ's paths and shapes: 200 {"status":"ok"}
// normally, 503 {"status":"failed","reason":...} when an alarm is on; open without credentials,
// except the aliveness test, which writes.

#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"
#include "tests/integration/support/wait_until.hpp"

namespace warren::test {
namespace {

namespace json = boost::json;

HttpReply anonymous_get(HttpClient& client, const std::string& target) {
    return client.get(target, std::nullopt);
}

void expect_ok(const HttpReply& reply, json::object expected = {{"status", "ok"}}) {
    EXPECT_EQ(reply.status, 200u) << reply.body;
    EXPECT_EQ(reply.header("Content-Type"), "application/json");
    EXPECT_EQ(reply.json(), json::value(expected)) << reply.body;
}

TEST(ApiHealth, ChecksAreOkAndOpenWithoutCredentials) {
    WarrenProcess warren;
    HttpClient client(warren.port());
    for (const char* check : {"alarms", "local-alarms", "virtual-hosts"}) {
        SCOPED_TRACE(check);
        expect_ok(anonymous_get(client, std::string("/api/health/checks/") + check));
    }
    for (const char* check : {"node-is-quorum-critical", "node-is-mirror-sync-critical"}) {
        SCOPED_TRACE(check);
        expect_ok(anonymous_get(client, std::string("/api/health/checks/") + check),
                  {{"status", "ok"}, {"reason", "single node cluster"}});
    }
    // Credentials do not hurt.
    EXPECT_EQ(client.get("/api/health/checks/alarms").status, 200u);
}

TEST(ApiHealth, PortListener) {
    WarrenProcess warren;
    HttpClient client(warren.port());
    const std::string port = std::to_string(warren.port());
    expect_ok(anonymous_get(client, "/api/health/checks/port-listener/" + port),
              {{"status", "ok"}, {"port", warren.port()}});

    HttpReply missing = anonymous_get(client, "/api/health/checks/port-listener/1");
    EXPECT_EQ(missing.status, 503u);
    EXPECT_EQ(missing.json(), json::parse(R"({"status":"failed","reason":"No active listener",)"
                                          R"("missing":1,"ports":[)" +
                                          port + "]}"));

    expect_api_error(anonymous_get(client, "/api/health/checks/port-listener/http"), 400,
                     "bad_request");
}

TEST(ApiHealth, ProtocolListener) {
    WarrenProcess warren;
    HttpClient client(warren.port());
    expect_ok(anonymous_get(client, "/api/health/checks/protocol-listener/http"),
              {{"status", "ok"}, {"protocol", "http"}});
    // Case-insensitive, as in RabbitMQ; /metrics and /ws live on the HTTP listener.
    expect_ok(anonymous_get(client, "/api/health/checks/protocol-listener/HTTP"),
              {{"status", "ok"}, {"protocol", "http"}});
    expect_ok(anonymous_get(client, "/api/health/checks/protocol-listener/prometheus"),
              {{"status", "ok"}, {"protocol", "http/prometheus"}});

    HttpReply amqp = anonymous_get(client, "/api/health/checks/protocol-listener/amqp");
    EXPECT_EQ(amqp.status, 503u);
    auto body = amqp.json().as_object();
    EXPECT_EQ(body.at("status"), "failed");
    EXPECT_EQ(body.at("reason"), "No active listener");
    EXPECT_EQ(body.at("missing"), "amqp");
    EXPECT_TRUE(body.at("protocols").is_array());
}

TEST(ApiHealth, CertificateExpirationValidatesItsArguments) {
    WarrenProcess warren;
    HttpClient client(warren.port());
    // No TLS listener yet: nothing can expire.
    expect_ok(anonymous_get(client, "/api/health/checks/certificate-expiration/1/weeks"));
    expect_api_error(anonymous_get(client, "/api/health/checks/certificate-expiration/x/weeks"),
                     400, "bad_request");
    expect_api_error(
        anonymous_get(client, "/api/health/checks/certificate-expiration/1/fortnights"), 400,
        "bad_request");
}

TEST(ApiHealth, MemoryAlarmFailsTheAlarmChecksWith503) {
    WarrenProcess warren({"--memory-high-watermark", "1MB"});
    HttpClient client(warren.port());
    HttpReply reply;
    ASSERT_TRUE(wait_until([&] {
        reply = anonymous_get(client, "/api/health/checks/alarms");
        return reply.status == 503;
    })) << reply.body;
    EXPECT_EQ(reply.header("Content-Type"), "application/json");
    auto body = reply.json().as_object();
    EXPECT_EQ(body.at("status"), "failed");
    EXPECT_EQ(body.at("reason"), "There are alarms in effect in the cluster");
    ASSERT_EQ(body.at("alarms").as_array().size(), 1u) << reply.body;
    const auto& alarm = body.at("alarms").as_array()[0].as_object();
    EXPECT_EQ(alarm.at("resource"), "memory");
    EXPECT_TRUE(alarm.at("node").as_string().starts_with("warren@"));

    HttpReply local = anonymous_get(client, "/api/health/checks/local-alarms");
    EXPECT_EQ(local.status, 503u);
    EXPECT_EQ(local.json().at("reason"), "There are alarms in effect on the node");
    // The other checks are about other things.
    EXPECT_EQ(anonymous_get(client, "/api/health/checks/virtual-hosts").status, 200u);
}

TEST(ApiHealth, DiskAlarmNamesTheDiskResource) {
    WarrenProcess warren({"--disk-free-limit", "1000000GB"});
    HttpClient client(warren.port());
    HttpReply reply;
    ASSERT_TRUE(wait_until([&] {
        reply = anonymous_get(client, "/api/health/checks/local-alarms");
        return reply.status == 503;
    })) << reply.body;
    const json::value body = reply.json();
    const auto& alarms = body.at("alarms").as_array();
    ASSERT_EQ(alarms.size(), 1u);
    EXPECT_EQ(alarms[0].at("resource"), "disk");
    EXPECT_NE(alarms[0].at("reason").as_string().find("disk alarm"), std::string::npos);
}

TEST(ApiHealth, AlivenessTestPublishesAndGetsThroughItsQueue) {
    WarrenProcess warren;
    Api api(warren.port());
    // It writes: credentials required, as in RabbitMQ.
    expect_api_error(anonymous_get(api.client(), "/api/aliveness-test/%2F"), 401, "not_authorized");
    for (int i = 0; i < 2; ++i) {
        expect_ok(api.get("/api/aliveness-test/%2F"));
    }
    // RabbitMQ leaves the (transient) queue in place, empty.
    auto queue = api.get_json("/api/queues/%2F/aliveness-test");
    EXPECT_EQ(queue.at("durable"), false);
    EXPECT_EQ(queue.at("messages"), 0);
    expect_object_not_found(api.get("/api/aliveness-test/no-such-vhost"));
}

TEST(ApiHealth, AlivenessTestFailsWith503UnderAnAlarm) {
    WarrenProcess warren({"--disk-free-limit", "1000000GB"});
    Api api(warren.port());
    HttpReply reply;
    ASSERT_TRUE(wait_until([&] {
        reply = api.get("/api/aliveness-test/%2F");
        return reply.status == 503;
    })) << reply.body;
    auto body = reply.json().as_object();
    EXPECT_EQ(body.at("status"), "failed");
    EXPECT_NE(body.at("reason").as_string().find("disk alarm"), std::string::npos);
}

} // namespace
} // namespace warren::test
