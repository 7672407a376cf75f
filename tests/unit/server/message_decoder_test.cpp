// MessageDecoder: stored records back into Messages, the last properties parse reused only for
// the same text.
#include <gtest/gtest.h>

#include "server/message_decoder.hpp"

namespace warren::server {
namespace {

storage::MessageRecord record(std::string properties, std::string body) {
    storage::MessageRecord r;
    r.id = 7;
    r.exchange = "x";
    r.routing_key = "k";
    r.properties = std::move(properties);
    r.body = std::make_shared<const std::string>(std::move(body));
    return r;
}

TEST(MessageDecoder, DecodesEachRecordWithItsOwnProperties) {
    MessageDecoder decoder;
    auto a = decoder.decode(record(R"({"delivery_mode":2,"headers":{"k":"a"}})", "one"));
    auto b = decoder.decode(record(R"({"delivery_mode":2,"headers":{"k":"a"}})", "two"));
    auto c = decoder.decode(record(R"({"content_type":"text/plain"})", "three"));
    auto d = decoder.decode(record("", "four"));
    ASSERT_TRUE(a && b && c && d);
    EXPECT_EQ((*a)->exchange, "x");
    EXPECT_EQ((*a)->routing_key, "k");
    EXPECT_EQ(*(*a)->body, "one");
    EXPECT_EQ(*(*b)->body, "two");
    EXPECT_TRUE((*a)->properties.persistent());
    EXPECT_EQ((*a)->properties, (*b)->properties);
    EXPECT_EQ((*b)->properties.headers.at("k").as_string(), "a");
    EXPECT_FALSE((*c)->properties.persistent());
    EXPECT_EQ((*c)->properties.content_type, "text/plain");
    EXPECT_TRUE((*c)->properties.headers.empty());
    EXPECT_EQ((*d)->properties, Properties{});
}

TEST(MessageDecoder, PropertiesThatAreNotAnObjectAreAnErrorAndDoNotStick) {
    MessageDecoder decoder;
    ASSERT_TRUE(decoder.properties(R"({"priority":3})"));
    EXPECT_FALSE(decoder.properties("[1,2]"));
    EXPECT_FALSE(decoder.properties(R"({"priority":)"));
    EXPECT_FALSE(decoder.properties(R"({"priority":3} trailing)"));
    auto again = decoder.properties(R"({"priority":3})");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->priority, 3);
}

} // namespace
} // namespace warren::server
