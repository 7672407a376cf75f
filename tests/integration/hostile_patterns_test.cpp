// Regular expressions a client supplies (permission patterns, list filters) against the real
// binary: one that crashed the server while compiling (tens of thousands of nested groups) is a
// 400, and one that took a backtracking engine seconds to forever (`^(a|aa)+$` against a long
// near-miss) is answered at once, on every declare, and in a list filter. The server keeps
// serving and logs no error.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"
#include "tests/integration/support/warren_process.hpp"

namespace warren::test {
namespace {

namespace json = boost::json;

std::string permission_body(std::string_view configure) {
    return json::serialize(json::object{{"configure", configure}, {"write", ".*"}, {"read", ".*"}});
}

class HostilePatterns : public ::testing::Test {
protected:
    WarrenProcess server_;
    Api api_{server_.port()};
};

TEST_F(HostilePatterns, AHugelyNestedPermissionPatternIs400AndTheServerLives) {
    const std::string nested = std::string(50000, '(') + std::string(50000, ')');
    expect_api_error(api_.put("/api/permissions/%2F/guest", permission_body(nested)), 400,
                     "bad_request");
    EXPECT_EQ(api_.get("/api/overview").status, 200u);
    // The guest's permissions are as they were.
    EXPECT_EQ(api_.get_json("/api/permissions/%2F/guest").at("configure"), ".*");
}

TEST_F(HostilePatterns, ABacktrackingPermissionPatternIsCheckedAtOnceOnEveryDeclare) {
    ASSERT_EQ(api_.put("/api/users/slow", R"({"password":"pw","tags":"management"})").status, 201u);
    ASSERT_EQ(api_.put("/api/permissions/%2F/slow", permission_body("^(a|aa)+$")).status, 201u);
    HttpClient slow(server_.port());
    const Credentials who{"slow", "pw"};
    for (std::size_t n : {40u, 254u}) {
        const std::string near_miss = std::string(n, 'a') + "b";
        // The client's deadline is 5 s; a backtracking engine needs far longer for n = 40.
        HttpReply refused = slow.request(boost::beast::http::verb::put,
                                         "/api/queues/%2F/" + near_miss, "{}", {}, who);
        expect_api_error(refused, 401, "not_authorised");
        HttpReply allowed = slow.request(boost::beast::http::verb::put,
                                         "/api/queues/%2F/" + std::string(n, 'a'), "{}", {}, who);
        EXPECT_EQ(allowed.status, 201u) << allowed.body;
    }
    EXPECT_EQ(api_.get("/api/overview").status, 200u);
    EXPECT_EQ(server_.output().find("[error]"), std::string::npos) << server_.output();
}

TEST_F(HostilePatterns, ABacktrackingListFilterIsAnsweredAtOnce) {
    const std::string near_miss = std::string(254, 'a') + "b";
    ASSERT_EQ(api_.put("/api/queues/%2F/" + near_miss, "{}").status, 201u);
    const json::value listed = api_.get_json("/api/queues?use_regex=true&name=%5E(a%7Caa)%2B%24");
    EXPECT_EQ(listed, json::array{});
    expect_api_error(api_.get("/api/queues?use_regex=true&name=(a)%5C1"), 400, "bad_request");
}

} // namespace
} // namespace warren::test
