// amqp_field_table: one AMQP field table's bytes (what queue.declare's arguments or a message's
// headers carry), decoded to JSON by amqp/codec's decode_field_table.
//
// Invariants besides "no crash, leak or UB" (and no stack exhaustion: nesting is bounded): what
// decodes encodes back (encode_field_table) to bytes that decode to the same JSON value, and
// encoding that value again gives the same bytes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "amqp/codec/field_table.hpp"
#include "fuzz/support/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace amqp = warren::amqp;
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto table = amqp::decode_field_table(bytes);
    if (!table) {
        FUZZ_CHECK(!table.error().reason.empty(), "a refusal without a reason");
        return 0;
    }
    std::string encoded;
    amqp::encode_field_table(encoded, *table);
    const auto again = amqp::decode_field_table(encoded);
    FUZZ_CHECK(again.has_value(), "an encoded table does not decode: " + again.error().reason);
    FUZZ_CHECK(boost::json::value(*again) == boost::json::value(*table),
               "a round trip changed the table: " + boost::json::serialize(*table) + " -> " +
                   boost::json::serialize(*again));
    std::string twice;
    amqp::encode_field_table(twice, *again);
    FUZZ_CHECK(twice == encoded, "encoding is not stable");
    return 0;
}
