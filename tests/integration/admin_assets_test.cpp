// The admin page's files, embedded in the binary (cmake/embed.cmake) and served at "/" by the
// real warren: content types, ETag revalidation, 404 for unknown files, no credentials needed;
// and the API's 401 without the Basic challenge for the page's own (XMLHttpRequest) calls.

#include <gtest/gtest.h>

#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/warren_process.hpp"

namespace warren::test {
namespace {

using boost::beast::http::verb;

class AdminAssets : public ::testing::Test {
protected:
    WarrenProcess server_;
    HttpClient client_{server_.port()};

    HttpReply get(std::string_view target, const Headers& headers = {}) {
        return client_.request(verb::get, target, {}, headers, std::nullopt);
    }
};

TEST_F(AdminAssets, RootIsTheHtmlPageWithoutCredentials) {
    HttpReply reply = get("/");
    ASSERT_EQ(reply.status, 200u) << reply.body;
    EXPECT_EQ(reply.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_NE(reply.body.find("<!doctype html>"), std::string::npos);
    EXPECT_NE(reply.body.find("js/app.js"), std::string::npos);
    EXPECT_EQ(reply.header("Cache-Control"), "no-cache");
    EXPECT_FALSE(reply.header("ETag").empty());
    EXPECT_NE(reply.header("Content-Security-Policy").find("default-src 'none'"),
              std::string::npos);
    EXPECT_EQ(reply.header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(get("/index.html").body, reply.body);
}

TEST_F(AdminAssets, ContentTypesFollowTheExtension) {
    HttpReply css = get("/style.css");
    ASSERT_EQ(css.status, 200u);
    EXPECT_EQ(css.header("Content-Type"), "text/css; charset=utf-8");
    HttpReply js = get("/js/app.js");
    ASSERT_EQ(js.status, 200u);
    EXPECT_EQ(js.header("Content-Type"), "text/javascript; charset=utf-8");
    EXPECT_NE(js.body.find("import"), std::string::npos);
    HttpReply svg = get("/favicon.svg");
    ASSERT_EQ(svg.status, 200u);
    EXPECT_EQ(svg.header("Content-Type"), "image/svg+xml");
}

TEST_F(AdminAssets, MatchingIfNoneMatchAnswers304WithoutBody) {
    HttpReply first = get("/js/api.js");
    ASSERT_EQ(first.status, 200u);
    std::string etag = first.header("ETag");
    ASSERT_EQ(etag.front(), '"');

    HttpReply same = get("/js/api.js", {{"If-None-Match", etag}});
    EXPECT_EQ(same.status, 304u);
    EXPECT_TRUE(same.body.empty());
    EXPECT_EQ(same.header("ETag"), etag);
    EXPECT_TRUE(same.header("Content-Length").empty()) << same.header("Content-Length");
    // The connection stays usable after a body-less 304.
    EXPECT_EQ(get("/js/api.js").status, 200u);

    // A list of tags, a weak form of ours, and "*" all match; another tag does not.
    EXPECT_EQ(get("/js/api.js", {{"If-None-Match", "\"other\", " + etag}}).status, 304u);
    EXPECT_EQ(get("/js/api.js", {{"If-None-Match", "W/" + etag}}).status, 304u);
    EXPECT_EQ(get("/js/api.js", {{"If-None-Match", "*"}}).status, 304u);
    EXPECT_EQ(get("/js/api.js", {{"If-None-Match", "\"other\""}}).status, 200u);
    // Each file has its own tag.
    EXPECT_NE(get("/js/app.js").header("ETag"), etag);
}

TEST_F(AdminAssets, UnknownAssetIs404Json) {
    HttpReply reply = get("/js/no-such-file.js");
    EXPECT_EQ(reply.status, 404u);
    EXPECT_EQ(reply.header("Content-Type"), "application/json");
    EXPECT_EQ(get("/no-such-page.html").status, 404u);
}

TEST_F(AdminAssets, AssetsAreGetOnly) {
    HttpReply reply = client_.request(verb::post, "/", "x", {}, std::nullopt);
    EXPECT_EQ(reply.status, 405u);
}

TEST_F(AdminAssets, ApiStaysAuthenticated) {
    HttpReply reply = get("/api/overview");
    EXPECT_EQ(reply.status, 401u);
    EXPECT_EQ(reply.header("WWW-Authenticate"), "Basic realm=\"warren\"");
}

TEST_F(AdminAssets, XmlHttpRequestGets401WithoutBasicChallenge) {
    // The page shows its own login form: a challenge would make the browser pop up its own.
    HttpReply reply = get("/api/whoami", {{"X-Requested-With", "XMLHttpRequest"}});
    EXPECT_EQ(reply.status, 401u);
    EXPECT_TRUE(reply.header("WWW-Authenticate").empty());
    EXPECT_EQ(reply.json().at("error"), "not_authorized");

    HttpReply wrong =
        client_.request(verb::get, "/api/whoami", {}, {{"X-Requested-With", "XMLHttpRequest"}},
                        Credentials{"guest", "wrong"});
    EXPECT_EQ(wrong.status, 401u);
    EXPECT_TRUE(wrong.header("WWW-Authenticate").empty());
}

} // namespace
} // namespace warren::test
