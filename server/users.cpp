#include "server/users.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "server/journal.hpp"
#include "server/names.hpp"
#include "server/password_hash.hpp"

namespace warren::server {
namespace {

storage::UserRecord to_record(const User& user) {
    return {user.name, user.password_hash, user.hashing_algorithm, join_tags(user.tags)};
}

storage::PermissionRecord to_record(const Permission& p) {
    return {p.user, p.vhost, p.configure, p.write, p.read};
}

// The store applies a batch's puts before its deletions: a put that follows a pending deletion
// of the same row must go in a later batch, or the deletion would undo it.
template <class Pending, class Key> bool pending_contains(const Pending& pending, const Key& key) {
    return std::find(pending.begin(), pending.end(), key) != pending.end();
}

} // namespace

bool User::has_tag(std::string_view tag) const {
    return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

Result<User> make_user(const UserSpec& spec) {
    if (auto ok = check_name("user", spec.name); !ok) {
        return ok.error();
    }
    User user{spec.name, "", std::string(kDefaultHashingAlgorithm), spec.tags};
    if (spec.password) {
        user.password_hash = hash_password(*spec.password);
        return user;
    }
    if (spec.hashing_algorithm) {
        if (!known_hashing_algorithm(*spec.hashing_algorithm)) {
            return make_error(Errc::bad_request,
                              "unknown hashing_algorithm '" + *spec.hashing_algorithm +
                                  "' (rabbit_password_hashing_sha256, _sha512 or _md5)");
        }
        user.hashing_algorithm = *spec.hashing_algorithm;
    }
    if (spec.password_hash) {
        if (invalid_password_hash(*spec.password_hash)) {
            return make_error(Errc::bad_request,
                              "password_hash is not base64: " + *spec.password_hash);
        }
        user.password_hash = *spec.password_hash;
    }
    // Neither password nor hash: the user cannot log in with a password (RabbitMQ's rule).
    return user;
}

std::vector<std::string> split_tags(std::string_view text) {
    std::vector<std::string> tags;
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string_view part = text.substr(0, comma);
        while (!part.empty() && part.front() == ' ') {
            part.remove_prefix(1);
        }
        while (!part.empty() && part.back() == ' ') {
            part.remove_suffix(1);
        }
        if (!part.empty() && std::find(tags.begin(), tags.end(), part) == tags.end()) {
            tags.emplace_back(part);
        }
        if (comma == std::string_view::npos) {
            break;
        }
        text.remove_prefix(comma + 1);
    }
    return tags;
}

std::string join_tags(const std::vector<std::string>& tags) {
    std::string out;
    for (const auto& tag : tags) {
        if (!out.empty()) {
            out += ',';
        }
        out += tag;
    }
    return out;
}

void UserDirectory::journal_user(const User& user) {
    if (!journal_.enabled()) {
        return;
    }
    if (pending_contains(journal_.batch().deleted_users, user.name)) {
        journal_.flush_now();
    }
    journal_.batch().put_users.push_back(to_record(user));
}

void UserDirectory::journal_permission(const Permission& p) {
    if (!journal_.enabled()) {
        return;
    }
    auto& batch = journal_.batch();
    if (pending_contains(batch.deleted_permissions, std::pair{p.user, p.vhost}) ||
        pending_contains(batch.deleted_users, p.user) ||
        pending_contains(batch.deleted_vhosts, p.vhost)) {
        journal_.flush_now();
    }
    journal_.batch().put_permissions.push_back(to_record(p));
}

bool UserDirectory::put_user(User user) {
    journal_user(user);
    auto [it, created] = users_.try_emplace(user.name);
    it->second = std::move(user);
    return created;
}

Result<void> UserDirectory::delete_user(std::string_view name) {
    auto it = users_.find(name);
    if (it == users_.end()) {
        return make_error(Errc::not_found, "no user '" + std::string(name) + "'");
    }
    if (journal_.enabled()) {
        journal_.batch().deleted_users.push_back(it->first);
    }
    std::erase_if(permissions_, [&](const auto& kv) { return kv.first.second == name; });
    users_.erase(it);
    return {};
}

const User* UserDirectory::find_user(std::string_view name) const {
    auto it = users_.find(name);
    return it == users_.end() ? nullptr : &it->second;
}

std::vector<const User*> UserDirectory::users() const {
    std::vector<const User*> out;
    out.reserve(users_.size());
    for (const auto& [name, user] : users_) {
        out.push_back(&user);
    }
    return out;
}

Result<UserDirectory::Entry> UserDirectory::compile(const Permission& permission) {
    Entry entry{permission, {}, {}, {}};
    auto one = [&](const std::string& text, std::optional<Pattern>& out,
                   const char* what) -> Result<void> {
        auto compiled = Pattern::compile(text);
        if (!compiled) {
            return make_error(Errc::bad_request, std::string("invalid ") + what +
                                                     " regular expression '" + text +
                                                     "': " + compiled.error().reason);
        }
        out = std::move(*compiled);
        return {};
    };
    if (auto r = one(permission.configure, entry.configure, "configure"); !r) {
        return r.error();
    }
    if (auto r = one(permission.write, entry.write, "write"); !r) {
        return r.error();
    }
    if (auto r = one(permission.read, entry.read, "read"); !r) {
        return r.error();
    }
    return entry;
}

Result<void> UserDirectory::check_regexes(const Permission& permission) {
    auto entry = compile(permission);
    if (!entry) {
        return entry.error();
    }
    return {};
}

Result<bool> UserDirectory::set_permission(const Permission& permission) {
    if (find_user(permission.user) == nullptr) {
        return make_error(Errc::bad_request, "vhost_or_user_not_found");
    }
    auto entry = compile(permission);
    if (!entry) {
        return entry.error();
    }
    journal_permission(permission);
    auto [it, created] =
        permissions_.insert_or_assign(Key{permission.vhost, permission.user}, std::move(*entry));
    (void)it;
    return created;
}

Result<void> UserDirectory::clear_permission(std::string_view user, std::string_view vhost) {
    auto it = permissions_.find(ViewKey{vhost, user});
    if (it == permissions_.end()) {
        return make_error(Errc::not_found, "no permissions for user '" + std::string(user) +
                                               "' in vhost '" + std::string(vhost) + "'");
    }
    if (journal_.enabled()) {
        journal_.batch().deleted_permissions.emplace_back(std::string(user), std::string(vhost));
    }
    permissions_.erase(it);
    return {};
}

const Permission* UserDirectory::find_permission(std::string_view user,
                                                 std::string_view vhost) const {
    auto it = permissions_.find(ViewKey{vhost, user});
    return it == permissions_.end() ? nullptr : &it->second.text;
}

std::vector<const Permission*>
UserDirectory::permissions(std::optional<std::string_view> user,
                           std::optional<std::string_view> vhost) const {
    std::vector<const Permission*> out;
    for (const auto& [key, entry] : permissions_) {
        if ((!user || key.second == *user) && (!vhost || key.first == *vhost)) {
            out.push_back(&entry.text);
        }
    }
    return out;
}

void UserDirectory::forget_vhost(std::string_view vhost) {
    // The store drops a deleted vhost's permission rows with the vhost itself.
    std::erase_if(permissions_, [&](const auto& kv) { return kv.first.first == vhost; });
}

bool UserDirectory::can_access(std::string_view user, std::string_view vhost) const {
    return find_permission(user, vhost) != nullptr;
}

bool UserDirectory::allowed(std::string_view user, std::string_view vhost, Access access,
                            std::string_view name) const {
    auto it = permissions_.find(ViewKey{vhost, user});
    if (it == permissions_.end()) {
        return false;
    }
    const Entry& entry = it->second;
    const std::string* text = nullptr;
    const std::optional<Pattern>* regex = nullptr;
    switch (access) {
    case Access::configure:
        text = &entry.text.configure;
        regex = &entry.configure;
        break;
    case Access::write:
        text = &entry.text.write;
        regex = &entry.write;
        break;
    case Access::read:
        text = &entry.text.read;
        regex = &entry.read;
        break;
    }
    // The two regexes nearly everyone uses are answered without running the regex engine:
    // this check sits on every publish.
    if (text->empty()) {
        return false; // RabbitMQ reads "" as "^$", and resource names are never empty here
    }
    if (*text == ".*") {
        return true;
    }
    return (*regex)->search(name.empty() ? std::string_view("amq.default") : name);
}

void UserDirectory::restore(const std::vector<storage::UserRecord>& users,
                            const std::vector<storage::PermissionRecord>& permissions) {
    for (const auto& u : users) {
        users_.insert_or_assign(
            u.name, User{u.name, u.password_hash, u.hashing_algorithm, split_tags(u.tags)});
    }
    for (const auto& p : permissions) {
        auto entry = compile({p.user, p.vhost, p.configure, p.write, p.read});
        if (!entry || !users_.contains(p.user)) {
            spdlog::warn("recovery: skipping permissions of user '{}' in vhost '{}'", p.user,
                         p.vhost);
            continue;
        }
        permissions_.insert_or_assign(Key{p.vhost, p.user}, std::move(*entry));
    }
}

} // namespace warren::server
