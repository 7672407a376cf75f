// Field tables: every type letter RabbitMQ's clients send, decoded to JSON; JSON encoded back
// with RabbitMQ's default letters, or with the letters recorded on decoding; limits on what a
// hostile table can do.
#include <cmath>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "amqp/codec/field_table.hpp"
#include "bytes.hpp"

namespace warren::amqp {
namespace {
using test::hex;
namespace json = boost::json;

std::string raw_entry(std::string_view key, std::string_view type_and_value) {
    return std::string(1, static_cast<char>(key.size())) + std::string(key) +
           std::string(type_and_value);
}

std::string entry(std::string_view key, std::string_view type_and_value) {
    return raw_entry(key, hex(type_and_value));
}

// A table or array: its letter, its 32-bit length, its bytes.
std::string sized(char letter, std::string_view body) {
    std::string out(1, letter);
    const auto n = static_cast<std::uint32_t>(body.size());
    for (int shift = 24; shift >= 0; shift -= 8) {
        out += static_cast<char>((n >> shift) & 0xff);
    }
    return out + std::string(body);
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

TEST(AmqpFieldTable, JsonEncodesWithRabbitMQsDefaultLettersAndRoundTrips) {
    // RabbitMQ sends JSON published over its HTTP API with these letters: every integer a long.
    const auto table = json::parse(R"({"small":7,"big":5000000000,"neg":-1,"text":"x","yes":true,
        "pi":3.5,"none":null,"list":[1,"a"],"nested":{"k":1},"huge":18446744073709551615})")
                           .as_object();
    std::string out;
    encode_field_table(out, table);
    EXPECT_NE(out.find(entry("small", "6c 0000000000000007")), std::string::npos);
    EXPECT_NE(out.find(entry("big", "6c 000000012a05f200")), std::string::npos);
    EXPECT_NE(out.find(entry("neg", "6c ffffffffffffffff")), std::string::npos);
    EXPECT_NE(out.find(entry("text", "53 00000001 78")), std::string::npos);
    EXPECT_NE(out.find(entry("yes", "74 01")), std::string::npos);
    EXPECT_NE(out.find(entry("pi", "64 400c000000000000")), std::string::npos);
    EXPECT_NE(out.find(entry("none", "56")), std::string::npos);
    EXPECT_NE(out.find(entry("list", "41 0000000f 6c 0000000000000001 53 00000001 61")),
              std::string::npos);
    EXPECT_NE(out.find(entry("nested", "46 0000000b 01 6b 6c 0000000000000001")),
              std::string::npos);
    // Past 2^63 only the unsigned timestamp letter keeps the value.
    EXPECT_NE(out.find(entry("huge", "54 ffffffffffffffff")), std::string::npos);
    json::object types;
    auto back = decode_field_table(out, &types);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, table);
    EXPECT_TRUE(types.empty()) << "default letters are not recorded";
}

TEST(AmqpFieldTable, EveryLetterGoesOutAsItCameIn) {
    // One of each letter, the odd ones also inside a table inside an array inside a table.
    const std::string inner = entry("b", "62 85") + entry("f", "66 bf400000") +
                              entry("x", "78 00000002 ff00") + entry("T", "54 0000000065000000");
    const std::string list =
        sized('F', inner) + hex("44 03 fffffb2e 73 8001") + sized('A', hex("42 07 75 0102"));
    const std::string bytes =
        entry("t", "74 01") + entry("b", "62 ff") + entry("B", "42 ff") + entry("s", "73 fffe") +
        entry("u", "75 fffe") + entry("I", "49 fffffffd") + entry("i", "69 fffffffd") +
        entry("l", "6c fffffffffffffffc") + entry("T", "54 0000000065000000") +
        entry("big T", "54 ffffffffffffffff") + entry("f", "66 3fc00000") +
        entry("d", "64 3ff8000000000000") + entry("D", "44 02 0000013a") +
        entry("D0", "44 00 ffffffff") + entry("S", "53 00000002 6869") +
        entry("x", "78 00000003 00ff61") + entry("V", "56") +
        entry("A", "41 0000000a 49 00000001 53 00000000") + entry("F", "46 00000004 01 6b 74 00") +
        entry("a/b~c", "42 01") + raw_entry("deep", sized('F', "\x04list" + sized('A', list)));
    json::object types;
    auto table = decode_field_table(bytes, &types);
    ASSERT_TRUE(table) << table.error().reason;
    const auto expected_types = json::parse(R"({"/b":"b","/B":"B","/s":"s","/u":"u","/I":"I",
        "/i":"i","/T":"T","/f":"f","/D":"D2","/D0":"D0","/x":"x","/A/0":"I","/a~1b~0c":"B",
        "/deep/list/0/b":"b","/deep/list/0/f":"f","/deep/list/0/x":"x","/deep/list/0/T":"T",
        "/deep/list/1":"D3","/deep/list/2":"s","/deep/list/3/0":"B","/deep/list/3/1":"u"})");
    EXPECT_EQ(json::value(types), expected_types);
    std::string out;
    encode_field_table(out, *table, &types);
    EXPECT_EQ(test::to_hex(out), test::to_hex(bytes));
    // Without the record: the defaults, the same values.
    std::string plain;
    encode_field_table(plain, *table);
    EXPECT_NE(plain, bytes);
    EXPECT_EQ(decode_field_table(plain).value(), *table);
}

TEST(AmqpFieldTable, AValueThatNoLongerFitsItsLetterTakesTheDefault) {
    const std::string bytes = entry("b", "62 07") + entry("f", "66 3fc00000") +
                              entry("D", "44 02 0000013a") + entry("x", "78 00000001 61") +
                              entry("i", "69 00000001");
    json::object types;
    auto table = decode_field_table(bytes, &types).value();
    ASSERT_EQ(types.size(), 5u);
    table["b"] = 8;          // still a byte: keeps b
    table["f"] = 0.1;        // not a float: d
    table["D"] = 3.14159;    // not two decimals: d
    table["x"] = 1;          // no longer bytes: l
    table["i"] = -1;         // negative: no longer unsigned, l
    types["/missing"] = "b"; // a record without a value: ignored
    std::string out;
    encode_field_table(out, table, &types);
    EXPECT_NE(out.find(entry("b", "62 08")), std::string::npos);
    EXPECT_NE(out.find(entry("f", "64 3fb999999999999a")), std::string::npos);
    EXPECT_NE(out.find(entry("D", "64 400921f9f01b866e")), std::string::npos);
    EXPECT_NE(out.find(entry("x", "6c 0000000000000001")), std::string::npos);
    EXPECT_NE(out.find(entry("i", "6c ffffffffffffffff")), std::string::npos);
    table["b"] = 128;  // past a signed byte
    types["/f"] = "Q"; // a record that no decoder wrote
    types["/D"] = "D"; // a decimal without its scale
    table["f"] = 1.5;
    table["D"] = 3.14;
    out.clear();
    encode_field_table(out, table, &types);
    EXPECT_NE(out.find(entry("b", "6c 0000000000000080")), std::string::npos);
    EXPECT_NE(out.find(entry("f", "64 3ff8000000000000")), std::string::npos);
    EXPECT_NE(out.find(entry("D", "64 40091eb851eb851f")), std::string::npos);
}

TEST(AmqpFieldTable, FloatsAndDecimalsKeepTheirLettersThroughStoredText) {
    // Boost.JSON 1.81 parses some doubles one unit in the last place off: a stored float or
    // decimal must still go out as the same bytes.
    const std::string bytes = entry("f", "66 3f8ccccd") + entry("D", "44 04 075bcd15");
    json::object types;
    auto table = decode_field_table(bytes, &types).value();
    for (const double direction : {-1.0, 1.0}) {
        json::object nudged = table;
        for (const char* key : {"f", "D"}) {
            nudged[key] = std::nextafter(table.at(key).as_double(), direction * 1e300);
        }
        std::string out;
        encode_field_table(out, nudged, &types);
        EXPECT_EQ(test::to_hex(out), test::to_hex(bytes));
    }
}

TEST(AmqpFieldTable, TypesFollowTheValueThatWins) {
    // A repeated name keeps its last value, and the earlier value's letters go with it.
    json::object types;
    auto table = decode_field_table(entry("k", "46 00000004 01 61 62 01") + entry("k", "62 02") +
                                        entry("j", "62 03") + entry("j", "6c 0000000000000004"),
                                    &types);
    ASSERT_TRUE(table);
    EXPECT_EQ(json::value(types), json::parse(R"({"/k":"b"})"));
    // A NaN float becomes null and goes back as void, unrecorded.
    types = json::parse(R"({"stale":"b"})").as_object();
    auto nan = decode_field_table(entry("n", "66 7fc00000"), &types);
    ASSERT_TRUE(nan);
    EXPECT_TRUE(types.empty()) << "decoding starts a fresh record";
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
