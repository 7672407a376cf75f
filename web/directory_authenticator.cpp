#include "web/directory_authenticator.hpp"

#include "web/password_hash.hpp"

namespace warren::web {

Result<Principal> DirectoryAuthenticator::authenticate(std::string_view user,
                                                       std::string_view password) const {
    const server::User* found = users_.find_user(user);
    if (found == nullptr) {
        // Spend the same work as for a wrong password, so that timing does not tell which
        // user names exist.
        static const std::string kDecoy = hash_password("decoy");
        (void)verify_password(kDecoy, kDefaultHashingAlgorithm, password);
        return Error{Errc::not_authorized, "Login failed"};
    }
    if (!verify_password(found->password_hash, found->hashing_algorithm, password)) {
        return Error{Errc::not_authorized, "Login failed"};
    }
    return Principal{found->name, found->tags, true};
}

void add_default_user(server::Core& broker, const std::string& name, const std::string& password) {
    broker.users().put_user(server::User{
        name, hash_password(password), std::string(kDefaultHashingAlgorithm), {"administrator"}});
    if (broker.find_vhost("/") != nullptr) {
        (void)broker.users().set_permission(server::Permission{name, "/", ".*", ".*", ".*"});
    }
}

} // namespace warren::web
