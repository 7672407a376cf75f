// is_valid_utf8: every rule of well-formed UTF-8, and the same answers whether a sequence falls
// inside the eight-byte ASCII fast path's words or across their edges.

#include <random>
#include <string>

#include <gtest/gtest.h>

#include "common/utf8.hpp"

namespace warren {
namespace {

TEST(Utf8, AcceptsValidText) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain ascii"));
    EXPECT_TRUE(is_valid_utf8("caf\xc3\xa9"));
    EXPECT_TRUE(is_valid_utf8("\xe2\x82\xac"));
    EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));
    EXPECT_TRUE(is_valid_utf8("Grüße 注文 🚀, and a long run of ASCII after it"));
}

TEST(Utf8, RejectsBrokenSequences) {
    EXPECT_FALSE(is_valid_utf8("\xff"));
    EXPECT_FALSE(is_valid_utf8("\xc3"));                 // truncated
    EXPECT_FALSE(is_valid_utf8("\xe2\x82"));             // truncated
    EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));             // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));         // overlong, three bytes
    EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));         // surrogate
    EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));     // past U+10FFFF
    EXPECT_FALSE(is_valid_utf8("a\x80z"));               // stray continuation byte
    EXPECT_FALSE(is_valid_utf8("\xf8\x88\x80\x80\x80")); // five-byte form
}

// Each bad byte at every offset of a longer ASCII text: the word-at-a-time scan must not step
// over it, and a good sequence there must not be refused.
TEST(Utf8, EveryOffsetOfALongText) {
    const std::string ascii(40, 'a');
    for (std::size_t at = 0; at < ascii.size(); ++at) {
        SCOPED_TRACE(at);
        std::string bad = ascii;
        bad[at] = '\x80';
        EXPECT_FALSE(is_valid_utf8(bad));
        std::string good = ascii;
        good.replace(at, 1, "\xe2\x82\xac");
        EXPECT_TRUE(is_valid_utf8(good));
        std::string cut = ascii.substr(0, at) + "\xe2\x82";
        EXPECT_FALSE(is_valid_utf8(cut));
    }
}

// A byte-by-byte reference decoder against the fast one on random mixtures.
bool reference_valid(const std::string& s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        int extra = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
        if (extra < 0 || i + static_cast<std::size_t>(extra) >= s.size()) {
            return false; // not a lead byte, or the sequence is cut off
        }
        std::uint32_t cp = extra == 0 ? c : c & (0x3F >> extra);
        for (int k = 1; k <= extra; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((cc >> 6) != 2) {
                return false;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        const std::uint32_t min[] = {0, 0x80, 0x800, 0x10000};
        if (cp < min[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += static_cast<std::size_t>(extra) + 1;
    }
    return true;
}

TEST(Utf8, AgreesWithAByteByByteDecoder) {
    std::mt19937 rng(20261202);
    const std::string pieces[] = {"a",
                                  "z",
                                  " ",
                                  "\xc3\xa9",
                                  "\xe2\x82\xac",
                                  "\xf0\x9f\x98\x80",
                                  "\x80",
                                  "\xc3",
                                  "\xed\xa0\x80",
                                  "\xff",
                                  "\xc0\xaf",
                                  "abcdefgh"};
    int valid = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string s;
        const int n = static_cast<int>(rng() % 12);
        for (int i = 0; i < n; ++i) {
            // Mostly good pieces, so that valid texts are common too.
            const std::size_t pick = rng() % 16;
            s += pieces[pick < 12 ? pick : pick % 3];
        }
        const bool expected = reference_valid(s);
        valid += expected ? 1 : 0;
        ASSERT_EQ(is_valid_utf8(s), expected) << testing::PrintToString(s);
    }
    EXPECT_GT(valid, 1000);
}

} // namespace
} // namespace warren
