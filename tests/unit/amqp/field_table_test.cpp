// Field tables: every type letter RabbitMQ's clients send, decoded to JSON; JSON encoded back;
// limits on what a hostile table can do.
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "amqp/codec/field_table.hpp"
#include "bytes.hpp"

namespace warren::amqp {
namespace {
using test::hex;
namespace json = boost::json;

std::string entry(std::string_view key, std::string_view type_and_value) {
    return std::string(1, static_cast<char>(key.size())) + std::string(key) + hex(type_and_value);
}

TEST(AmqpFieldTable, EveryTypeLetterDecodes) {
    const std::string bytes =
        entry("t", "74 01") + entry("b", "62 ff") + entry("B", "42 ff") + entry("s", "73 fffe") +
        entry("u", "75 fffe") + entry("I", "49 fffffffd") + entry("i", "69 fffffffd") +
        entry("l", "6c fffffffffffffffc") + entry("T", "54 0000000065000000") +
        entry("f", "66 3fc00000") + entry("d", "64 3ff8000000000000") +
        entry("D", "44 02 0000013a") + entry("S", "53 00000002 6869") +
        entry("x", "78 00000001 00") + entry("V", "56") +
        entry("A", "41 0000000a 49 00000001 53 00000000") + entry("F", "46 00000004 01 6b 74 00");
    auto table = decode_field_table(bytes);
    ASSERT_TRUE(table) << table.error().reason;
    const auto expected = json::parse(R"({"t":true,"b":-1,"B":255,"s":-2,"u":65534,"I":-3,
        "i":4294967293,"l":-4,"T":1694498816,"f":1.5,"d":1.5,"D":3.14,"S":"hi","x":"\u0000",
        "V":null,"A":[1,""],"F":{"k":false}})");
    EXPECT_EQ(json::value(*table), expected);
}

TEST(AmqpFieldTable, JsonEncodesWithTheLettersClientsExpectAndRoundTrips) {
    const auto table = json::parse(R"({"small":7,"big":5000000000,"neg":-1,"text":"x","yes":true,
        "pi":3.5,"none":null,"list":[1,"a"],"nested":{"k":1}})")
                           .as_object();
    std::string out;
    encode_field_table(out, table);
    EXPECT_NE(out.find(entry("small", "49 00000007")), std::string::npos);
    EXPECT_NE(out.find(entry("big", "6c 000000012a05f200")), std::string::npos);
    EXPECT_NE(out.find(entry("text", "53 00000001 78")), std::string::npos);
    EXPECT_NE(out.find(entry("yes", "74 01")), std::string::npos);
    EXPECT_NE(out.find(entry("none", "56")), std::string::npos);
    auto back = decode_field_table(out);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, table);
}

TEST(AmqpFieldTable, HostileTablesAreRefusedNotFollowed) {
    EXPECT_FALSE(decode_field_table(entry("k", "5a")));             // unknown letter 'Z'
    EXPECT_FALSE(decode_field_table(entry("k", "53 0000ffff 61"))); // string past the end
    EXPECT_FALSE(decode_field_table(std::string("\x05"
                                                "ab",
                                                3)));        // key past the end
    EXPECT_FALSE(decode_field_table(entry("k", "49 0000"))); // integer cut short
    // Tables nested deeper than the limit: refused, without recursing further.
    std::string nested = entry("k", "56");
    for (int i = 0; i <= kMaxFieldDepth; ++i) {
        std::string outer = "\x01k"
                            "F";
        const auto n = static_cast<std::uint32_t>(nested.size());
        outer += static_cast<char>(n >> 24);
        outer += static_cast<char>((n >> 16) & 0xff);
        outer += static_cast<char>((n >> 8) & 0xff);
        outer += static_cast<char>(n & 0xff);
        nested = outer + nested;
    }
    auto deep = decode_field_table(nested);
    ASSERT_FALSE(deep);
    EXPECT_NE(deep.error().reason.find("nested deeper"), std::string::npos);
    // NaN has no JSON form: null.
    auto nan = decode_field_table(entry("n", "64 7ff8000000000000"));
    ASSERT_TRUE(nan);
    EXPECT_TRUE(nan->at("n").is_null());
}

} // namespace
} // namespace warren::amqp
