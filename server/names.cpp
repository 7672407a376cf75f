#include "server/names.hpp"

#include <cstdint>
#include <string>

namespace warren::server {

Result<void> check_name(std::string_view kind, std::string_view name) {
    if (name.size() > kMaxNameBytes) {
        return make_error(Errc::bad_request, std::string(kind) + " name is " +
                                                 std::to_string(name.size()) +
                                                 " bytes long; the limit is 255");
    }
    if (!is_valid_utf8(name)) {
        return make_error(Errc::bad_request, std::string(kind) + " name is not valid UTF-8");
    }
    return {};
}

bool is_reserved_name(std::string_view name) {
    return name.starts_with("amq.");
}

} // namespace warren::server
