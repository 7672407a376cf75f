#pragma once

// A non-negative decimal integer that is the whole text ("12", not "+12", " 12", "12x" or ""):
// what query parameters and path segments that count or point at something must be.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace warren {

inline std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return n;
}

} // namespace warren
