#pragma once

// AMQP field tables (spec 4.2.5.5, with RabbitMQ's type letters as its clients send them) to and
// from JSON, warren's form of headers and arguments everywhere:
//   t bool; b B s u I i l (8-, 16-, 32- and 64-bit integers, signed and unsigned) -> integer;
//   f d -> number; D (decimal: scale, value) -> number; S longstr, x byte array -> string (the
//   bytes as they are); T timestamp -> integer; A array; F table; V void -> null.
// Back to AMQP by default: booleans t, integers l (T past 2^63, the value survives), numbers d,
// strings S, arrays A, objects F, null V: what RabbitMQ sends for the JSON of a message published
// through its management API, and the letters of the headers it sets itself (x-death's count).
//
// Clients read the letters, though (Java's getHeaders() hands out Byte, Float, Date...), so a
// message's headers go out with the letters they came in with: decoding into `types` records,
// for every value whose letter is not its default_letter (field_types.hpp), the letter under
// the value's JSON Pointer into the table ("/price", "/x-death/0/time"; RFC 6901 escapes '~'
// and '/' in names as "~0" and "~1"), as "b" or, for a decimal, "D" and its scale ("D2").
// Encoding with `types` writes each recorded value with its letter while the value still fits
// it, and falls back to the default when it does not (a broker-changed value, a bad record).
// A table with only default letters records nothing: JSON from HTTP costs nothing extra.
//
// Decoding NaN and infinities (f, d) gives null, a repeated name keeps its last value, and a
// boolean octet other than 0 and 1 is true: apart from those, encode(decode(bytes)) with the
// recorded types gives the same bytes.
//
// Limits: nesting deeper than kMaxDepth tables or arrays is refused (a hostile frame must not
// exhaust the stack). Thread: any.

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "common/error.hpp"

namespace warren::amqp {

inline constexpr int kMaxFieldDepth = 32;

// JSON Pointer -> type record text, as above (Properties::header_types for message headers).
using FieldTypes = boost::json::object;

// The table's bytes (after its 32-bit length). Errors: Errc::bad_request naming what is wrong.
// `types`, when given, is cleared and filled with the letters that are not the defaults.
Result<boost::json::object> decode_field_table(std::string_view bytes, FieldTypes* types = nullptr);

// Appends the table's bytes (without its length), with the letters `types` records.
void encode_field_table(std::string& out, const boost::json::object& table,
                        const FieldTypes* types = nullptr);

} // namespace warren::amqp
