#pragma once

// Salted password hashes in RabbitMQ's layout, so that definitions move between RabbitMQ and
// warren unchanged: base64(salt[4] + H(salt[4] + password)), with H named by the hashing
// algorithm (rabbit_password_hashing_sha256 by default, as RabbitMQ 3.6+; sha512 and the old md5
// are accepted from imports).
//
// Thread: any; OpenSSL's digest and random functions are thread-safe.

#include <optional>
#include <string>
#include <string_view>

namespace warren::server {

inline constexpr std::string_view kDefaultHashingAlgorithm = "rabbit_password_hashing_sha256";

// A fresh random salt each call.
std::string hash_password(std::string_view password,
                          std::string_view algorithm = kDefaultHashingAlgorithm);

// True when `password` matches the stored hash. False for an empty hash (a user without a
// password cannot log in with one), an unknown algorithm or a malformed hash. Compares in
// constant time.
bool verify_password(std::string_view stored_hash, std::string_view algorithm,
                     std::string_view password);

bool known_hashing_algorithm(std::string_view algorithm);

// Checks a hash given by a client (PUT /api/users with password_hash, definitions import):
// nullopt when it is fine, else RabbitMQ's reason ("not_base64").
std::optional<std::string> invalid_password_hash(std::string_view hash);

} // namespace warren::server
