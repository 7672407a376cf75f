#pragma once

// Principal: who is asking. An edge authenticates a client (HTTP Basic, a WebSocket token, AMQP's
// SASL PLAIN) through Broker::authenticate and hands the Principal it got to every facade call;
// the core decides what that principal may do (server/authorization), so every protocol applies
// the same rules.
//
// Part of the facade (server/README.md): a plain value, safe to copy to any thread.

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace warren::server {

struct Principal {
    std::string name;
    std::vector<std::string> tags; // administrator, monitoring, policymaker, management
    bool is_internal_user = true;  // false once external (e.g. OAuth) logins exist

    bool has_tag(std::string_view tag) const;
    friend bool operator==(const Principal&, const Principal&) = default;
};

// The refusal of a user that may log in only from loopback (RabbitMQ's loopback_users), a
// sentence edges recognise (HTTP spells its error "not_authorised").
inline constexpr std::string_view kLoopbackOnlyReason = "User can only log in via localhost";

// The three permissions of RabbitMQ's model, each a regex over object names per vhost.
enum class Access { configure, write, read };

// Users, permissions, vhosts and definitions are for the administrator tag. Refusal:
// permission_denied "Not administrator user".
Result<void> check_administrator(const Principal& principal);

// Administrators and monitoring users see every vhost and connection in lists; others see the
// vhosts they have permissions on and their own connections.
bool sees_everything(const Principal& principal);

// The management API is for users with one of its tags (administrator, monitoring, policymaker,
// management); messaging protocols do not ask for one.
bool has_management_tag(const Principal& principal);

} // namespace warren::server
