#pragma once

// HTTP Basic authentication for /api. Two parts, so that the users issue can swap the user table
// without touching handlers or sessions:
// - Authenticator: user name + password -> Principal (who, with which tags); the broker's user
//   directory is the real one (web/directory_authenticator).
// - BasicAuth: parses the Authorization header, asks the Authenticator, then applies RabbitMQ's
//   rules that do not depend on where users are kept (loopback_users, management tags).
// Both are immutable after construction and safe to call from any thread; main() owns them and
// they outlive the HTTP server.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "common/error.hpp"

namespace warren::web {

struct Principal {
    std::string name;
    std::vector<std::string> tags; // administrator, monitoring, policymaker, management
    bool is_internal_user = true;  // false once external (e.g. OAuth) logins exist

    friend bool operator==(const Principal&, const Principal&) = default;
};

class Authenticator {
public:
    virtual ~Authenticator() = default;
    // Errc::not_authorized "Login failed" for an unknown user or a wrong password (the two are
    // not told apart, so names cannot be probed).
    virtual Result<Principal> authenticate(std::string_view user,
                                           std::string_view password) const = 0;
};

class BasicAuth {
public:
    // loopback_users: users who may log in only from a loopback address (RabbitMQ's
    // loopback_users, default [guest]); empty lifts the restriction.
    BasicAuth(const Authenticator& authenticator, std::vector<std::string> loopback_users);

    // authorization: the Authorization header's value ("" when absent); peer: the client's
    // address. Errors are all Errc::not_authorized (401), with RabbitMQ's reasons.
    Result<Principal> check(std::string_view authorization,
                            const boost::asio::ip::address& peer) const;

private:
    const Authenticator& authenticator_;
    std::vector<std::string> loopback_users_;
};

// "Basic dXNlcjpwdw==" -> {"user", "pw"}; nullopt when not Basic or malformed.
std::optional<std::pair<std::string, std::string>>
parse_basic_credentials(std::string_view authorization);

// Equality whose running time does not depend on where the inputs differ, nor on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

// 127.0.0.0/8, ::1 and IPv4-mapped 127.x.
bool is_loopback(const boost::asio::ip::address& address);

} // namespace warren::web
