#include "server/authorization.hpp"

#include <algorithm>
#include <string>

namespace warren::server {
namespace {

constexpr std::string_view kNoVhostAccess = "User not authorised to access virtual host";

std::string_view access_name(Access access) {
    switch (access) {
    case Access::configure:
        return "configure";
    case Access::write:
        return "write";
    case Access::read:
        return "read";
    }
    return "";
}

} // namespace

bool Principal::has_tag(std::string_view tag) const {
    return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

Result<void> check_administrator(const Principal& principal) {
    if (principal.has_tag("administrator")) {
        return {};
    }
    return Error{Errc::permission_denied, "Not administrator user"};
}

bool sees_everything(const Principal& principal) {
    return principal.has_tag("administrator") || principal.has_tag("monitoring");
}

bool has_management_tag(const Principal& principal) {
    static constexpr std::string_view kTags[] = {"administrator", "monitoring", "policymaker",
                                                 "management"};
    return std::any_of(std::begin(kTags), std::end(kTags),
                       [&](std::string_view tag) { return principal.has_tag(tag); });
}

Result<void> authorize_vhost(const UserDirectory& users, const Principal& principal,
                             std::string_view vhost) {
    if (users.can_access(principal.name, vhost)) {
        return {};
    }
    return Error{Errc::permission_denied, std::string(kNoVhostAccess)};
}

Result<void> authorize(const UserDirectory& users, const Principal& principal,
                       std::string_view vhost, Access access, std::string_view kind,
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

} // namespace warren::server
