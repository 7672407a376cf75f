// Base64 encoding and decoding (common/base64.hpp): one table, one decoder for both padding rules.

#include "common/base64.hpp"

#include <array>
#include <cstdint>

namespace warren {

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

// The six bits `c` stands for, or -1 outside the alphabet ('=' included).
int sextet(char c) {
    return kReverse[static_cast<unsigned char>(c)];
}

// `text` without its padding, or nullopt when the padding breaks `rule`.
std::optional<std::string_view> strip_padding(std::string_view text, Base64Padding rule) {
    if (rule == Base64Padding::required) {
        if (text.size() % 4 != 0) {
            return std::nullopt;
        }
        // At most two, in the last quantum; a third '=' stays and fails as outside the alphabet.
        for (int i = 0; i < 2 && !text.empty() && text.back() == '='; ++i) {
            text.remove_suffix(1);
        }
        return text;
    }
    while (!text.empty() && text.back() == '=') {
        text.remove_suffix(1);
    }
    return text;
}

} // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t n = (std::uint32_t{static_cast<std::uint8_t>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<std::uint8_t>(bytes[i + 1])} << 8) |
                                static_cast<std::uint8_t>(bytes[i + 2]);
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += kAlphabet[(n >> 6) & 63];
        out += kAlphabet[n & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        std::uint32_t n = std::uint32_t{static_cast<std::uint8_t>(bytes[i])} << 16;
        if (rest == 2) {
            n |= std::uint32_t{static_cast<std::uint8_t>(bytes[i + 1])} << 8;
        }
        out += kAlphabet[(n >> 18) & 63];
        out += kAlphabet[(n >> 12) & 63];
        out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text, Base64Padding padding) {
    std::string out(base64_decoded_capacity(text), '\0');
    auto length = base64_decode_into(text, out.data(), padding);
    if (!length) {
        return std::nullopt;
    }
    out.resize(*length);
    return out;
}

std::optional<std::size_t> base64_decode_into(std::string_view text, char* out,
                                              Base64Padding padding) {
    const auto data = strip_padding(text, padding);
    // One character left over carries 6 bits: not even one byte.
    if (!data || data->size() % 4 == 1) {
        return std::nullopt;
    }
    std::size_t length = 0;
    std::uint32_t acc = 0;
    int bits = 0;
    for (const char c : *data) {
        const int v = sextet(c);
        if (v < 0) {
            return std::nullopt;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[length++] = static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    // The bits of a last partial quantum beyond its bytes are dropped, as both former decoders
    // did (RFC 4648 3.5 lets a decoder accept them).
    return length;
}

} // namespace warren
