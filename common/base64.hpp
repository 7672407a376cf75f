#pragma once

// Base64 (RFC 4648, standard alphabet), the one implementation the server and the clients share:
// Basic credentials, binary payloads in JSON, password hashes, Sec-WebSocket-Key/Accept. Pure.
//
// Encoding always pads. Decoding is strict by default, as the server's input checks need: the
// length a multiple of 4, at most two '=' and only at the end, nothing outside the alphabet
// (whitespace included); anything else is a failure (nullopt), never partial bytes. The
// clients read the server's answers leniently (padding optional), as they always have.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace warren {

enum class Base64Padding {
    required, // canonical padded base64: the server's rule for everything it is sent
    optional, // '=' may be left out (or repeated) at the end: the clients' rule for answers
};

std::string base64_encode(std::string_view bytes);

// The bytes `text` encodes, or nullopt when it is not base64 under `padding`'s rule.
std::optional<std::string> base64_decode(std::string_view text,
                                         Base64Padding padding = Base64Padding::required);

// The same into `out` (at least base64_decoded_capacity(text) bytes): the decoded length, or
// nullopt as above. For hot paths that keep the bytes on the stack.
std::optional<std::size_t> base64_decode_into(std::string_view text, char* out,
                                              Base64Padding padding = Base64Padding::required);

// Room enough for what base64_decode_into writes for `text` under either rule.
constexpr std::size_t base64_decoded_capacity(std::string_view text) {
    return (text.size() + 3) / 4 * 3;
}

} // namespace warren
