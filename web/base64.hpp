#pragma once

// Base64 (RFC 4648, standard alphabet, padded) for binary payloads in JSON.

#include <optional>
#include <string>
#include <string_view>

namespace warren::web {

std::string base64_encode(std::string_view bytes);
// nullopt for anything that is not canonical padded base64 (whitespace included).
std::optional<std::string> base64_decode(std::string_view text);

} // namespace warren::web
