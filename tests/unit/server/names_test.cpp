#include <gtest/gtest.h>

#include "server/names.hpp"
#include "server/queue_arguments.hpp"

namespace warren::server {
namespace {

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
