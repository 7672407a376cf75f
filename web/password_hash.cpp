#include "web/password_hash.hpp"

#include <array>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/base64.hpp"

namespace warren::web {
namespace {

constexpr std::size_t kSaltSize = 4;

// Each algorithm's implementation, fetched once. The legacy EVP_sha256() & co. make OpenSSL 3
// look the implementation up again on every digest: ~0.7 us of the ~1 us a verification took,
// once per authenticated request (Basic auth checks the password on every one).
const EVP_MD* fetched(const char* name, const EVP_MD* legacy) {
    const EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
    return md != nullptr ? md : legacy; // kept for the process's lifetime
}

const EVP_MD* digest_of(std::string_view algorithm) {
    if (algorithm == "rabbit_password_hashing_sha256") {
        static const EVP_MD* const md = fetched("SHA2-256", EVP_sha256());
        return md;
    }
    if (algorithm == "rabbit_password_hashing_sha512") {
        static const EVP_MD* const md = fetched("SHA2-512", EVP_sha512());
        return md;
    }
    if (algorithm == "rabbit_password_hashing_md5") {
        static const EVP_MD* const md = fetched("MD5", EVP_md5());
        return md;
    }
    return nullptr;
}

using Digest = std::array<unsigned char, EVP_MAX_MD_SIZE>;

// H(salt + password) into `out`, without copying the password into a concatenated buffer.
// Returns the digest's length, 0 if OpenSSL failed.
unsigned int salted_digest(const EVP_MD* md, std::string_view salt, std::string_view password,
                           Digest& out) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned int length = 0;
    const bool ok = ctx != nullptr && EVP_DigestInit_ex2(ctx, md, nullptr) == 1 &&
                    EVP_DigestUpdate(ctx, salt.data(), salt.size()) == 1 &&
                    EVP_DigestUpdate(ctx, password.data(), password.size()) == 1 &&
                    EVP_DigestFinal_ex(ctx, out.data(), &length) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? length : 0;
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
    std::string_view salt_bytes(reinterpret_cast<const char*>(salt.data()), salt.size());
    Digest digest{};
    const unsigned int length = salted_digest(md, salt_bytes, password, digest);
    if (length == 0) {
        throw std::runtime_error("password digest failed");
    }
    return base64_encode(
        std::string(salt_bytes).append(reinterpret_cast<const char*>(digest.data()), length));
}

bool verify_password(std::string_view stored_hash, std::string_view algorithm,
                     std::string_view password) {
    const EVP_MD* md = digest_of(algorithm);
    // Decoded on the stack: this runs on every authenticated request. A longer hash cannot have
    // the length of salt + digest anyway.
    std::array<char, kSaltSize + EVP_MAX_MD_SIZE + 3> stored{};
    if (md == nullptr || base64_decoded_capacity(stored_hash) > stored.size()) {
        return false;
    }
    auto stored_size = base64_decode_into(stored_hash, stored.data());
    if (!stored_size || *stored_size != kSaltSize + static_cast<std::size_t>(EVP_MD_get_size(md))) {
        return false;
    }
    Digest digest{};
    const unsigned int length =
        salted_digest(md, std::string_view(stored.data(), kSaltSize), password, digest);
    return length + kSaltSize == *stored_size &&
           CRYPTO_memcmp(digest.data(), stored.data() + kSaltSize, length) == 0;
}

std::optional<std::string> invalid_password_hash(std::string_view hash) {
    if (!base64_decode(hash)) {
        return "not_base64";
    }
    return std::nullopt;
}

} // namespace warren::web
