#pragma once

// Small byte codecs the clients need: base64 (Basic credentials, binary payloads) and a UTF-8
// check (a WebSocket text frame must be valid UTF-8, so other bodies travel as base64). Pure.

#include <optional>
#include <string>
#include <string_view>

namespace warren::client {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not base64 (padding optional, whitespace refused).
std::optional<std::string> base64_decode(std::string_view text);
bool is_valid_utf8(std::string_view bytes);

} // namespace warren::client
