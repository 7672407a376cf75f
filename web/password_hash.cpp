#include "web/password_hash.hpp"

#include <array>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "web/base64.hpp"

namespace warren::web {
namespace {

constexpr std::size_t kSaltSize = 4;

const EVP_MD* digest_of(std::string_view algorithm) {
    if (algorithm == "rabbit_password_hashing_sha256") {
        return EVP_sha256();
    }
    if (algorithm == "rabbit_password_hashing_sha512") {
        return EVP_sha512();
    }
    if (algorithm == "rabbit_password_hashing_md5") {
        return EVP_md5();
    }
    return nullptr;
}

std::string salted_digest(const EVP_MD* md, std::string_view salt, std::string_view password) {
    std::string input;
    input.reserve(salt.size() + password.size());
    input.append(salt).append(password);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_Digest(input.data(), input.size(), digest.data(), &length, md, nullptr);
    OPENSSL_cleanse(input.data(), input.size());
    return std::string(salt).append(reinterpret_cast<const char*>(digest.data()), length);
}

} // namespace

bool known_hashing_algorithm(std::string_view algorithm) {
    return digest_of(algorithm) != nullptr;
}

std::string hash_password(std::string_view password, std::string_view algorithm) {
    const EVP_MD* md = digest_of(algorithm);
    if (md == nullptr) {
        md = EVP_sha256();
    }
    std::array<unsigned char, kSaltSize> salt{};
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed: no entropy for a password salt");
    }
    return base64_encode(
        salted_digest(md, {reinterpret_cast<const char*>(salt.data()), salt.size()}, password));
}

bool verify_password(std::string_view stored_hash, std::string_view algorithm,
                     std::string_view password) {
    const EVP_MD* md = digest_of(algorithm);
    auto stored = base64_decode(stored_hash);
    if (md == nullptr || !stored ||
        stored->size() != kSaltSize + static_cast<std::size_t>(EVP_MD_get_size(md))) {
        return false;
    }
    std::string computed =
        salted_digest(md, std::string_view(*stored).substr(0, kSaltSize), password);
    return CRYPTO_memcmp(computed.data(), stored->data(), computed.size()) == 0;
}

std::optional<std::string> invalid_password_hash(std::string_view hash) {
    if (!base64_decode(hash)) {
        return "not_base64";
    }
    return std::nullopt;
}

} // namespace warren::web
