#pragma once

// Small byte codecs the clients need: base64 (Basic credentials, binary payloads). The UTF-8
// check (a WebSocket text frame must be valid UTF-8, so other bodies travel as base64) is the
// server's own, common/utf8. Pure.

#include <optional>
#include <string>
#include <string_view>

#include "common/utf8.hpp"

namespace warren::client {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not base64 (padding optional, whitespace refused).
std::optional<std::string> base64_decode(std::string_view text);

} // namespace warren::client
