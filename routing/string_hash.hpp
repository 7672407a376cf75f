#pragma once

// Hashing and comparing the short strings routing deals in (names, words of keys), inlined, and
// transparent hashing for string-keyed hash maps, so that lookups by std::string_view (the routing
// key, a word of it, an exchange name) construct no std::string (C++20 heterogeneous lookup).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace warren::routing {

// A fast hash for the short strings routing deals in (names, words of keys), 8 bytes at a time
// and inlined (std::hash is an out-of-line call). Not for untrusted input in a table without
// another defence: routing's tables are keyed by names the server accepted.
inline std::size_t hash_string(std::string_view s) noexcept {
    const auto load64 = [](const char* p) {
        std::uint64_t v = 0;
        std::memcpy(&v, p, 8);
        return v;
    };
    const auto load32 = [](const char* p) {
        std::uint32_t v = 0;
        std::memcpy(&v, p, 4);
        return std::uint64_t{v};
    };
    const char* p = s.data();
    const std::size_t n = s.size();
    std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    std::uint64_t tail = 0; // the last 1..8 bytes, read without a byte loop or a memcpy call
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            h = (h ^ load64(p + i)) * 0xbf58476d1ce4e5b9ULL;
            h ^= h >> 31;
        }
        tail = load64(p + n - 8); // may overlap the last block: the length is in h already
    } else if (n >= 4) {
        tail = load32(p) << 32 | load32(p + n - 4);
    } else if (n > 0) {
        const auto byte = [&](std::size_t i) {
            return std::uint64_t{static_cast<unsigned char>(p[i])};
        };
        tail = byte(0) << 16 | byte(n / 2) << 8 | byte(n - 1);
    }
    h = (h ^ tail) * 0x94d049bb133111ebULL;
    h ^= h >> 29;
    h *= 0xff51afd7ed558ccdULL;
    return static_cast<std::size_t>(h ^ (h >> 32));
}

// Byte equality, 8, 4 or 1 bytes at a time: for words and names a memcmp call costs more than
// the comparison.
inline bool bytes_equal(const char* a, const char* b, std::size_t n) noexcept {
    const auto load64 = [](const char* p) {
        std::uint64_t v = 0;
        std::memcpy(&v, p, 8);
        return v;
    };
    const auto load32 = [](const char* p) {
        std::uint32_t v = 0;
        std::memcpy(&v, p, 4);
        return v;
    };
    if (n >= 8) {
        for (std::size_t i = 0; i + 8 < n; i += 8) {
            if (load64(a + i) != load64(b + i)) {
                return false;
            }
        }
        return load64(a + n - 8) == load64(b + n - 8);
    }
    if (n >= 4) {
        return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
    }
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    return true;
}

inline bool same_string(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           (a.data() == b.data() || bytes_equal(a.data(), b.data(), a.size()));
}

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return hash_string(s); }
};

} // namespace warren::routing
