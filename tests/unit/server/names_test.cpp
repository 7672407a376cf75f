#include <gtest/gtest.h>

#include "server/names.hpp"
#include "server/queue_arguments.hpp"

namespace warren::server {
namespace {

TEST(Utf8, AcceptsValidText) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain ascii"));
    EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9"));
    EXPECT_TRUE(is_valid_utf8("\xe2\x82\xac"));
    EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));
}

TEST(Utf8, RejectsBrokenSequences) {
    EXPECT_FALSE(is_valid_utf8("\xff"));
    EXPECT_FALSE(is_valid_utf8("\xc3"));             // truncated
    EXPECT_FALSE(is_valid_utf8("\xe2\x82"));         // truncated
    EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));         // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));     // surrogate
    EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80")); // past U+10FFFF
    EXPECT_FALSE(is_valid_utf8("a\x80z"));           // stray continuation byte
}

TEST(Names, LimitIs255Bytes) {
    EXPECT_TRUE(check_name("queue", std::string(255, 'a')));
    auto r = check_name("queue", std::string(256, 'a'));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::bad_request);
    EXPECT_TRUE(is_reserved_name("amq.topic"));
    EXPECT_FALSE(is_reserved_name("amqp.topic"));
}

TEST(Expiration, IsADecimalStringOfMilliseconds) {
    EXPECT_EQ(*parse_expiration("0"), 0);
    EXPECT_EQ(*parse_expiration("60000"), 60000);
    EXPECT_FALSE(parse_expiration("-1"));
    EXPECT_FALSE(parse_expiration("1e3"));
    EXPECT_FALSE(parse_expiration(" 5"));
    EXPECT_FALSE(parse_expiration(""));
}

} // namespace
} // namespace warren::server
