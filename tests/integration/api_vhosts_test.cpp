// /api/vhosts against the real binary: list and item shape, PUT 201/204, DELETE 204/404, and
// that a vhost is a namespace (its objects go with it).

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"

namespace warren::test {
namespace {

namespace json = boost::json;

class ApiVhosts : public ::testing::Test {
protected:
    WarrenProcess server_;
    Api api_{server_.port()};
};

TEST_F(ApiVhosts, DefaultVhostIsListedWithRabbitMqFields) {
    json::value list = api_.get_json("/api/vhosts");
    ASSERT_EQ(names_of(list), std::vector<std::string>{"/"});
    const json::object& v = list.as_array()[0].as_object();
    for (std::string_view field : {"name", "description", "tags", "default_queue_type", "metadata",
                                   "tracing", "cluster_state", "messages", "messages_ready",
                                   "messages_unacknowledged", "message_stats"}) {
        EXPECT_TRUE(v.contains(field)) << field;
    }
    EXPECT_EQ(v.at("messages"), 0);
    EXPECT_TRUE(v.at("message_stats").at("publish_details").at("rate").is_number());
}

TEST_F(ApiVhosts, PutCreatesThenFindsExisting) {
    EXPECT_EQ(api_.put("/api/vhosts/dev").status, 201u);
    EXPECT_EQ(api_.put("/api/vhosts/dev", R"({"description":"d","tags":"a,b"})").status, 204u);
    json::value v = api_.get_json("/api/vhosts/dev");
    EXPECT_EQ(v.at("name"), "dev");
    EXPECT_EQ(names_of(api_.get_json("/api/vhosts")), (std::vector<std::string>{"/", "dev"}));
}

TEST_F(ApiVhosts, EncodedNamesRoundTrip) {
    EXPECT_EQ(api_.put("/api/vhosts/a%2Fb%20c").status, 201u);
    EXPECT_EQ(api_.get_json("/api/vhosts/a%2Fb%20c").at("name"), "a/b c");
    EXPECT_EQ(api_.del("/api/vhosts/a%2Fb%20c").status, 204u);
}

TEST_F(ApiVhosts, DeleteIs204ThenMissingIs404) {
    ASSERT_EQ(api_.put("/api/vhosts/tmp").status, 201u);
    EXPECT_EQ(api_.del("/api/vhosts/tmp").status, 204u);
    expect_object_not_found(api_.del("/api/vhosts/tmp"));
    expect_object_not_found(api_.get("/api/vhosts/tmp"));
}

TEST_F(ApiVhosts, DeletingAVhostTakesItsObjects) {
    ASSERT_EQ(api_.put("/api/vhosts/v1").status, 201u);
    ASSERT_EQ(api_.put("/api/queues/v1/q", R"({"durable":true})").status, 201u);
    ASSERT_EQ(api_.put("/api/exchanges/v1/x", R"({"type":"fanout"})").status, 201u);
    ASSERT_EQ(api_.del("/api/vhosts/v1").status, 204u);
    expect_object_not_found(api_.get("/api/queues/v1/q"));
    expect_object_not_found(api_.get("/api/exchanges/v1"));
    ASSERT_EQ(api_.put("/api/vhosts/v1").status, 201u);
    EXPECT_TRUE(api_.get_json("/api/queues/v1").as_array().empty());
}

TEST_F(ApiVhosts, ObjectsAreScopedByVhost) {
    ASSERT_EQ(api_.put("/api/vhosts/other").status, 201u);
    ASSERT_EQ(api_.put("/api/queues/other/q1").status, 201u);
    ASSERT_EQ(api_.put("/api/queues/%2F/q2").status, 201u);
    EXPECT_EQ(names_of(api_.get_json("/api/queues/other")), std::vector<std::string>{"q1"});
    EXPECT_EQ(names_of(api_.get_json("/api/queues/%2F")), std::vector<std::string>{"q2"});
    EXPECT_EQ(names_of(api_.get_json("/api/queues")), (std::vector<std::string>{"q2", "q1"}));
    // Each vhost has its own built-in exchanges.
    EXPECT_EQ(api_.get_json("/api/exchanges/other/amq.topic").at("vhost"), "other");
}

TEST_F(ApiVhosts, BadBodyAndBadNameAre400) {
    expect_api_error(api_.put("/api/vhosts/x", "{nope"), 400, "bad_request");
    expect_api_error(api_.put("/api/vhosts/x", R"({"tracing":"maybe"})"), 400, "bad_request");
    expect_api_error(api_.put("/api/vhosts/x", R"({"description":5})"), 400, "bad_request");
    expect_api_error(api_.put("/api/vhosts/" + std::string(256, 'v')), 400, "bad_request");
    expect_object_not_found(api_.get("/api/vhosts/x"));
}

TEST_F(ApiVhosts, ColumnsTrimASingleVhost) {
    EXPECT_EQ(api_.get_json("/api/vhosts/%2F?columns=name,tracing"),
              json::parse(R"({"name":"/","tracing":false})"));
}

} // namespace
} // namespace warren::test
