#pragma once

// Users and permissions <-> JSON in RabbitMQ 3.10's shapes, shared by /api/users,
// /api/permissions and /api/definitions.
//
// Pure functions; hashing a password uses OpenSSL's random salt (web/password_hash).

#include <string>

#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "server/users.hpp"

namespace warren::web {

// {"name","password_hash","hashing_algorithm","tags":[...],"limits":{}}
boost::json::object user_json(const server::User& user);
// {"user","vhost","configure","write","read"}
boost::json::object permission_json(const server::Permission& permission);

// A PUT /api/users/{name} body: `tags` mandatory (a comma-separated string or an array), then
// `password` (hashed here) or `password_hash` (+ `hashing_algorithm`); neither: no password
// login. Errors: bad_request naming the field.
Result<server::User> user_from_json(std::string name, const boost::json::object& body);

// The three regexes of a PUT /api/permissions body, all mandatory strings; they must compile.
Result<server::Permission> permission_from_json(std::string user, std::string vhost,
                                                const boost::json::object& body);

} // namespace warren::web
