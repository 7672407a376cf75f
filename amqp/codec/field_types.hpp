#pragma once

// The type letters of field table values that their JSON form does not carry (field_table.hpp
// says why they are kept): the letter encode_field_table picks for a JSON value by default,
// whether a value still fits a letter recorded for it, a record's text form, and the JSON
// Pointer paths the records are keyed by.
//
// Record text: the letter, and for a decimal its scale in decimal after it ("b", "T", "D2").
//
// Thread: any; pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace warren::amqp {

struct FieldType {
    char letter = 0;
    std::uint8_t scale = 0; // 'D' only: the value is unscaled / 10^scale
};

// What encode_field_table writes for `v` when nothing is recorded: t l (T past 2^63) d S A F V,
// RabbitMQ's choices for JSON published through its management API.
char default_letter(const boost::json::value& v);

// Whether `v` can be written as `type` without changing it (beyond the rounding that decoding
// `type` did in the first place): an integer within the letter's range, a number that is the
// same float or decimal, a string for S and x. A header that the broker or a plugin changed to
// something else falls back to default_letter.
bool fits(FieldType type, const boost::json::value& v);

// A decimal's unscaled value: v * 10^scale rounded, when that is a 32-bit integer and the
// rounding only undoes floating-point error (the JSON text of a double may come back one unit
// in the last place off).
std::optional<std::int32_t> decimal_unscaled(double v, std::uint8_t scale);

std::string field_type_text(FieldType type);
// nullopt for text that no field_type_text wrote (an unknown letter, a bad scale).
std::optional<FieldType> parse_field_type(std::string_view text);

// Appends "/" and `key` escaped as a JSON Pointer token (RFC 6901: '~' as "~0", '/' as "~1").
void append_pointer_token(std::string& path, std::string_view key);

} // namespace warren::amqp
