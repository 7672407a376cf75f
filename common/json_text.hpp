#pragma once

// Appending JSON text straight to a string, for the frames written once per message (a
// WebSocket delivery, a confirm): building a boost::json::object for each cost an allocation per
// key and a rehash, a fifth of the core thread in the end-to-end profile. The output is what
// boost::json::serialize writes for the same values (same escapes), so clients see no difference.

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace warren::json_text {

// Whether any of the eight bytes in `w` must be escaped: below 0x20, '"' or '\\'. The usual
// word-at-a-time tests (a byte below n; a zero byte after an xor), exact as to whether any
// byte matches.
constexpr bool any_needs_escape(std::uint64_t w) {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
    const std::uint64_t below_space = (w - kOnes * 0x20) & ~w & kHighs;
    const std::uint64_t quote = w ^ (kOnes * '"');
    const std::uint64_t backslash = w ^ (kOnes * '\\');
    return (below_space | ((quote - kOnes) & ~quote & kHighs) |
            ((backslash - kOnes) & ~backslash & kHighs)) != 0;
}

// `text` as a JSON string, quotes included. `text` is valid UTF-8 (the callers check or
// guarantee it); bytes >= 0x80 pass through, as in boost::json.
inline void append_string(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    std::size_t run = 0; // start of the bytes not yet copied
    for (std::size_t i = 0; i < text.size(); ++i) {
        // Payloads are mostly plain text: skip eight such bytes at a time (a replay's frames
        // spent 14 % of the core thread here byte by byte).
        while (i + 8 <= text.size()) {
            std::uint64_t word = 0;
            std::memcpy(&word, text.data() + i, sizeof word);
            if (any_needs_escape(word)) {
                break;
            }
            i += 8;
        }
        if (i >= text.size()) {
            break;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        out.append(text.data() + run, i - run);
        run = i + 1;
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 0x0f];
        }
    }
    out.append(text.data() + run, text.size() - run);
    out += '"';
}

// `"key":` (keys are literals that need no escaping).
inline void append_key(std::string& out, std::string_view key) {
    out += '"';
    out += key;
    out += "\":";
}

// An integer in decimal (std::to_chars: what boost::json writes for integers).
template <class Integer> void append_number(std::string& out, Integer n) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    out.append(digits, end);
}

inline void append_bool(std::string& out, bool b) {
    out += b ? "true" : "false";
}

} // namespace warren::json_text
