#pragma once

// HTTP Basic authentication for /api and /ws: parses the Authorization header, asks the broker
// (server::Broker::authenticate checks the password and the loopback rule, as for every
// protocol), then applies the rule that belongs to the management API alone: the user needs a
// management tag. Immutable after construction; main() owns it and it outlives the HTTP server.
// Thread: the core executor (the broker's users are broker state).

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "common/error.hpp"
#include "server/broker.hpp"
#include "server/principal.hpp"

namespace warren::web {

using Principal = server::Principal;

class BasicAuth {
public:
    explicit BasicAuth(const server::Broker& broker) : broker_(broker) {}

    // authorization: the Authorization header's value ("" when absent); peer: the client's
    // address. Errors are all Errc::not_authorized (401), with RabbitMQ's reasons.
    Result<Principal> check(std::string_view authorization,
                            const boost::asio::ip::address& peer) const;

private:
    const server::Broker& broker_;
};

// "Basic dXNlcjpwdw==" -> {"user", "pw"}; nullopt when not Basic or malformed.
std::optional<std::pair<std::string, std::string>>
parse_basic_credentials(std::string_view authorization);

// Equality whose running time does not depend on where the inputs differ, nor on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

// 127.0.0.0/8, ::1 and IPv4-mapped 127.x.
bool is_loopback(const boost::asio::ip::address& address);

} // namespace warren::web
