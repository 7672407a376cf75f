#pragma once

// Checks the fuzz targets share on what warren renders: JSON text that a strict client parses
// (valid UTF-8, well-formed), and a Message that survives the ways it leaves the broker (its
// properties as JSON and in the store's text form, its payload as "string" or base64).

#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/message.hpp"

namespace warren::fuzz {

// The value `text` holds; aborts (a finding) when it is not UTF-8 or not JSON. `what` names the
// text in the report.
boost::json::value parse_rendered(std::string_view text, std::string_view what);

// Equal values, doubles within a few ulps. Boost.JSON 1.81 parses some doubles one ulp off
// ("4.4444444444441444E19", which its serializer writes for 44444444444441444441, reads back as
// ...436E19; precise parsing is Boost 1.83's), so a double that went through text may differ
// from the one that did not. Everything else must match exactly.
bool same_json(const boost::json::value& a, const boost::json::value& b);
// The same, for two Properties (same_json on their headers).
bool same_properties(const Properties& a, const Properties& b);

// properties_to_json / properties_from_json, append_properties_json and serialize_properties /
// parse_properties all give the properties back unchanged.
void check_properties_round_trip(const Properties& properties);

// A rendered message's "payload" and "payload_encoding" give `body` back.
void check_payload(const boost::json::object& rendered, std::string_view body);

} // namespace warren::fuzz
