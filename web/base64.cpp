#include "web/base64.hpp"

#include <array>
#include <cstdint>

namespace warren::web {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_reverse() {
    std::array<std::int8_t, 256> table{};
    for (auto& v : table) {
        v = -1;
    }
    for (int i = 0; i < 64; ++i) {
        table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::int8_t>(i);
    }
    return table;
}
constexpr auto kReverse = make_reverse();

} // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = (static_cast<std::uint8_t>(bytes[i]) << 16) |
                                (static_cast<std::uint8_t>(bytes[i + 1]) << 8) |
                                static_cast<std::uint8_t>(bytes[i + 2]);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        std::uint32_t n = static_cast<std::uint8_t>(bytes[i]) << 16;
        if (rest == 2) {
            n |= static_cast<std::uint8_t>(bytes[i + 1]) << 8;
        }
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    std::string out(base64_decoded_capacity(text), '\0');
    auto length = base64_decode_into(text, out.data());
    if (!length) {
        return std::nullopt;
    }
    out.resize(*length);
    return out;
}

std::optional<std::size_t> base64_decode_into(std::string_view text, char* out) {
    if (text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::size_t length = 0;
    for (std::size_t i = 0; i < text.size(); i += 4) {
        const bool last = i + 4 == text.size();
        int values[4];
        int padding = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = text[i + k];
            if (c == '=' && last && k >= 2) {
                values[k] = 0;
                ++padding;
                continue;
            }
            if (padding > 0) {
                return std::nullopt; // data after padding
            }
            values[k] = kReverse[static_cast<unsigned char>(c)];
            if (values[k] < 0) {
                return std::nullopt;
            }
        }
        const std::uint32_t n =
            (values[0] << 18) | (values[1] << 12) | (values[2] << 6) | values[3];
        out[length++] = static_cast<char>((n >> 16) & 0xFF);
        if (padding < 2) {
            out[length++] = static_cast<char>((n >> 8) & 0xFF);
        }
        if (padding < 1) {
            out[length++] = static_cast<char>(n & 0xFF);
        }
    }
    return length;
}

} // namespace warren::web
