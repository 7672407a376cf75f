// Properties' JSON forms: the store's text keeps header_types (the AMQP type letters of the
// headers) and reads text stored before it existed; what users see and send never has it.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "common/properties_json.hpp"

namespace warren {
namespace {

namespace json = boost::json;

Properties typed() {
    Properties p;
    p.delivery_mode = 2;
    p.headers = json::parse(R"({"b":7,"x-death":[{"count":1,"time":1700000000}]})").as_object();
    p.header_types = json::parse(R"({"/b":"b","/x-death/0/time":"T"})").as_object();
    return p;
}

TEST(PropertiesJson, TheStoreKeepsHeaderTypes) {
    const Properties p = typed();
    const std::string stored = serialize_properties(p);
    EXPECT_EQ(json::parse(stored).at("header_types"), json::value(p.header_types));
    auto back = parse_properties(stored);
    ASSERT_TRUE(back) << back.error().reason;
    EXPECT_EQ(*back, p);

    // Types alone (headers cleared by hand): still a valid stored form.
    Properties only_types;
    only_types.header_types = p.header_types;
    const std::string only = serialize_properties(only_types);
    EXPECT_EQ(only, R"({"header_types":{"/b":"b","/x-death/0/time":"T"}})");
    EXPECT_EQ(parse_properties(only).value(), only_types);
}

TEST(PropertiesJson, ByteArrayHeadersSurviveTheStore) {
    // An AMQP byte array ('x') is a JSON string of its bytes, UTF-8 or not.
    Properties p;
    p.delivery_mode = 2;
    p.headers["x"] = json::string(std::string_view("\xff\x00\xc3", 3));
    p.header_types["/x"] = "x";
    auto back = parse_properties(serialize_properties(p));
    ASSERT_TRUE(back) << back.error().reason;
    EXPECT_EQ(*back, p);
}

TEST(PropertiesJson, TextStoredBeforeHeaderTypesStillLoads) {
    auto old = parse_properties(R"({"delivery_mode":2,"headers":{"a":1}})");
    ASSERT_TRUE(old) << old.error().reason;
    EXPECT_TRUE(old->header_types.empty());
    EXPECT_EQ(old->headers.at("a"), 1);
    EXPECT_TRUE(old->persistent());
    EXPECT_FALSE(parse_properties(R"({"header_types":[]})"));
}

TEST(PropertiesJson, UsersNeitherSeeNorSetHeaderTypes) {
    const Properties p = typed();
    const json::object shown = properties_to_json(p);
    EXPECT_FALSE(shown.contains("header_types"));
    EXPECT_EQ(shown.at("headers"), json::value(p.headers));
    std::string rendered;
    append_properties_json(rendered, p, 3);
    EXPECT_EQ(rendered.find("header_types"), std::string::npos);
    EXPECT_EQ(rendered.find("/b"), std::string::npos);
    // properties_from_json reads what HTTP and WebSocket publishers send: no such property.
    json::object sent = shown;
    sent["header_types"] = json::object{{"/b", "b"}};
    EXPECT_FALSE(properties_from_json(sent));
}

} // namespace
} // namespace warren
