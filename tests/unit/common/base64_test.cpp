// base64 (common/base64): encoding, the server's strict decoding (canonical padded only), the
// clients' lenient decoding of answers (padding optional), and decoding onto the stack.

#include <string>

#include <gtest/gtest.h>

#include "common/base64.hpp"

namespace warren {
namespace {

TEST(Base64, EncodesWithPadding) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("guest:guest"), "Z3Vlc3Q6Z3Vlc3Q=");
    EXPECT_EQ(base64_encode(std::string("\x00\xff\x10hi", 5)), "AP8QaGk=");
    EXPECT_EQ(base64_encode("\xfb\xff\xbf"), "+/+/");
}

TEST(Base64, RoundTripsEveryLengthAndByteUnderBothRules) {
    std::string bytes;
    for (int i = 0; i < 256; ++i) {
        bytes.push_back(static_cast<char>(i));
        const std::string encoded = base64_encode(bytes);
        EXPECT_EQ(base64_decode(encoded), bytes);
        EXPECT_EQ(base64_decode(encoded, Base64Padding::optional), bytes);
    }
}

TEST(Base64, StrictDecodingTakesOnlyCanonicalPaddedText) {
    EXPECT_EQ(base64_decode(""), "");
    EXPECT_EQ(base64_decode("Zg=="), "f");
    EXPECT_EQ(base64_decode("Zm8="), "fo");
    EXPECT_EQ(base64_decode("Z3Vlc3Q6Z3Vlc3Q="), "guest:guest");
    for (const char* bad : {
             "Zm8",      // padding left out
             "Zg=",      // padding short
             "Z",        // one character: not even one byte
             "Zm9v!",    // outside the alphabet
             "Zm9v====", // padding past the last quantum
             "Z===",     // three '='
             "====",     // nothing but padding
             "Zg=A",     // data after padding
             "Zg==Zm8=", // padding in the middle
             "Zm 9v",    // whitespace
             "Zm9v\n",   // a trailing newline
             "Zm9v-_",   // the URL-safe alphabet
         }) {
        EXPECT_FALSE(base64_decode(bad)) << bad;
    }
}

TEST(Base64, LenientDecodingLetsPaddingGo) {
    EXPECT_EQ(base64_decode("Zm8", Base64Padding::optional), "fo");
    EXPECT_EQ(base64_decode("Zg", Base64Padding::optional), "f");
    EXPECT_EQ(base64_decode("Zg=", Base64Padding::optional), "f");
    EXPECT_EQ(base64_decode("Zm9v====", Base64Padding::optional), "foo");
    // Still base64: the alphabet, no whitespace, no lone sextet.
    EXPECT_FALSE(base64_decode("Zm9v!", Base64Padding::optional));
    EXPECT_FALSE(base64_decode("Z", Base64Padding::optional));
    EXPECT_FALSE(base64_decode("Zm9vZ===", Base64Padding::optional));
    EXPECT_FALSE(base64_decode("Zm 9v", Base64Padding::optional));
    EXPECT_FALSE(base64_decode("Zg==Zm8=", Base64Padding::optional));
}

TEST(Base64, DecodesIntoACallersBuffer) {
    for (std::string_view text : {"", "Zg==", "Zm8=", "Zm9v", "Z3Vlc3Q6Z3Vlc3Q="}) {
        std::string buffer(base64_decoded_capacity(text), '\0');
        auto length = base64_decode_into(text, buffer.data());
        ASSERT_TRUE(length) << text;
        EXPECT_EQ(buffer.substr(0, *length), *base64_decode(text)) << text;
    }
    // Unpadded text needs the rounded-up capacity.
    std::string buffer(base64_decoded_capacity("Zm8"), '\0');
    auto length = base64_decode_into("Zm8", buffer.data(), Base64Padding::optional);
    ASSERT_TRUE(length);
    EXPECT_EQ(buffer.substr(0, *length), "fo");
    EXPECT_FALSE(base64_decode_into("Zm8", buffer.data()));
}

} // namespace
} // namespace warren
