// Broker, the facade: authentication, the default user, users and permissions. Passwords are
// hashed and checked here (server/password_hash), so every edge logs users in the same way.

#include "server/authorization.hpp"
#include "server/broker.hpp"
#include "server/core.hpp"
#include "server/list_page.hpp"
#include "server/names.hpp"
#include "server/password_hash.hpp"
#include "server/view_fields.hpp"

namespace warren::server {

namespace {

const Error kLoginFailed{Errc::not_authorized, "Login failed"};

} // namespace

Result<Principal> Broker::authenticate(std::string_view user, std::string_view password,
                                       bool from_loopback) const {
    const User* found = core_->users().find_user(user);
    if (found == nullptr) {
        // Spend the same work as for a wrong password, so that timing does not tell which
        // user names exist.
        static const std::string kDecoy = hash_password("decoy");
        (void)verify_password(kDecoy, kDefaultHashingAlgorithm, password);
        return kLoginFailed;
    }
    if (!verify_password(found->password_hash, found->hashing_algorithm, password)) {
        return kLoginFailed;
    }
    const auto& loopback_only = core_->loopback_users();
    if (!from_loopback &&
        std::find(loopback_only.begin(), loopback_only.end(), found->name) != loopback_only.end()) {
        return Error{Errc::not_authorized, std::string(kLoopbackOnlyReason)};
    }
    return Principal{found->name, found->tags, true};
}

Result<Principal> Broker::current_principal(std::string_view user) const {
    const User* found = core_->users().find_user(user);
    if (found == nullptr) {
        return kLoginFailed;
    }
    return Principal{found->name, found->tags, true};
}

bool Broker::ensure_default_user(const std::string& name, const std::string& password) {
    UserDirectory& users = core_->users();
    if (!users.empty()) {
        return false;
    }
    users.put_user(User{
        name, hash_password(password), std::string(kDefaultHashingAlgorithm), {"administrator"}});
    if (core_->find_vhost("/") != nullptr) {
        (void)users.set_permission(Permission{name, "/", ".*", ".*", ".*"});
    }
    return true;
}

Result<Declared> Broker::put_user(const Principal& who, const UserSpec& spec) {
    if (auto ok = check_administrator(who); !ok) {
        return ok.error();
    }
    auto user = make_user(spec);
    if (!user) {
        return user.error();
    }
    return core_->users().put_user(std::move(*user)) ? Declared::created : Declared::existed;
}

Result<void> Broker::delete_user(const Principal& who, std::string_view name) {
    if (auto ok = check_administrator(who); !ok) {
        return ok.error();
    }
    if (auto deleted = core_->users().delete_user(name); !deleted) {
        return deleted;
    }
    close_connections_of_deleted(name);
    return {};
}

void Broker::close_connections_of_deleted(std::string_view user) {
    core_->close_connections_of(user, "user '" + std::string(user) + "' was deleted");
}

Result<void> Broker::delete_users(const Principal& who, const std::vector<std::string>& names) {
    if (auto ok = check_administrator(who); !ok) {
        return ok.error();
    }
    for (const auto& name : names) {
        if (core_->users().delete_user(name)) { // absent names are ignored
            close_connections_of_deleted(name);
        }
    }
    return {};
}

Result<User> Broker::user(const Principal& who, std::string_view name) const {
    if (auto ok = check_administrator(who); !ok) {
        return ok.error();
    }
    const User* user = core_->users().find_user(name);
    if (user == nullptr) {
        return make_error(Errc::not_found, "no user '" + std::string(name) + "'");
    }
    return *user;
}

Result<Page<User>> Broker::list_users(const Principal& who, const ListQuery& query,
                                      bool without_permissions) const {
    if (auto ok = check_administrator(who); !ok) {
        return ok.error();
    }
    const UserDirectory& users = core_->users();
    std::vector<const User*> listed = users.users();
    if (without_permissions) {
        std::erase_if(listed, [&](const User* u) { return !users.permissions(u->name).empty(); });
    }
    ListSpec<const User*, User> spec{
        [](const User* u) { return std::string_view(u->name); }, [](const User* u) { return *u; },
        [](const User& u, std::string_view field) { return field_of(u, field); }};
    return make_page(query, listed, spec);
}

Result<Declared> Broker::set_permission(const Principal& who, const Permission& permission) {
    if (auto ok = check_administrator(who); !ok) {
        return ok.error();
    }
    if (auto ok = UserDirectory::check_regexes(permission); !ok) {
        return ok.error();
    }
    if (core_->find_vhost(permission.vhost) == nullptr) {
        return make_error(Errc::bad_request,
                          "vhost_or_user_not_found: no vhost '" + permission.vhost + "'");
    }
    if (core_->users().find_user(permission.user) == nullptr) {
        return make_error(Errc::bad_request,
                          "vhost_or_user_not_found: no user '" + permission.user + "'");
    }
    auto set = core_->users().set_permission(permission);
    if (!set) {
        return set.error();
    }
    return *set ? Declared::created : Declared::existed;
}

Result<void> Broker::clear_permission(const Principal& who, std::string_view user,
                                      std::string_view vhost) {
    if (auto ok = check_administrator(who); !ok) {
        return ok.error();
    }
    return core_->users().clear_permission(user, vhost);
}

Result<Permission> Broker::permission(const Principal& who, std::string_view user,
                                      std::string_view vhost) const {
    if (auto ok = check_administrator(who); !ok) {
        return ok.error();
    }
    const Permission* p = core_->users().find_permission(user, vhost);
    if (p == nullptr) {
        return make_error(Errc::not_found, "no permission of user '" + std::string(user) +
                                               "' on vhost '" + std::string(vhost) + "'");
    }
    return *p;
}

Result<Page<Permission>> Broker::list_permissions(const Principal& who,
                                                  const PermissionFilter& filter,
                                                  const ListQuery& query) const {
    if (auto ok = check_administrator(who); !ok) {
        return ok.error();
    }
    const UserDirectory& users = core_->users();
    if (filter.user && users.find_user(*filter.user) == nullptr) {
        return make_error(Errc::not_found, "no user '" + *filter.user + "'");
    }
    if (filter.vhost && core_->find_vhost(*filter.vhost) == nullptr) {
        return make_error(Errc::not_found, "no vhost '" + *filter.vhost + "'");
    }
    std::optional<std::string_view> user_filter;
    std::optional<std::string_view> vhost_filter;
    if (filter.user) {
        user_filter = *filter.user;
    }
    if (filter.vhost) {
        vhost_filter = *filter.vhost;
    }
    // Permissions have no name: the name filter does not apply to them.
    ListSpec<const Permission*, Permission> spec{
        {},
        [](const Permission* p) { return *p; },
        [](const Permission& p, std::string_view field) { return field_of(p, field); }};
    return make_page(query, users.permissions(user_filter, vhost_filter), spec);
}

} // namespace warren::server
