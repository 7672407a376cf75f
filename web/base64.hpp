#pragma once

// Base64 (RFC 4648, standard alphabet, padded) for binary payloads in JSON.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace warren::web {

std::string base64_encode(std::string_view bytes);
// nullopt for anything that is not canonical padded base64 (whitespace included).
std::optional<std::string> base64_decode(std::string_view text);
// The same into `out` (at least base64_decoded_capacity(text) bytes): the decoded length, or
// nullopt as above. For hot paths that keep the bytes on the stack.
std::optional<std::size_t> base64_decode_into(std::string_view text, char* out);
constexpr std::size_t base64_decoded_capacity(std::string_view text) {
    return text.size() / 4 * 3;
}

} // namespace warren::web
