#pragma once

// UTF-8 validation, shared by the broker (names, payload encoding), the WebSocket layer (text
// frames must be UTF-8, RFC 6455 8.1) and the clients. It runs on every delivered body and every
// received text frame, so runs of ASCII are checked eight bytes at a time.

#include <string_view>

namespace warren {

// Well-formed UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF, nothing truncated.
bool is_valid_utf8(std::string_view text);

} // namespace warren
