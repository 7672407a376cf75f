#include "web/auth.hpp"

#include <algorithm>
#include <array>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "web/json_error.hpp"

namespace warren::web {

namespace {

constexpr std::string_view kLoginFailed = "Login failed";

Error login_failed() {
    return Error{Errc::not_authorized, std::string(kLoginFailed)};
}

// RFC 4648 base64 with padding; whitespace is not allowed inside the token.
std::optional<std::string> decode_base64(std::string_view text) {
    auto value_of = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        if (c == '+') {
            return 62;
        }
        if (c == '/') {
            return 63;
        }
        return -1;
    };
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
        ++padding;
    }
    std::string out;
    out.reserve(text.size() / 4 * 3);
    std::uint32_t bits = 0;
    int count = 0;
    for (std::size_t i = 0; i < text.size() - padding; ++i) {
        int v = value_of(text[i]);
        if (v < 0) {
            return std::nullopt;
        }
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        if (++count == 4) {
            out += static_cast<char>((bits >> 16) & 0xff);
            out += static_cast<char>((bits >> 8) & 0xff);
            out += static_cast<char>(bits & 0xff);
            bits = 0;
            count = 0;
        }
    }
    if (count == 3) {
        out += static_cast<char>((bits >> 10) & 0xff);
        out += static_cast<char>((bits >> 2) & 0xff);
    } else if (count == 2) {
        out += static_cast<char>((bits >> 4) & 0xff);
    } else if (count != 0) {
        return std::nullopt;
    }
    return out;
}

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

FixedUserAuthenticator::FixedUserAuthenticator()
    : FixedUserAuthenticator({User{"guest", "guest", {"administrator"}}}) {}

FixedUserAuthenticator::FixedUserAuthenticator(std::vector<User> users)
    : users_(std::move(users)) {}

Result<Principal> FixedUserAuthenticator::authenticate(std::string_view user,
                                                       std::string_view password) const {
    for (const User& u : users_) {
        if (u.name == user) {
            if (!constant_time_equal(u.password, password)) {
                return login_failed();
            }
            return Principal{u.name, u.tags, true};
        }
    }
    // Unknown user: spend the same work as a wrong password so timing reveals nothing.
    (void)constant_time_equal(password, password);
    return login_failed();
}

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
    auto decoded = decode_base64(token);
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
