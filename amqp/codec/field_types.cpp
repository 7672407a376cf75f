#include "amqp/codec/field_types.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

namespace warren::amqp {
namespace json = boost::json;

namespace {

template <class T> bool integer_in(const json::value& v) {
    if (v.is_int64()) {
        return std::in_range<T>(v.get_int64());
    }
    if (v.is_uint64()) {
        return std::in_range<T>(v.get_uint64());
    }
    return false;
}

// How far a decoded number may have moved on its way through stored JSON text: Boost.JSON
// 1.81 parses some doubles one unit in the last place off (2^-52 relative); 2^-40 leaves room
// for that and the arithmetic below, and is far below what a changed value would differ by.
constexpr double kSlack = 0x1p-40;

bool same_float(double d) {
    if (!std::isfinite(d) || std::fabs(d) > std::numeric_limits<float>::max()) {
        return false;
    }
    const double rounded = static_cast<float>(d);
    return std::fabs(rounded - d) <= std::fabs(d) * kSlack;
}

} // namespace

char default_letter(const json::value& v) {
    switch (v.kind()) {
    case json::kind::bool_:
        return 't';
    case json::kind::int64:
        return 'l';
    case json::kind::uint64:
        // The only unsigned 64-bit letter: the value survives (RabbitMQ would wrap it).
        return std::in_range<std::int64_t>(v.get_uint64()) ? 'l' : 'T';
    case json::kind::double_:
        return 'd';
    case json::kind::string:
        return 'S';
    case json::kind::array:
        return 'A';
    case json::kind::object:
        return 'F';
    case json::kind::null:
        return 'V';
    }
    return 'V';
}

bool fits(FieldType type, const json::value& v) {
    switch (type.letter) {
    case 't':
        return v.is_bool();
    case 'b':
        return integer_in<std::int8_t>(v);
    case 'B':
        return integer_in<std::uint8_t>(v);
    case 's':
        return integer_in<std::int16_t>(v);
    case 'u':
        return integer_in<std::uint16_t>(v);
    case 'I':
        return integer_in<std::int32_t>(v);
    case 'i':
        return integer_in<std::uint32_t>(v);
    case 'l':
        return integer_in<std::int64_t>(v);
    case 'T':
        return integer_in<std::uint64_t>(v);
    case 'f':
        return v.is_double() && same_float(v.get_double());
    case 'd':
        return v.is_double();
    case 'D':
        return v.is_double() && decimal_unscaled(v.get_double(), type.scale).has_value();
    case 'S':
    case 'x':
        return v.is_string();
    case 'A':
        return v.is_array();
    case 'F':
        return v.is_object();
    case 'V':
        return v.is_null();
    default:
        return false;
    }
}

std::optional<std::int32_t> decimal_unscaled(double v, std::uint8_t scale) {
    const double scaled = v * std::pow(10.0, scale);
    if (!std::isfinite(scaled)) {
        return std::nullopt;
    }
    const double n = std::nearbyint(scaled);
    if (n < std::numeric_limits<std::int32_t>::min() ||
        n > std::numeric_limits<std::int32_t>::max() ||
        std::fabs(scaled - n) > std::fmax(std::fabs(n), 1.0) * kSlack) {
        return std::nullopt;
    }
    return static_cast<std::int32_t>(n);
}

std::string field_type_text(FieldType type) {
    std::string out(1, type.letter);
    if (type.letter == 'D') {
        out += std::to_string(type.scale);
    }
    return out;
}

std::optional<FieldType> parse_field_type(std::string_view text) {
    static constexpr std::string_view kLetters = "tbBsuIilTfdDSxAFV";
    if (text.empty() || kLetters.find(text[0]) == std::string_view::npos) {
        return std::nullopt;
    }
    FieldType type{text[0], 0};
    const std::string_view rest = text.substr(1);
    if (type.letter != 'D') {
        return rest.empty() ? std::optional(type) : std::nullopt;
    }
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), type.scale);
    if (rest.empty() || ec != std::errc{} || end != rest.data() + rest.size()) {
        return std::nullopt;
    }
    return type;
}

void append_pointer_token(std::string& path, std::string_view key) {
    path += '/';
    for (const char c : key) {
        if (c == '~') {
            path += "~0";
        } else if (c == '/') {
            path += "~1";
        } else {
            path += c;
        }
    }
}

} // namespace warren::amqp
