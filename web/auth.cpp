#include "web/auth.hpp"

#include <algorithm>
#include <array>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/base64.hpp"
#include "web/json_error.hpp"

namespace warren::web {

namespace {

using Digest = std::array<unsigned char, 32>;

Digest sha256(std::string_view data) {
    Digest digest{};
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
    return digest;
}

bool has_management_tag(const Principal& principal) {
    static constexpr std::string_view kTags[] = {"administrator", "monitoring", "policymaker",
                                                 "management"};
    return std::any_of(principal.tags.begin(), principal.tags.end(), [](const std::string& tag) {
        return std::find(std::begin(kTags), std::end(kTags), tag) != std::end(kTags);
    });
}

} // namespace

BasicAuth::BasicAuth(const Authenticator& authenticator, std::vector<std::string> loopback_users)
    : authenticator_(authenticator), loopback_users_(std::move(loopback_users)) {}

Result<Principal> BasicAuth::check(std::string_view authorization,
                                   const boost::asio::ip::address& peer) const {
    if (authorization.empty()) {
        return Error{Errc::not_authorized, "Authentication required"};
    }
    auto credentials = parse_basic_credentials(authorization);
    if (!credentials) {
        return Error{Errc::not_authorized, "Malformed Basic authorization header"};
    }
    auto principal = authenticator_.authenticate(credentials->first, credentials->second);
    if (!principal) {
        return principal;
    }
    bool loopback_only = std::find(loopback_users_.begin(), loopback_users_.end(),
                                   principal->name) != loopback_users_.end();
    if (loopback_only && !is_loopback(peer)) {
        return Error{Errc::not_authorized, std::string(kLoopbackOnlyReason)};
    }
    if (!has_management_tag(*principal)) {
        return Error{Errc::not_authorized, std::string(kNotManagementUserReason)};
    }
    return principal;
}

std::optional<std::pair<std::string, std::string>>
parse_basic_credentials(std::string_view authorization) {
    constexpr std::string_view kScheme = "basic";
    if (authorization.size() <= kScheme.size() ||
        !std::equal(kScheme.begin(), kScheme.end(), authorization.begin(),
                    [](char a, char b) { return a == (b | 0x20); }) ||
        authorization[kScheme.size()] != ' ') {
        return std::nullopt;
    }
    std::string_view token = authorization.substr(kScheme.size() + 1);
    while (!token.empty() && token.front() == ' ') {
        token.remove_prefix(1);
    }
    while (!token.empty() && token.back() == ' ') {
        token.remove_suffix(1);
    }
    auto decoded = base64_decode(token);
    if (!decoded) {
        return std::nullopt;
    }
    auto colon = decoded->find(':');
    if (colon == std::string::npos) {
        return std::nullopt;
    }
    return std::pair{decoded->substr(0, colon), decoded->substr(colon + 1)};
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    // Comparing fixed-size digests hides the lengths as well as the position of a difference.
    Digest da = sha256(a);
    Digest db = sha256(b);
    return CRYPTO_memcmp(da.data(), db.data(), da.size()) == 0;
}

bool is_loopback(const boost::asio::ip::address& address) {
    if (address.is_v6()) {
        auto v6 = address.to_v6();
        if (v6.is_v4_mapped()) {
            return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).is_loopback();
        }
        return v6.is_loopback();
    }
    return address.is_loopback();
}

} // namespace warren::web
