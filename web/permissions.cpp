#include "web/permissions.hpp"

#include <algorithm>
#include <string>

namespace warren::web {
namespace {

constexpr std::string_view kNoVhostAccess = "User not authorised to access virtual host";

bool has_tag(const Principal& principal, std::string_view tag) {
    return std::find(principal.tags.begin(), principal.tags.end(), tag) != principal.tags.end();
}

std::string_view access_name(server::Access access) {
    switch (access) {
    case server::Access::configure:
        return "configure";
    case server::Access::write:
        return "write";
    case server::Access::read:
        return "read";
    }
    return "";
}

} // namespace

Result<void> check_vhost_access(const server::UserDirectory& users, const Principal& principal,
                                std::string_view vhost) {
    if (users.can_access(principal.name, vhost)) {
        return {};
    }
    return Error{Errc::permission_denied, std::string(kNoVhostAccess)};
}

Result<void> check_permission(const server::UserDirectory& users, const Principal& principal,
                              std::string_view vhost, server::Access access, std::string_view kind,
                              std::string_view name) {
    // One lookup on the path every publish takes; the second only picks a refusal's words.
    if (users.allowed(principal.name, vhost, access, name)) {
        return {};
    }
    if (!users.can_access(principal.name, vhost)) {
        return Error{Errc::permission_denied, std::string(kNoVhostAccess)};
    }
    // RabbitMQ's ACCESS_REFUSED text, naming the permission that was missing.
    return Error{
        Errc::permission_denied,
        "ACCESS_REFUSED - " + std::string(access_name(access)) + " access to " + std::string(kind) +
            " '" + std::string(name.empty() ? std::string_view("amq.default") : name) +
            "' in vhost '" + std::string(vhost) + "' refused for user '" + principal.name + "'"};
}

Result<void> check_administrator(const Principal& principal) {
    if (has_tag(principal, "administrator")) {
        return {};
    }
    return Error{Errc::permission_denied, "Not administrator user"};
}

bool sees_all_vhosts(const Principal& principal) {
    return has_tag(principal, "administrator") || has_tag(principal, "monitoring");
}

Result<void> can_read(const server::UserDirectory& users, const Principal& principal,
                      std::string_view vhost, std::string_view kind, std::string_view name) {
    return check_permission(users, principal, vhost, server::Access::read, kind, name);
}

Result<void> can_write(const server::UserDirectory& users, const Principal& principal,
                       std::string_view vhost, std::string_view exchange) {
    return check_permission(users, principal, vhost, server::Access::write, "exchange", exchange);
}

} // namespace warren::web
