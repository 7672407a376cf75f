#include "web/token_store.hpp"

#include <array>

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace warren::web {

namespace {

std::string hex(const unsigned char* data, std::size_t size) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += kDigits[data[i] >> 4];
        out += kDigits[data[i] & 0x0f];
    }
    return out;
}

std::string digest_of(std::string_view token) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(token.data(), token.size(), digest.data(), &length, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

} // namespace

TokenStore::TokenStore(std::chrono::seconds lifetime, std::size_t max_tokens)
    : lifetime_(lifetime), max_tokens_(max_tokens == 0 ? 1 : max_tokens) {}

Result<std::string> TokenStore::issue(Principal principal, Clock::time_point now) {
    std::array<unsigned char, 32> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        return make_error(Errc::internal, "cannot generate a token: the random source failed");
    }
    std::string token = hex(bytes.data(), bytes.size());
    std::string key = digest_of(token);
    std::lock_guard lock(mutex_);
    prune(now);
    // order_ bounds both: it also remembers redeemed tokens until they would have expired.
    while (order_.size() >= max_tokens_) {
        tokens_.erase(order_.front().second);
        order_.pop_front();
    }
    tokens_.insert_or_assign(key, Entry{std::move(principal), now + lifetime_});
    order_.emplace_back(now + lifetime_, std::move(key));
    return token;
}

std::optional<Principal> TokenStore::redeem(std::string_view token, Clock::time_point now) {
    std::string key = digest_of(token);
    std::lock_guard lock(mutex_);
    prune(now);
    auto it = tokens_.find(key);
    if (it == tokens_.end() || it->second.expires <= now) {
        return std::nullopt;
    }
    Principal principal = std::move(it->second.principal);
    tokens_.erase(it); // single use; its order_ entry goes when it would have expired
    return principal;
}

std::size_t TokenStore::size() const {
    std::lock_guard lock(mutex_);
    return tokens_.size();
}

void TokenStore::prune(Clock::time_point now) {
    while (!order_.empty() && order_.front().first <= now) {
        tokens_.erase(order_.front().second);
        order_.pop_front();
    }
}

} // namespace warren::web
