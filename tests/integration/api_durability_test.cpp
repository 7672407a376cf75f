// Definitions made over the HTTP API survive a restart on the same data dir when durable, and
// are gone when transient. A 201/204 means committed: even kill -9 right after it keeps them.

#include <csignal>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"

namespace warren::test {
namespace {

namespace json = boost::json;

std::vector<std::string> binding_keys(Api& api, const std::string& target) {
    std::vector<std::string> out;
    const json::value list = api.get_json(target);
    for (const auto& b : list.as_array()) {
        out.push_back(std::string(b.at("source").as_string()) + ">" +
                      std::string(b.at("destination").as_string()) + ":" +
                      std::string(b.at("routing_key").as_string()));
    }
    return out;
}

TEST(ApiDurability, DurableDefinitionsSurviveSigtermAndTransientOnesDoNot) {
    WarrenProcess server;
    {
        Api api(server.port());
        ASSERT_EQ(api.put("/api/vhosts/dv").status, 201u);
        ASSERT_EQ(api.put("/api/exchanges/%2F/dx", R"({"type":"topic","durable":true})").status,
                  201u);
        ASSERT_EQ(api.put("/api/exchanges/%2F/tx", R"({"type":"fanout","durable":false})").status,
                  201u);
        ASSERT_EQ(
            api.put("/api/queues/%2F/dq", R"({"durable":true,"arguments":{"x-max-length":100}})")
                .status,
            201u);
        ASSERT_EQ(api.put("/api/queues/%2F/tq", R"({"durable":false})").status, 201u);
        ASSERT_EQ(api.put("/api/queues/%2F/gone", R"({"durable":true})").status, 201u);
        ASSERT_EQ(api.put("/api/queues/dv/inner", R"({"durable":true})").status, 201u);
        ASSERT_EQ(api.post("/api/bindings/%2F/e/dx/q/dq", R"({"routing_key":"k.*"})").status, 201u);
        ASSERT_EQ(api.post("/api/bindings/%2F/e/dx/e/amq.fanout", R"({"routing_key":"e"})").status,
                  201u);
        ASSERT_EQ(api.post("/api/bindings/%2F/e/dx/q/tq", R"({"routing_key":"t"})").status, 201u);
        ASSERT_EQ(api.del("/api/queues/%2F/gone").status, 204u);
    }
    ASSERT_EQ(server.stop(), 0);
    server.restart();

    Api api(server.port());
    json::value dx = api.get_json("/api/exchanges/%2F/dx");
    EXPECT_EQ(dx.at("type"), "topic");
    EXPECT_EQ(dx.at("durable"), true);
    json::value dq = api.get_json("/api/queues/%2F/dq");
    EXPECT_EQ(dq.at("durable"), true);
    EXPECT_EQ(dq.at("arguments"), json::parse(R"({"x-max-length":100})"));
    EXPECT_EQ(names_of(api.get_json("/api/queues/dv")), std::vector<std::string>{"inner"});
    EXPECT_EQ(names_of(api.get_json("/api/queues/%2F")), std::vector<std::string>{"dq"});
    expect_object_not_found(api.get("/api/exchanges/%2F/tx"));
    expect_object_not_found(api.get("/api/queues/%2F/tq"));
    expect_object_not_found(api.get("/api/queues/%2F/gone"));
    EXPECT_EQ(binding_keys(api, "/api/exchanges/%2F/dx/bindings/source"),
              (std::vector<std::string>{"dx>amq.fanout:e", "dx>dq:k.*"}));
    EXPECT_EQ(api.get_json("/api/bindings/%2F/e/dx/q/dq/k.%252A").at("routing_key"), "k.*");
}

TEST(ApiDurability, AnAnsweredDeclareSurvivesKill9) {
    WarrenProcess server;
    {
        Api api(server.port());
        ASSERT_EQ(api.put("/api/exchanges/%2F/x", R"({"type":"direct","durable":true})").status,
                  201u);
        ASSERT_EQ(api.put("/api/queues/%2F/q", R"({"durable":true})").status, 201u);
        ASSERT_EQ(api.post("/api/bindings/%2F/e/x/q/q", R"({"routing_key":"k"})").status, 201u);
    }
    server.kill9();
    server.restart();
    Api api(server.port());
    EXPECT_EQ(api.get("/api/exchanges/%2F/x").status, 200u);
    EXPECT_EQ(api.get("/api/queues/%2F/q").status, 200u);
    EXPECT_EQ(api.get("/api/bindings/%2F/e/x/q/q/k").status, 200u);
}

} // namespace
} // namespace warren::test
