#include "server/names.hpp"

#include <cstdint>
#include <string>

namespace warren::server {

bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        const auto c = static_cast<std::uint8_t>(text[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + extra >= n) {
            return false;
        }
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto cc = static_cast<std::uint8_t>(text[i + k]);
            if ((cc & 0xC0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Overlong encodings, surrogates and values past U+10FFFF are not UTF-8.
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
            (extra == 3 && cp < 0x10000) || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += extra + 1;
    }
    return true;
}

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
