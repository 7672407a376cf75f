// json_text::append_string writes what boost::json::serialize writes for the same string: every
// byte that needs an escape, at every position of the eight-byte words it skips over.

#include <random>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <gtest/gtest.h>

#include "common/json_text.hpp"

namespace warren {
namespace {

std::string ours(std::string_view text) {
    std::string out;
    json_text::append_string(out, text);
    return out;
}

std::string boosts(std::string_view text) {
    return boost::json::serialize(boost::json::string(text));
}

TEST(JsonText, EveryEscapeAtEveryPositionOfAWord) {
    const std::string plain = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int c = 0; c < 0x80; ++c) {
        for (std::size_t at = 0; at < 20; ++at) {
            std::string text = plain;
            text[at] = static_cast<char>(c);
            ASSERT_EQ(ours(text), boosts(text)) << "byte " << c << " at " << at;
        }
    }
}

TEST(JsonText, MixedTextMatchesBoost) {
    std::mt19937 random(7);
    const std::string alphabet = "ab \"\\\n\t\x01\x1f~\x7f"
                                 "\xc3\xa9";
    for (int round = 0; round < 2000; ++round) {
        std::string text;
        const auto length = random() % 64;
        for (std::uint32_t i = 0; i < length; ++i) {
            // Mostly plain text, as payloads are, with a special byte now and then.
            text += random() % 8 == 0 ? alphabet[random() % alphabet.size()]
                                      : static_cast<char>('a' + random() % 26);
        }
        if (text.find('\xc3') != std::string::npos && text.find("\xc3\xa9") == std::string::npos) {
            continue; // half a UTF-8 sequence: not a valid input
        }
        ASSERT_EQ(ours(text), boosts(text)) << round;
    }
    EXPECT_EQ(ours(""), "\"\"");
    EXPECT_EQ(ours("exactly8"), "\"exactly8\"");
}

} // namespace
} // namespace warren
