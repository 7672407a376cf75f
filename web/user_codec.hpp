#pragma once

// Users and permissions <-> JSON in RabbitMQ 3.10's shapes, shared by /api/users,
// /api/permissions and /api/definitions.
//
// Pure functions over the broker's value types; the broker checks names and hashes and hashes
// passwords (server/password_hash).

#include <string>

#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "server/specs.hpp"

namespace warren::web {

// {"name","password_hash","hashing_algorithm","tags":[...],"limits":{}}
boost::json::object user_json(const server::User& user);
// {"user","vhost","configure","write","read"}
boost::json::object permission_json(const server::Permission& permission);

// A PUT /api/users/{name} body: `tags` mandatory (a comma-separated string or an array), then
// `password` or `password_hash` (+ `hashing_algorithm`), strings or null; neither: no password
// login. Errors: bad_request naming the field.
Result<server::UserSpec> user_spec_from_json(std::string name, const boost::json::object& body);
// A user as an export shows it (its stored hash).
boost::json::object user_json(const server::UserSpec& user);

// The three regexes of a PUT /api/permissions body, all mandatory strings (the broker checks
// that they compile).
Result<server::Permission> permission_from_json(std::string user, std::string vhost,
                                                const boost::json::object& body);

} // namespace warren::web
