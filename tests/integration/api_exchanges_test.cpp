// /api/exchanges against the real binary: item shape, PUT 201/204/400/403, amq.default,
// DELETE with if-unused, the bindings sub-resources, and message_stats after publishes.

#include <set>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"

namespace warren::test {
namespace {

namespace json = boost::json;

class ApiExchanges : public ::testing::Test {
protected:
    WarrenProcess server_;
    Api api_{server_.port()};
};

TEST_F(ApiExchanges, FreshVhostListsTheBuiltIns) {
    std::vector<std::string> names = names_of(api_.get_json("/api/exchanges/%2F"));
    std::set<std::string> got(names.begin(), names.end());
    for (std::string_view name : {"", "amq.direct", "amq.fanout", "amq.topic", "amq.headers"}) {
        EXPECT_TRUE(got.contains(std::string(name))) << name;
    }
    EXPECT_EQ(api_.get_json("/api/exchanges").as_array().size(), names.size());
}

TEST_F(ApiExchanges, PutCreatesWithTheGivenProperties) {
    auto created = api_.put("/api/exchanges/%2F/events",
                            R"({"type":"topic","durable":true,"auto_delete":false,)"
                            R"("internal":false,"arguments":{"alternate-exchange":"ae"}})");
    EXPECT_EQ(created.status, 201u) << created.body;
    EXPECT_TRUE(created.body.empty());
    json::object e = api_.get_json("/api/exchanges/%2F/events").as_object();
    EXPECT_EQ(e.at("name"), "events");
    EXPECT_EQ(e.at("vhost"), "/");
    EXPECT_EQ(e.at("type"), "topic");
    EXPECT_EQ(e.at("durable"), true);
    EXPECT_EQ(e.at("auto_delete"), false);
    EXPECT_EQ(e.at("internal"), false);
    EXPECT_EQ(e.at("arguments"), json::parse(R"({"alternate-exchange":"ae"})"));
    EXPECT_TRUE(e.at("policy").is_null());
    EXPECT_TRUE(e.contains("user_who_performed_action"));
    const json::object& stats = e.at("message_stats").as_object();
    EXPECT_EQ(stats.at("publish_in"), 0);
    EXPECT_EQ(stats.at("publish_out"), 0);
    EXPECT_TRUE(stats.at("publish_in_details").at("rate").is_number());
    EXPECT_TRUE(stats.at("publish_out_details").at("rate").is_number());
}

TEST_F(ApiExchanges, RedeclareEquivalentIs204AndDifferentIs400) {
    ASSERT_EQ(api_.put("/api/exchanges/%2F/x", R"({"type":"direct","durable":true})").status, 201u);
    EXPECT_EQ(api_.put("/api/exchanges/%2F/x", R"({"type":"direct","durable":true})").status, 204u);
    auto conflict = api_.put("/api/exchanges/%2F/x", R"({"type":"fanout","durable":true})");
    expect_api_error(conflict, 400, "bad_request");
    EXPECT_NE(conflict.body.find("inequivalent arg 'type'"), std::string::npos) << conflict.body;
    expect_api_error(api_.put("/api/exchanges/%2F/x", R"({"type":"direct","durable":false})"), 400,
                     "bad_request");
}

TEST_F(ApiExchanges, OmittedFlagsDefaultToFalseAsInRabbitMq) {
    ASSERT_EQ(api_.put("/api/exchanges/%2F/plain", R"({"type":"headers"})").status, 201u);
    json::object e = api_.get_json("/api/exchanges/%2F/plain").as_object();
    EXPECT_EQ(e.at("durable"), false);
    EXPECT_EQ(e.at("auto_delete"), false);
    EXPECT_EQ(e.at("internal"), false);
    EXPECT_EQ(e.at("arguments"), json::object{});
}

TEST_F(ApiExchanges, ReservedNamesAreRefused) {
    expect_api_error(api_.put("/api/exchanges/%2F/amq.mine", R"({"type":"direct"})"), 403,
                     "access_refused");
    expect_api_error(api_.put("/api/exchanges/%2F/amq.default", R"({"type":"direct"})"), 403,
                     "access_refused");
    expect_api_error(api_.del("/api/exchanges/%2F/amq.direct"), 403, "access_refused");
    expect_api_error(api_.del("/api/exchanges/%2F/amq.default"), 403, "access_refused");
    // Redeclaring a built-in exactly as it is changes nothing and is allowed, as in RabbitMQ.
    EXPECT_EQ(api_.put("/api/exchanges/%2F/amq.topic", R"({"type":"topic","durable":true})").status,
              204u);
}

TEST_F(ApiExchanges, DefaultExchangeIsAmqDefaultInPaths) {
    json::object e = api_.get_json("/api/exchanges/%2F/amq.default").as_object();
    EXPECT_EQ(e.at("name"), "");
    EXPECT_EQ(e.at("type"), "direct");
    EXPECT_EQ(e.at("durable"), true);
}

TEST_F(ApiExchanges, MissingIs404) {
    expect_object_not_found(api_.get("/api/exchanges/%2F/nope"));
    expect_object_not_found(api_.del("/api/exchanges/%2F/nope"));
    expect_object_not_found(api_.get("/api/exchanges/nope"));
    expect_object_not_found(api_.get("/api/exchanges/%2F/nope/bindings/source"));
    expect_api_error(api_.put("/api/exchanges/nope/x", R"({"type":"direct"})"), 404, "not_found");
}

TEST_F(ApiExchanges, DeleteIfUnusedRefusesAnExchangeWithBindings) {
    ASSERT_EQ(api_.put("/api/exchanges/%2F/x", R"({"type":"fanout"})").status, 201u);
    ASSERT_EQ(api_.put("/api/queues/%2F/q").status, 201u);
    ASSERT_EQ(api_.post("/api/bindings/%2F/e/x/q/q", "{}").status, 201u);
    expect_api_error(api_.del("/api/exchanges/%2F/x?if-unused=true"), 400, "bad_request");
    EXPECT_EQ(api_.get("/api/exchanges/%2F/x").status, 200u);
    EXPECT_EQ(api_.del("/api/exchanges/%2F/x").status, 204u);
    expect_object_not_found(api_.get("/api/exchanges/%2F/x"));
    // The binding went with it.
    EXPECT_EQ(api_.get_json("/api/queues/%2F/q/bindings").as_array().size(), 1u);
}

TEST_F(ApiExchanges, BindingsSourceAndDestination) {
    ASSERT_EQ(api_.put("/api/exchanges/%2F/up", R"({"type":"topic"})").status, 201u);
    ASSERT_EQ(api_.put("/api/exchanges/%2F/down", R"({"type":"fanout"})").status, 201u);
    ASSERT_EQ(api_.put("/api/queues/%2F/q").status, 201u);
    ASSERT_EQ(api_.post("/api/bindings/%2F/e/up/e/down", R"({"routing_key":"a.*"})").status, 201u);
    ASSERT_EQ(api_.post("/api/bindings/%2F/e/down/q/q", "{}").status, 201u);

    json::value source = api_.get_json("/api/exchanges/%2F/up/bindings/source");
    ASSERT_EQ(source.as_array().size(), 1u);
    EXPECT_EQ(source.as_array()[0],
              json::parse(R"({"source":"up","vhost":"/","destination":"down",)"
                          R"("destination_type":"exchange","routing_key":"a.*","arguments":{},)"
                          R"("properties_key":"a.%2A"})"));
    EXPECT_TRUE(api_.get_json("/api/exchanges/%2F/up/bindings/destination").as_array().empty());
    json::value destination = api_.get_json("/api/exchanges/%2F/down/bindings/destination");
    ASSERT_EQ(destination.as_array().size(), 1u);
    EXPECT_EQ(destination.as_array()[0].at("source"), "up");
    // The default exchange's source bindings are every queue's implicit binding.
    json::value implicit = api_.get_json("/api/exchanges/%2F/amq.default/bindings/source");
    ASSERT_EQ(implicit.as_array().size(), 1u);
    EXPECT_EQ(implicit.as_array()[0].at("destination"), "q");
    EXPECT_EQ(implicit.as_array()[0].at("routing_key"), "q");
}

TEST_F(ApiExchanges, PublishesShowInMessageStats) {
    ASSERT_EQ(api_.put("/api/exchanges/%2F/x", R"({"type":"fanout"})").status, 201u);
    const std::string message =
        R"({"properties":{},"routing_key":"","payload":"hi","payload_encoding":"string"})";
    ASSERT_EQ(api_.post("/api/exchanges/%2F/x/publish", message).status, 200u);
    ASSERT_EQ(api_.put("/api/queues/%2F/q").status, 201u);
    ASSERT_EQ(api_.post("/api/bindings/%2F/e/x/q/q", "{}").status, 201u);
    ASSERT_EQ(api_.post("/api/exchanges/%2F/x/publish", message).status, 200u);
    json::value stats = api_.get_json("/api/exchanges/%2F/x").at("message_stats");
    EXPECT_EQ(stats.at("publish_in"), 2);
    EXPECT_EQ(stats.at("publish_out"), 1);
    json::value overview = api_.get_json("/api/overview").at("message_stats");
    EXPECT_EQ(overview.at("publish"), 2);
    EXPECT_TRUE(overview.at("publish_details").at("rate").is_number());
}

} // namespace
} // namespace warren::test
