// TokenStore: random single-use tokens that expire after their lifetime, bounded in number.

#include <set>

#include <gtest/gtest.h>

#include "web/token_store.hpp"

namespace warren::web {
namespace {

using namespace std::chrono_literals;

const Principal kGuest{"guest", {"administrator"}, true};

TEST(TokenStore, IssuesRandomHexTokens) {
    TokenStore store;
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        auto token = store.issue(kGuest);
        ASSERT_TRUE(token);
        EXPECT_EQ(token->size(), 64u);
        EXPECT_EQ(token->find_first_not_of("0123456789abcdef"), std::string::npos);
        seen.insert(*token);
    }
    EXPECT_EQ(seen.size(), 100u);
    EXPECT_EQ(store.lifetime(), 60s);
}

TEST(TokenStore, ATokenLogsInOnce) {
    TokenStore store;
    auto token = store.issue(kGuest);
    ASSERT_TRUE(token);
    auto principal = store.redeem(*token);
    ASSERT_TRUE(principal);
    EXPECT_EQ(*principal, kGuest);
    EXPECT_FALSE(store.redeem(*token));
    EXPECT_FALSE(store.redeem("not-a-token"));
    EXPECT_FALSE(store.redeem(""));
}

TEST(TokenStore, TokensExpire) {
    TokenStore store(60s);
    const auto t0 = TokenStore::Clock::now();
    auto token = store.issue(kGuest, t0);
    ASSERT_TRUE(token);
    EXPECT_FALSE(store.redeem(*token, t0 + 60s));
    auto fresh = store.issue(kGuest, t0);
    ASSERT_TRUE(fresh);
    EXPECT_TRUE(store.redeem(*fresh, t0 + 59s));
    EXPECT_EQ(store.size(), 0u);
}

TEST(TokenStore, TheOldestGoWhenFull) {
    TokenStore store(60s, 3);
    std::vector<std::string> tokens;
    for (int i = 0; i < 4; ++i) {
        tokens.push_back(*store.issue(kGuest));
    }
    EXPECT_EQ(store.size(), 3u);
    EXPECT_FALSE(store.redeem(tokens[0]));
    EXPECT_TRUE(store.redeem(tokens[3]));
}

} // namespace
} // namespace warren::web
