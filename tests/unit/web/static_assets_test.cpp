#include <set>
#include <string>

#include <gtest/gtest.h>

#include "web/static_assets.hpp"

namespace warren::web {
namespace {

TEST(EtagMatches, ExactWeakListAndStar) {
    EXPECT_TRUE(etag_matches("\"abc\"", "\"abc\""));
    EXPECT_TRUE(etag_matches("W/\"abc\"", "\"abc\""));
    EXPECT_TRUE(etag_matches("\"x\", \"abc\"", "\"abc\""));
    EXPECT_TRUE(etag_matches("\"x\",W/\"abc\"  ", "\"abc\""));
    EXPECT_TRUE(etag_matches("*", "\"abc\""));
}

TEST(EtagMatches, OthersDoNot) {
    EXPECT_FALSE(etag_matches("", "\"abc\""));
    EXPECT_FALSE(etag_matches("\"abcd\"", "\"abc\""));
    EXPECT_FALSE(etag_matches("abc", "\"abc\""));
    EXPECT_FALSE(etag_matches(",,", "\"abc\""));
}

TEST(AdminAssets, EmbeddedWithTypesAndDistinctTags) {
    std::set<std::string_view> paths;
    std::set<std::string_view> etags;
    for (const EmbeddedAsset& asset : admin_assets()) {
        paths.insert(asset.path);
        etags.insert(asset.etag);
        EXPECT_GT(asset.size, 0u) << asset.path;
        EXPECT_EQ(asset.etag.size(), 18u) << asset.path; // 16 hex digits, quoted
        if (asset.path.ends_with(".js")) {
            EXPECT_EQ(asset.content_type, "text/javascript; charset=utf-8") << asset.path;
        }
    }
    EXPECT_TRUE(paths.contains("index.html"));
    EXPECT_TRUE(paths.contains("style.css"));
    EXPECT_TRUE(paths.contains("js/app.js"));
    EXPECT_EQ(etags.size(), paths.size());
}

} // namespace
} // namespace warren::web
