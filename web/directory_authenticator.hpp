#pragma once

// The Authenticator over the broker's users: name + password checked against the stored salted
// hash (web/password_hash), answering the user's tags.
//
// Thread: the core executor, because the directory is broker state; under the threading model
// of docs/architecture.md every HTTP session and WebSocket runs there too.

#include <string>

#include "server/core.hpp"
#include "server/users.hpp"
#include "web/auth.hpp"

namespace warren::web {

class DirectoryAuthenticator final : public Authenticator {
public:
    explicit DirectoryAuthenticator(const server::UserDirectory& users) : users_(users) {}

    Result<Principal> authenticate(std::string_view user, std::string_view password) const override;

private:
    const server::UserDirectory& users_;
};

// The first start's administrator, as RabbitMQ creates guest/guest: tag administrator and every
// permission on the vhost "/". main() calls it when the store holds no users.
void add_default_user(server::Core& broker, const std::string& name, const std::string& password);

} // namespace warren::web
