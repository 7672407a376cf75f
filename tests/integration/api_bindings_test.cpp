// /api/bindings against the real binary: POST 201 + relative Location, props keys (~, quoted
// key, key~hash), GET/DELETE by props, e2e bindings, the default exchange and missing ends.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"

namespace warren::test {
namespace {

namespace json = boost::json;

class ApiBindings : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(api_.put("/api/exchanges/%2F/x", R"({"type":"topic","durable":true})").status,
                  201u);
        ASSERT_EQ(api_.put("/api/exchanges/%2F/h", R"({"type":"headers"})").status, 201u);
        ASSERT_EQ(api_.put("/api/queues/%2F/q", R"({"durable":true})").status, 201u);
    }

    WarrenProcess server_;
    Api api_{server_.port()};
};

TEST_F(ApiBindings, PostAnswers201WithRelativeLocation) {
    auto empty = api_.post("/api/bindings/%2F/e/x/q/q", "{}");
    EXPECT_EQ(empty.status, 201u) << empty.body;
    EXPECT_EQ(empty.header("Location"), "q/~");
    auto keyed = api_.post("/api/bindings/%2F/e/x/q/q", R"({"routing_key":"routing"})");
    EXPECT_EQ(keyed.status, 201u);
    EXPECT_EQ(keyed.header("Location"), "q/routing");
    // No body at all is the same as {}.
    EXPECT_EQ(api_.post("/api/bindings/%2F/e/x/q/q").status, 201u);
}

TEST_F(ApiBindings, PropsKeysQuoteTheRoutingKeyAsRabbitMqDoes) {
    // Values checked against RabbitMQ 3.10: space is '+', '~' '*' '#' '/' '%' are escaped, and
    // the Location header escapes the props key once more.
    auto r = api_.post("/api/bindings/%2F/e/x/q/q", R"({"routing_key":"a b~c/d"})");
    ASSERT_EQ(r.status, 201u);
    EXPECT_EQ(r.header("Location"), "q/a%2Bb%257Ec%252Fd");
    json::value b = api_.get_json("/api/bindings/%2F/e/x/q/q/a%2Bb%257Ec%252Fd");
    EXPECT_EQ(b.at("routing_key"), "a b~c/d");
    EXPECT_EQ(b.at("properties_key"), "a+b%7Ec%2Fd");
    ASSERT_EQ(api_.post("/api/bindings/%2F/e/x/q/q", R"({"routing_key":"\u00e9%x"})").status, 201u);
    ASSERT_EQ(api_.post("/api/bindings/%2F/e/x/q/q", R"({"routing_key":"a*b#c"})").status, 201u);
    std::vector<std::string> props;
    const json::value list = api_.get_json("/api/bindings/%2F/e/x/q/q");
    for (const auto& item : list.as_array()) {
        props.emplace_back(item.at("properties_key").as_string());
    }
    EXPECT_EQ(props, (std::vector<std::string>{"a+b%7Ec%2Fd", "a%2Ab%23c", "%C3%A9%25x"}));
}

TEST_F(ApiBindings, ArgumentsGiveAStableHashedProps) {
    auto first = api_.post("/api/bindings/%2F/e/h/q/q",
                           R"({"routing_key":"","arguments":{"x-match":"all","a":"1","b":2}})");
    ASSERT_EQ(first.status, 201u) << first.body;
    const std::string location = first.header("Location");
    ASSERT_EQ(location.rfind("q/~", 0), 0u) << location; // "~" + hash: all unreserved
    json::value list = api_.get_json("/api/bindings/%2F/e/h/q/q");
    ASSERT_EQ(list.as_array().size(), 1u);
    const std::string props(list.as_array()[0].at("properties_key").as_string());
    ASSERT_EQ(props.size(), 7u) << props; // "~" + 6 base64url characters
    EXPECT_EQ(props[0], '~');
    // The same arguments in another order are the same binding, with the same props.
    auto again =
        api_.post("/api/bindings/%2F/e/h/q/q", R"({"arguments":{"b":2,"a":"1","x-match":"all"}})");
    EXPECT_EQ(again.header("Location"), location);
    EXPECT_EQ(api_.get_json("/api/bindings/%2F/e/h/q/q").as_array().size(), 1u);
    // Different arguments: another binding and another props key.
    ASSERT_EQ(
        api_.post("/api/bindings/%2F/e/h/q/q", R"({"arguments":{"x-match":"any","a":"1"}})").status,
        201u);
    json::value both = api_.get_json("/api/bindings/%2F/e/h/q/q");
    ASSERT_EQ(both.as_array().size(), 2u);
    EXPECT_NE(both.as_array()[0].at("properties_key"), both.as_array()[1].at("properties_key"));
    // Read back and delete by the listed props, percent-encoded as a path segment.
    EXPECT_EQ(api_.get_json("/api/bindings/%2F/e/h/q/q/" + location.substr(2)).at("arguments"),
              json::parse(R"({"x-match":"all","a":"1","b":2})"));
    EXPECT_EQ(api_.del("/api/bindings/%2F/e/h/q/q/" + location.substr(2)).status, 204u);
    EXPECT_EQ(api_.get_json("/api/bindings/%2F/e/h/q/q").as_array().size(), 1u);
}

TEST_F(ApiBindings, GetAndDeleteByProps) {
    ASSERT_EQ(api_.post("/api/bindings/%2F/e/x/q/q", R"({"routing_key":"k"})").status, 201u);
    EXPECT_EQ(
        api_.get_json("/api/bindings/%2F/e/x/q/q/k"),
        json::parse(R"({"source":"x","vhost":"/","destination":"q","destination_type":"queue",)"
                    R"("routing_key":"k","arguments":{},"properties_key":"k"})"));
    expect_object_not_found(api_.get("/api/bindings/%2F/e/x/q/q/other"));
    EXPECT_EQ(api_.del("/api/bindings/%2F/e/x/q/q/k").status, 204u);
    expect_object_not_found(api_.del("/api/bindings/%2F/e/x/q/q/k"));
    expect_object_not_found(api_.get("/api/bindings/%2F/e/x/q/q/k"));
}

TEST_F(ApiBindings, ExchangeToExchange) {
    auto r = api_.post("/api/bindings/%2F/e/x/e/amq.fanout", R"({"routing_key":"k"})");
    EXPECT_EQ(r.status, 201u) << r.body;
    EXPECT_EQ(r.header("Location"), "amq.fanout/k");
    json::value list = api_.get_json("/api/bindings/%2F/e/x/e/amq.fanout");
    ASSERT_EQ(list.as_array().size(), 1u);
    EXPECT_EQ(list.as_array()[0].at("destination_type"), "exchange");
    EXPECT_EQ(api_.del("/api/bindings/%2F/e/x/e/amq.fanout/k").status, 204u);
    EXPECT_EQ(api_.get_json("/api/bindings/%2F/e/x/e/amq.fanout"), json::array{});
}

TEST_F(ApiBindings, DefaultExchangeIsListedButCannotBeBoundOrUnbound) {
    expect_api_error(api_.post("/api/bindings/%2F/e/amq.default/q/q", "{}"), 403, "access_refused");
    json::value list = api_.get_json("/api/bindings/%2F/e/amq.default/q/q");
    ASSERT_EQ(list.as_array().size(), 1u);
    EXPECT_EQ(list.as_array()[0].at("properties_key"), "q");
    EXPECT_EQ(api_.get_json("/api/bindings/%2F/e/amq.default/q/q/q").at("routing_key"), "q");
    expect_api_error(api_.del("/api/bindings/%2F/e/amq.default/q/q/q"), 403, "access_refused");
}

TEST_F(ApiBindings, MissingEndsAre404) {
    expect_api_error(api_.post("/api/bindings/%2F/e/nope/q/q", "{}"), 404, "not_found");
    expect_api_error(api_.post("/api/bindings/%2F/e/x/q/nope", "{}"), 404, "not_found");
    expect_api_error(api_.post("/api/bindings/%2F/e/x/e/nope", "{}"), 404, "not_found");
    expect_api_error(api_.post("/api/bindings/nope/e/x/q/q", "{}"), 404, "not_found");
    expect_object_not_found(api_.get("/api/bindings/%2F/e/nope/q/q"));
    expect_object_not_found(api_.get("/api/bindings/%2F/e/x/q/nope"));
    expect_object_not_found(api_.get("/api/bindings/nope"));
}

TEST_F(ApiBindings, BadBodiesAre400) {
    expect_api_error(api_.post("/api/bindings/%2F/e/x/q/q", R"({"routing_key":5})"), 400,
                     "bad_request");
    expect_api_error(api_.post("/api/bindings/%2F/e/x/q/q", R"({"arguments":"x"})"), 400,
                     "bad_request");
    expect_api_error(
        api_.post("/api/bindings/%2F/e/h/q/q", R"({"arguments":{"x-match":"sometimes"}})"), 400,
        "bad_request");
    expect_api_error(api_.post("/api/bindings/%2F/e/x/q/q", "[1,2]"), 400, "bad_request");
    EXPECT_EQ(api_.get_json("/api/bindings/%2F/e/x/q/q"), json::array{});
}

TEST_F(ApiBindings, VhostListHasEveryBindingInRabbitMqOrder) {
    ASSERT_EQ(api_.put("/api/queues/%2F/a").status, 201u);
    ASSERT_EQ(api_.post("/api/bindings/%2F/e/x/q/q", R"({"routing_key":"z"})").status, 201u);
    ASSERT_EQ(api_.post("/api/bindings/%2F/e/x/q/a", R"({"routing_key":"z"})").status, 201u);
    ASSERT_EQ(api_.post("/api/bindings/%2F/e/x/q/q", R"({"routing_key":"b"})").status, 201u);
    json::value all = api_.get_json("/api/bindings/%2F");
    std::vector<std::string> seen;
    for (const auto& b : all.as_array()) {
        seen.push_back(std::string(b.at("source").as_string()) + ">" +
                       std::string(b.at("destination").as_string()) + ":" +
                       std::string(b.at("routing_key").as_string()));
    }
    EXPECT_EQ(seen, (std::vector<std::string>{">a:a", ">q:q", "x>q:b", "x>a:z", "x>q:z"}));
    EXPECT_EQ(api_.get_json("/api/bindings").as_array().size(), 5u);
}

} // namespace
} // namespace warren::test
