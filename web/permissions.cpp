#include "web/permissions.hpp"

namespace warren::web {

Result<void> can_read(const Principal& principal, std::string_view vhost, std::string_view name) {
    (void)principal;
    (void)vhost;
    (void)name;
    return {};
}

Result<void> can_write(const Principal& principal, std::string_view vhost,
                       std::string_view exchange) {
    (void)principal;
    (void)vhost;
    (void)exchange;
    return {};
}

} // namespace warren::web
