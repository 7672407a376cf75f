#pragma once

// Messages as warrenctl sends and prints them: a publish body with persistent delivery (the
// payload as a string when it is valid UTF-8, else base64), and a received message's payload
// written as its raw bytes on its own line.

#include <iosfwd>
#include <string_view>

#include <boost/json/object.hpp>

namespace warren::ctl {

// {"properties":{"delivery_mode":2,...},"routing_key":...,"payload":...,"payload_encoding":...}
// `properties` adds content_type / headers.
boost::json::object publish_body(std::string_view routing_key, std::string_view payload,
                                 const boost::json::object& properties);

// Writes the message's payload (decoded from base64 when so encoded) and a newline.
void write_payload_line(std::ostream& out, const boost::json::object& message);

} // namespace warren::ctl
