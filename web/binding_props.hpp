#pragma once

// binding_props: the name a binding goes by in the management API. A binding has no name of its
// own, so RabbitMQ derives one, the `properties_key`, from its routing key and arguments; it is
// the {props} segment of /api/bindings/{vhost}/e/{source}/{q|e}/{destination}/{props} and the tail
// of the Location header a binding POST answers. Pure functions.

#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace warren::web {

// Percent-encodes every byte but the RFC 3986 unreserved ones; a space becomes '+' when
// `plus_for_space` (the form RabbitMQ uses inside a properties key).
std::string percent_encode(std::string_view text, bool plus_for_space = false);

// "~" for an empty key without arguments; the quoted key (space '+', '~' escaped as "%7E")
// without arguments; else "<quoted key>~<hash>", where the hash is warren's own: FNV-1a (32 bits)
// of the arguments with keys sorted, in 6 base64url characters, so equal tables in any key order
// give the same props. Clients read it back from listings rather than compute it.
std::string binding_props(std::string_view routing_key, const boost::json::object& arguments);

} // namespace warren::web
