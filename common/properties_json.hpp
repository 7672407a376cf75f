#pragma once

// AMQP message properties <-> JSON, with RabbitMQ's field names and types: delivery_mode,
// priority and timestamp are integers, headers an object, the rest strings. Used by the store
// (properties are persisted as this JSON) and by the HTTP / WebSocket codecs.
//
// Properties::header_types is internal: only the store's form carries it (key "header_types",
// when not empty); the JSON users see and send has no such key, so HTTP can neither show nor set
// AMQP type letters (RabbitMQ's management API has none either).

#include <cstdint>
#include <string>

#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "common/message.hpp"

namespace warren {

boost::json::object properties_to_json(const Properties& properties);
// properties_to_json's text, appended to `out` without building the object (once per delivery).
// A `delivery_count` above 1 adds the header x-delivery-count = delivery_count - 1 (the earlier
// attempts), as quorum queues report it.
void append_properties_json(std::string& out, const Properties& properties,
                            std::uint32_t delivery_count = 0);
// Strict: a wrong type or an unknown key is a bad_request naming the field.
Result<Properties> properties_from_json(const boost::json::object& json);

// Compact text form for storage: "" for empty properties (the common case costs nothing);
// properties_to_json's text, plus "header_types" when there are any. Text stored before
// header_types existed parses as before.
std::string serialize_properties(const Properties& properties);
Result<Properties> parse_properties(std::string_view text);

} // namespace warren
