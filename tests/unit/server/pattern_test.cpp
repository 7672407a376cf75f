// Pattern: user-supplied regular expressions cost bounded time and memory. These would stop
// (std::regex: seconds to forever) or crash (stack overflow while compiling) a backtracking
// engine; here they answer, or are refused with a reason.

#include <gtest/gtest.h>

#include "server/pattern.hpp"

namespace warren::server {
namespace {

TEST(Pattern, SearchesUnanchoredAndAnchorsWhenAsked) {
    auto p = Pattern::compile("a");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->search("xax"));
    EXPECT_FALSE(p->search("xyz"));
    auto anchored = Pattern::compile("^amq\\.gen-.*$");
    ASSERT_TRUE(anchored);
    EXPECT_TRUE(anchored->search("amq.gen-123"));
    EXPECT_FALSE(anchored->search("x.amq.gen-123"));
    EXPECT_EQ(anchored->text(), "^amq\\.gen-.*$");
}

TEST(Pattern, CaseInsensitiveWhenAsked) {
    EXPECT_TRUE(Pattern::compile("ORDERS", true)->search("new-orders"));
    EXPECT_FALSE(Pattern::compile("ORDERS")->search("new-orders"));
}

TEST(Pattern, ExponentialBacktrackingPatternsMatchInLinearTime) {
    auto p = Pattern::compile("^(a|aa)+$");
    ASSERT_TRUE(p);
    // A backtracking engine tries about 2^n ways here before it says no.
    const std::string near_miss = std::string(254, 'a') + "b";
    EXPECT_FALSE(p->search(near_miss));
    EXPECT_TRUE(p->search(std::string(254, 'a')));
    auto nested = Pattern::compile("^(a+)+$");
    ASSERT_TRUE(nested);
    EXPECT_FALSE(nested->search(std::string(5000, 'a') + "!"));
}

TEST(Pattern, DeepNestingCompilesWithoutRecursionOrIsRefusedForItsLength) {
    // RE2 walks a pattern with explicit stacks, so nesting cannot overflow the thread's stack:
    // as deep as the length limit allows compiles and works.
    const std::string deep = std::string(2000, '(') + "a" + std::string(2000, ')');
    auto compiled = Pattern::compile(deep);
    ASSERT_TRUE(compiled) << compiled.error().reason;
    EXPECT_TRUE(compiled->search("xay"));
    const std::string deeper = std::string(3000, '(') + "a" + std::string(3000, ')');
    auto refused = Pattern::compile(deeper);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::bad_request);
    // Tens of thousands of groups: refused by length before the parser sees them.
    const std::string huge = std::string(50000, '(') + std::string(50000, ')');
    auto too_long = Pattern::compile(huge);
    ASSERT_FALSE(too_long);
    EXPECT_NE(too_long.error().reason.find("limit"), std::string::npos);
}

TEST(Pattern, HugeRepetitionsAreRefusedForTheirSize) {
    auto refused = Pattern::compile("((a{100}){100}){100}");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::bad_request);
}

TEST(Pattern, BackreferencesAreRefusedWithAReason) {
    auto refused = Pattern::compile("(a)\\1");
    ASSERT_FALSE(refused);
    EXPECT_FALSE(refused.error().reason.empty());
}

} // namespace
} // namespace warren::server
