#pragma once

// UserDirectory: the broker's users (name, password hash, tags) and their per-vhost permissions
// (configure / write / read regular expressions), kept in memory and journaled to the store like
// every other definition.
//
// Permission checks follow RabbitMQ's internal backend: a resource is allowed when the regex
// *finds* a match anywhere in its name (not a full match, so "a" allows "xax"; anchor with ^$),
// the empty regex allows nothing, and the default exchange "" is checked under the name
// "amq.default". A user without a permission entry for a vhost may not use that vhost at all.
//
// The directory never sees a password: hashing and verification are the web layer's business
// (web/password_hash); here a hash is an opaque string with its algorithm's name.
//
// Thread: the core executor, like the rest of the broker.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.hpp"
#include "server/pattern.hpp"
#include "server/principal.hpp"
#include "server/specs.hpp"
#include "storage/records.hpp"

namespace warren::server {

class Journal;

class UserDirectory {
public:
    explicit UserDirectory(Journal& journal) : journal_(journal) {}

    // Creates or replaces a user (tags and hash). Returns true when it was created.
    bool put_user(User user);
    // Removes the user and every permission it has. not_found when absent.
    Result<void> delete_user(std::string_view name);
    const User* find_user(std::string_view name) const;
    std::vector<const User*> users() const; // sorted by name
    bool empty() const { return users_.empty(); }

    // Sets a user's permissions on a vhost. The caller checks that the vhost exists. Errors:
    // bad_request for an unknown user or a regex that does not compile. Returns true when
    // created.
    Result<bool> set_permission(const Permission& permission);
    // bad_request when one of the three regexes does not compile.
    static Result<void> check_regexes(const Permission& permission);
    Result<void> clear_permission(std::string_view user, std::string_view vhost);
    const Permission* find_permission(std::string_view user, std::string_view vhost) const;
    // All permissions sorted by (vhost, user); filtered by user or vhost when given.
    std::vector<const Permission*> permissions(std::optional<std::string_view> user = {},
                                               std::optional<std::string_view> vhost = {}) const;
    // A vhost was deleted: its permissions go with it.
    void forget_vhost(std::string_view vhost);

    // May `user` use `vhost` at all (any permission entry)?
    bool can_access(std::string_view user, std::string_view vhost) const;
    // May `user` do `access` on the exchange or queue `name` in `vhost`?
    bool allowed(std::string_view user, std::string_view vhost, Access access,
                 std::string_view name) const;

    // Recovery: loads stored rows without journaling them again. Rows that do not parse (a
    // regex that no longer compiles) are skipped with a warning.
    void restore(const std::vector<storage::UserRecord>& users,
                 const std::vector<storage::PermissionRecord>& permissions);

private:
    struct Entry {
        Permission text;
        std::optional<Pattern> configure, write, read; // set once compiled
    };
    using Key = std::pair<std::string, std::string>; // (vhost, user): lists sort by vhost
    // Looks keys up by (vhost, user) string_views: the check on every publish allocates nothing.
    struct KeyLess {
        using is_transparent = void;
        template <class A, class B> bool operator()(const A& a, const B& b) const {
            return std::pair<std::string_view, std::string_view>(a.first, a.second) <
                   std::pair<std::string_view, std::string_view>(b.first, b.second);
        }
    };
    using ViewKey = std::pair<std::string_view, std::string_view>;

    static Result<Entry> compile(const Permission& permission);
    void journal_user(const User& user);
    void journal_permission(const Permission& permission);

    Journal& journal_;
    std::map<std::string, User, std::less<>> users_;
    std::map<Key, Entry, KeyLess> permissions_;
};

// A UserSpec checked and turned into a stored user: the name, the hashing algorithm and hash (a
// password is hashed with a fresh salt). Errors: bad_request naming what is wrong.
Result<User> make_user(const UserSpec& spec);

} // namespace warren::server
