// Password hashes in RabbitMQ's layout: a hash RabbitMQ 3.10 wrote verifies here, fresh hashes
// are salted, and malformed or unknown inputs never verify.

#include <gtest/gtest.h>

#include "common/base64.hpp"
#include "web/password_hash.hpp"

namespace warren::web {
namespace {

// GET /api/users/guest on a RabbitMQ 3.10.8 node (password "guest").
constexpr std::string_view kRabbitGuest = "G7JebC/nLFyxQFj4OjdQN1K36t2g+S0otmNSpVI4aXp/1m6N";

TEST(PasswordHash, VerifiesAHashRabbitMqWrote) {
    EXPECT_TRUE(verify_password(kRabbitGuest, "rabbit_password_hashing_sha256", "guest"));
    EXPECT_FALSE(verify_password(kRabbitGuest, "rabbit_password_hashing_sha256", "Guest"));
    EXPECT_FALSE(verify_password(kRabbitGuest, "rabbit_password_hashing_sha512", "guest"));
}

TEST(PasswordHash, FreshHashesAreSaltedAndVerify) {
    std::string a = hash_password("pw");
    std::string b = hash_password("pw");
    EXPECT_NE(a, b);
    EXPECT_EQ(base64_decode(a)->size(), 4u + 32u);
    EXPECT_TRUE(verify_password(a, kDefaultHashingAlgorithm, "pw"));
    EXPECT_TRUE(verify_password(b, kDefaultHashingAlgorithm, "pw"));
    EXPECT_FALSE(verify_password(a, kDefaultHashingAlgorithm, "pw "));
    std::string c = hash_password("pw", "rabbit_password_hashing_sha512");
    EXPECT_EQ(base64_decode(c)->size(), 4u + 64u);
    EXPECT_TRUE(verify_password(c, "rabbit_password_hashing_sha512", "pw"));
}

TEST(PasswordHash, MalformedOrUnknownNeverVerifies) {
    EXPECT_FALSE(verify_password("", kDefaultHashingAlgorithm, ""));
    EXPECT_FALSE(verify_password("not base64!", kDefaultHashingAlgorithm, "x"));
    EXPECT_FALSE(verify_password(kRabbitGuest, "rot13", "guest"));
    EXPECT_FALSE(known_hashing_algorithm("rot13"));
    EXPECT_TRUE(known_hashing_algorithm("rabbit_password_hashing_md5"));
    EXPECT_EQ(invalid_password_hash("abc"), "not_base64");
    EXPECT_EQ(invalid_password_hash(kRabbitGuest), std::nullopt);
}

} // namespace
} // namespace warren::web
