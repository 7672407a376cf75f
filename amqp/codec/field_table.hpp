#pragma once

// AMQP field tables (spec 4.2.5.5, with RabbitMQ's type letters as its clients send them) to and
// from JSON, warren's form of headers and arguments everywhere:
//   t bool; b B s u I i l (8-, 16-, 32- and 64-bit integers, signed and unsigned) -> integer;
//   f d -> number; D (decimal: scale, value) -> number; S longstr, x byte array -> string;
//   T timestamp -> integer; A array; F table; V void -> null.
// Back to AMQP: booleans t, integers I when they fit 32 bits else l (T past 2^63), numbers d,
// strings S,
// arrays A, objects F, null V. So a header's type letter may change between publisher and
// consumer (b 7 comes back I 7), never its value; clients read all integer letters alike.
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

// The table's bytes (after its 32-bit length). Errors: Errc::bad_request naming what is wrong.
Result<boost::json::object> decode_field_table(std::string_view bytes);

// Appends the table's bytes (without its length).
void encode_field_table(std::string& out, const boost::json::object& table);

} // namespace warren::amqp
