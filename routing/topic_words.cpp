#include "routing/topic_words.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

namespace warren::routing {

namespace {

// Bit 7 of byte k of the result is set exactly where byte k of `chunk` is a '.': the classic
// zero-byte test on chunk ^ "........", in the form without false positives (no borrow crosses
// a byte because the low seven bits are added separately).
std::uint64_t dots_in(std::uint64_t chunk) {
    constexpr std::uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;
    const std::uint64_t x = chunk ^ 0x2e2e2e2e2e2e2e2eULL;
    return ~(((x & kLow7) + kLow7) | x | kLow7);
}

// Eight bytes from `p`, byte k of the text in bits 8k..8k+7 whatever the machine's byte order.
std::uint64_t load_chunk(const char* p) {
    std::uint64_t chunk = 0;
    std::memcpy(&chunk, p, 8);
    if constexpr (std::endian::native == std::endian::big) {
        chunk = __builtin_bswap64(chunk);
    }
    return chunk;
}

} // namespace

void split_topic_key(std::string_view key, TopicWords& words) {
    words.clear();
    if (key.empty()) {
        return; // zero words, not one empty word
    }
    const char* const p = key.data();
    const std::size_t n = key.size();
    std::size_t start = 0;
    const auto word_ends_at = [&](std::size_t dot) {
        // Member by member: a HashedWord built whole and then pushed is spilled by GCC in
        // pieces and reloaded whole, which stalls store forwarding once per word.
        HashedWord& word = words.emplace_back();
        word.text = std::string_view(p + start, dot - start);
        word.hash = hash_string(word.text);
        start = dot + 1;
    };
    // Eight bytes at a time: no branch per byte and no call per word.
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        for (std::uint64_t dots = dots_in(load_chunk(p + i)); dots != 0; dots &= dots - 1) {
            word_ends_at(i + static_cast<std::size_t>(std::countr_zero(dots)) / 8);
        }
    }
    if (i < n && n >= 8) {
        // The last 1..7 bytes: the key's last eight, less the ones scanned above.
        const std::size_t scanned = 8 - (n - i);
        for (std::uint64_t dots = dots_in(load_chunk(p + n - 8)) >> (8 * scanned); dots != 0;
             dots &= dots - 1) {
            word_ends_at(i + static_cast<std::size_t>(std::countr_zero(dots)) / 8);
        }
    } else {
        for (; i < n; ++i) {
            if (p[i] == '.') {
                word_ends_at(i);
            }
        }
    }
    word_ends_at(n);
}

} // namespace warren::routing
