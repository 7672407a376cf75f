// UserDirectory: users and permissions in memory, and RabbitMQ's permission rules (unanchored
// regex search, "" allows nothing, the default exchange checked as "amq.default").

#include <gtest/gtest.h>

#include "server/journal.hpp"
#include "server/users.hpp"

namespace warren::server {
namespace {

class Users : public ::testing::Test {
protected:
    Journal journal_{nullptr, {}}; // no store: nothing is journaled
    UserDirectory users_{journal_};

    void permit(std::string configure, std::string write, std::string read) {
        ASSERT_TRUE(users_.set_permission(
            Permission{"alice", "/", std::move(configure), std::move(write), std::move(read)}));
    }
};

TEST_F(Users, PutFindDelete) {
    EXPECT_TRUE(users_.empty());
    EXPECT_TRUE(users_.put_user(User{"alice", "h", "alg", {"management"}}));
    EXPECT_FALSE(users_.put_user(User{"alice", "h2", "alg", {"administrator"}}));
    ASSERT_NE(users_.find_user("alice"), nullptr);
    EXPECT_TRUE(users_.find_user("alice")->has_tag("administrator"));
    EXPECT_FALSE(users_.find_user("alice")->has_tag("management"));
    EXPECT_EQ(users_.users().size(), 1u);
    EXPECT_TRUE(users_.delete_user("alice"));
    EXPECT_EQ(users_.delete_user("alice").error().code, Errc::not_found);
    EXPECT_TRUE(users_.empty());
}

TEST_F(Users, PermissionsNeedAKnownUserAndCompilingRegexes) {
    auto unknown = users_.set_permission(Permission{"bob", "/", ".*", ".*", ".*"});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Errc::bad_request);
    users_.put_user(User{"alice", "", "", {}});
    auto bad = users_.set_permission(Permission{"alice", "/", "(", ".*", ".*"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::bad_request);
    EXPECT_FALSE(users_.can_access("alice", "/"));
    EXPECT_EQ(users_.set_permission(Permission{"alice", "/", ".*", ".*", ".*"}).value(), true);
    EXPECT_EQ(users_.set_permission(Permission{"alice", "/", "", ".*", ".*"}).value(), false);
    EXPECT_TRUE(users_.can_access("alice", "/"));
    EXPECT_FALSE(users_.can_access("alice", "other"));
}

TEST_F(Users, RegexesSearchAnywhereAndEmptyAllowsNothing) {
    users_.put_user(User{"alice", "", "", {}});
    permit("^app\\.", "log", "");
    EXPECT_TRUE(users_.allowed("alice", "/", Access::configure, "app.orders"));
    EXPECT_FALSE(users_.allowed("alice", "/", Access::configure, "my.app.orders"));
    EXPECT_TRUE(users_.allowed("alice", "/", Access::write, "catalog")); // unanchored
    EXPECT_FALSE(users_.allowed("alice", "/", Access::write, "orders"));
    EXPECT_FALSE(users_.allowed("alice", "/", Access::read, "anything"));
    EXPECT_FALSE(users_.allowed("alice", "other", Access::write, "log"));
    EXPECT_FALSE(users_.allowed("bob", "/", Access::write, "log"));
}

TEST_F(Users, TheDefaultExchangeIsCheckedAsAmqDefault) {
    users_.put_user(User{"alice", "", "", {}});
    permit("", "^amq\\.default$", "");
    EXPECT_TRUE(users_.allowed("alice", "/", Access::write, ""));
    EXPECT_FALSE(users_.allowed("alice", "/", Access::write, "amq.direct"));
}

TEST_F(Users, DeletingAUserOrVhostDropsItsPermissions) {
    users_.put_user(User{"alice", "", "", {}});
    users_.put_user(User{"bob", "", "", {}});
    ASSERT_TRUE(users_.set_permission(Permission{"alice", "/", ".*", ".*", ".*"}));
    ASSERT_TRUE(users_.set_permission(Permission{"alice", "v", ".*", ".*", ".*"}));
    ASSERT_TRUE(users_.set_permission(Permission{"bob", "v", ".*", ".*", ".*"}));
    EXPECT_EQ(users_.permissions().size(), 3u);
    EXPECT_EQ(users_.permissions("alice").size(), 2u);
    EXPECT_EQ(users_.permissions(std::nullopt, "v").size(), 2u);
    users_.forget_vhost("v");
    EXPECT_EQ(users_.permissions().size(), 1u);
    ASSERT_TRUE(users_.delete_user("alice"));
    EXPECT_TRUE(users_.permissions().empty());
}

TEST_F(Users, RestoreSkipsRowsThatDoNotParse) {
    users_.restore({{"alice", "hash", "alg", "management, monitoring"}},
                   {{"alice", "/", ".*", ".*", ".*"},
                    {"alice", "bad", "(", ".*", ".*"},
                    {"ghost", "/", ".*", ".*", ".*"}});
    ASSERT_NE(users_.find_user("alice"), nullptr);
    EXPECT_EQ(users_.find_user("alice")->tags,
              (std::vector<std::string>{"management", "monitoring"}));
    EXPECT_EQ(users_.permissions().size(), 1u);
}

TEST(Tags, SplitAndJoin) {
    EXPECT_EQ(split_tags(" administrator , management,,administrator"),
              (std::vector<std::string>{"administrator", "management"}));
    EXPECT_TRUE(split_tags("").empty());
    EXPECT_EQ(join_tags({"a", "b"}), "a,b");
}

} // namespace
} // namespace warren::server
