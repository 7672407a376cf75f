#include "web/static_assets.hpp"

#include <string>

#include <boost/beast/http/field.hpp>

namespace warren::web {

namespace http = boost::beast::http;

namespace {

// Everything from this server only; WebSockets to the same host are covered by 'self'.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

Response asset_response(const EmbeddedAsset& asset, const Request& request) {
    bool not_modified = etag_matches(request[http::field::if_none_match], asset.etag);
    Response res{not_modified ? http::status::not_modified : http::status::ok, 11};
    res.set(http::field::etag, asset.etag);
    res.set(http::field::cache_control, "no-cache");
    res.set("Content-Security-Policy", kContentSecurityPolicy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    if (!not_modified) {
        res.set(http::field::content_type, asset.content_type);
        res.body().assign(reinterpret_cast<const char*>(asset.data), asset.size);
    }
    return res;
}

} // namespace

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
    while (!if_none_match.empty()) {
        std::size_t comma = if_none_match.find(',');
        std::string_view candidate = trim(if_none_match.substr(0, comma));
        if_none_match =
            comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
        if (candidate == "*") {
            return true;
        }
        if (candidate.starts_with("W/")) {
            candidate.remove_prefix(2);
        }
        if (!candidate.empty() && candidate == etag) {
            return true;
        }
    }
    return false;
}

void register_static_asset_routes(ApiRouter& router, std::span<const EmbeddedAsset> assets) {
    for (const EmbeddedAsset& asset : assets) {
        auto handler = [&asset](RequestContext& context) -> HandlerResult {
            return asset_response(asset, context.request);
        };
        router.add(http::verb::get, "/" + std::string(asset.path), handler,
                   RouteOptions{.authenticated = false});
        if (asset.path == "index.html") {
            router.add(http::verb::get, "/", handler, RouteOptions{.authenticated = false});
        }
    }
}

} // namespace warren::web
