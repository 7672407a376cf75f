// amqp_field_table: one AMQP field table's bytes (what queue.declare's arguments or a message's
// headers carry), decoded to JSON by amqp/codec's decode_field_table, with the type letters JSON
// does not carry recorded on the side (as message headers are).
//
// Invariants besides "no crash, leak or UB" (and no stack exhaustion: nesting is bounded):
// - with the recorded letters, what decodes encodes back to the same bytes, unless decoding
//   dropped something on purpose (field_table.hpp: NaN, a repeated name, a boolean octet
//   other than 0 and 1), and then to bytes that decode to the same JSON and letters and encode
//   again to the same bytes;
// - without them (the default letters), to bytes that decode to the same JSON value.

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "amqp/codec/field_table.hpp"
#include "fuzz/support/check.hpp"

namespace {

namespace amqp = warren::amqp;

// Reads a table that decode_field_table accepted (so every length is within its bytes) and
// says whether decoding kept all of it.
class Canonical {
public:
    static bool table(std::string_view in) {
        std::set<std::string_view> names;
        while (!in.empty()) {
            const std::size_t n = static_cast<unsigned char>(in[0]);
            if (!names.insert(in.substr(1, n)).second) {
                return false;
            }
            in.remove_prefix(1 + n);
            if (!value(in)) {
                return false;
            }
        }
        return true;
    }

private:
    static std::string_view take(std::string_view& in, std::size_t n) {
        const std::string_view part = in.substr(0, n);
        in.remove_prefix(part.size());
        return part;
    }

    static std::uint64_t number(std::string_view& in, std::size_t n) {
        std::uint64_t v = 0;
        for (const char c : take(in, n)) {
            v = (v << 8) | static_cast<unsigned char>(c);
        }
        return v;
    }

    static std::string_view sized(std::string_view& in) {
        return take(in, static_cast<std::size_t>(number(in, 4)));
    }

    static bool value(std::string_view& in) {
        const char letter = take(in, 1)[0];
        switch (letter) {
        case 't':
            return number(in, 1) <= 1;
        case 'f':
            return std::isfinite(std::bit_cast<float>(static_cast<std::uint32_t>(number(in, 4))));
        case 'd':
            return std::isfinite(std::bit_cast<double>(number(in, 8)));
        case 'S':
        case 'x':
            sized(in);
            return true;
        case 'F':
            return table(sized(in));
        case 'A': {
            std::string_view items = sized(in);
            while (!items.empty()) {
                if (!value(items)) {
                    return false;
                }
            }
            return true;
        }
        default: // integers, decimals and void: every value decodes exactly
            take(in, fixed_size(letter));
            return true;
        }
    }

    static std::size_t fixed_size(char letter) {
        switch (letter) {
        case 'b':
        case 'B':
            return 1;
        case 's':
        case 'u':
            return 2;
        case 'I':
        case 'i':
            return 4;
        case 'D':
            return 5;
        case 'l':
        case 'T':
            return 8;
        default: // 'V'
            return 0;
        }
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    amqp::FieldTypes types;
    const auto table = amqp::decode_field_table(bytes, &types);
    if (!table) {
        FUZZ_CHECK(!table.error().reason.empty(), "a refusal without a reason");
        return 0;
    }
    std::string encoded;
    amqp::encode_field_table(encoded, *table, &types);
    if (Canonical::table(bytes)) {
        FUZZ_CHECK(encoded == bytes, "a lossless table did not encode back to its bytes: " +
                                         boost::json::serialize(types));
    }
    amqp::FieldTypes types_again;
    const auto again = amqp::decode_field_table(encoded, &types_again);
    FUZZ_CHECK(again.has_value(), "an encoded table does not decode: " + again.error().reason);
    FUZZ_CHECK(boost::json::value(*again) == boost::json::value(*table),
               "a round trip changed the table: " + boost::json::serialize(*table) + " -> " +
                   boost::json::serialize(*again));
    FUZZ_CHECK(types_again == types,
               "a round trip changed the letters: " + boost::json::serialize(types) + " -> " +
                   boost::json::serialize(types_again));
    std::string twice;
    amqp::encode_field_table(twice, *again, &types_again);
    FUZZ_CHECK(twice == encoded, "encoding is not stable");

    std::string plain;
    amqp::encode_field_table(plain, *table);
    const auto from_plain = amqp::decode_field_table(plain);
    FUZZ_CHECK(from_plain.has_value() && *from_plain == *table,
               "the default letters changed the table: " + boost::json::serialize(*table));
    return 0;
}
