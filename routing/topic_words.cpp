#include "routing/topic_words.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

namespace warren::routing {

namespace {

// Bit 7 of each byte of the result is set where `chunk` holds a '.'; a byte equal to '/' right
// after a '.' can be flagged too (a borrow), so callers check the byte.
std::uint64_t dots_in(std::uint64_t chunk) {
    const std::uint64_t x = chunk ^ 0x2e2e2e2e2e2e2e2eULL;
    return (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
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
        const std::string_view word(p + start, dot - start);
        words.push_back(HashedWord{word, hash_string(word)});
        start = dot + 1;
    };
    // Eight bytes at a time: no branch per byte and no call per word.
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t chunk = 0;
        std::memcpy(&chunk, p + i, 8);
        if constexpr (std::endian::native == std::endian::big) {
            chunk = __builtin_bswap64(chunk);
        }
        for (std::uint64_t dots = dots_in(chunk); dots != 0; dots &= dots - 1) {
            const std::size_t at = i + static_cast<std::size_t>(std::countr_zero(dots)) / 8;
            if (p[at] == '.') {
                word_ends_at(at);
            }
        }
    }
    for (; i < n; ++i) {
        if (p[i] == '.') {
            word_ends_at(i);
        }
    }
    word_ends_at(n);
}

} // namespace warren::routing
