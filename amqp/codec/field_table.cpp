#include "amqp/codec/field_table.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "amqp/codec/wire.hpp"

namespace warren::amqp {
namespace json = boost::json;

namespace {

class ValueReader {
public:
    explicit ValueReader(std::string_view bytes) : reader_(bytes) {}

    Result<json::object> table_body(int depth) {
        json::object out;
        while (!reader_.at_end() && !reader_.failed()) {
            std::string key;
            reader_.shortstr(key);
            json::value v = value(depth);
            if (!reader_.failed()) {
                out.insert_or_assign(key, std::move(v));
            }
        }
        if (reader_.failed()) {
            return make_error(Errc::bad_request, "field table: " + reader_.reason());
        }
        return out;
    }

private:
    template <class T> T fixed() {
        const auto b = reader_.take(sizeof(T));
        if (b.empty()) {
            return T{};
        }
        std::uint64_t raw = 0;
        for (const char c : b) {
            raw = (raw << 8) | static_cast<unsigned char>(c);
        }
        if constexpr (std::is_same_v<T, float>) {
            return std::bit_cast<float>(static_cast<std::uint32_t>(raw));
        } else if constexpr (std::is_same_v<T, double>) {
            return std::bit_cast<double>(raw);
        } else {
            return static_cast<T>(raw);
        }
    }

    json::value value(int depth) {
        std::uint8_t type = 0;
        reader_.octet(type);
        switch (type) {
        case 't':
            return fixed<std::uint8_t>() != 0;
        case 'b':
            return fixed<std::int8_t>();
        case 'B':
            return fixed<std::uint8_t>();
        case 's': // RabbitMQ's letter for a signed 16-bit integer
            return fixed<std::int16_t>();
        case 'u':
            return fixed<std::uint16_t>();
        case 'I':
            return fixed<std::int32_t>();
        case 'i':
            return fixed<std::uint32_t>();
        case 'l':
            return fixed<std::int64_t>();
        case 'T':
            return fixed<std::uint64_t>();
        case 'f':
            return finite(fixed<float>());
        case 'd':
            return finite(fixed<double>());
        case 'D': {
            const auto scale = fixed<std::uint8_t>();
            const auto unscaled = fixed<std::int32_t>();
            return static_cast<double>(unscaled) / std::pow(10.0, scale);
        }
        case 'S':
        case 'x': {
            const auto n = fixed<std::uint32_t>();
            return json::string(reader_.take(n));
        }
        case 'V':
            return nullptr;
        case 'A':
        case 'F': {
            if (depth >= kMaxFieldDepth) {
                reader_.fail("nested deeper than " + std::to_string(kMaxFieldDepth));
                return nullptr;
            }
            const auto n = fixed<std::uint32_t>();
            const auto bytes = reader_.take(n);
            if (reader_.failed()) {
                return nullptr;
            }
            ValueReader inner(bytes);
            if (type == 'F') {
                auto table = inner.table_body(depth + 1);
                if (!table) {
                    reader_.fail(inner.reader_.reason());
                    return nullptr;
                }
                return std::move(*table);
            }
            json::array items;
            while (!inner.reader_.at_end() && !inner.reader_.failed()) {
                items.push_back(inner.value(depth + 1));
            }
            if (inner.reader_.failed()) {
                reader_.fail(inner.reader_.reason());
                return nullptr;
            }
            return items;
        }
        default:
            if (!reader_.failed()) {
                reader_.fail("unknown field type '" +
                             (type >= 0x20 && type < 0x7f ? std::string(1, static_cast<char>(type))
                                                          : "\\x" + std::to_string(type)) +
                             "'");
            }
            return nullptr;
        }
    }

    // JSON has no NaN or infinity: such a header value becomes null.
    static json::value finite(double d) {
        if (std::isfinite(d)) {
            return d;
        }
        return nullptr;
    }

    WireReader reader_;
};

void encode_value(std::string& out, const json::value& v);

void encode_array(std::string& out, const json::array& items) {
    const std::size_t at = out.size();
    put_u32(out, 0);
    for (const auto& item : items) {
        encode_value(out, item);
    }
    patch_u32(out, at, static_cast<std::uint32_t>(out.size() - at - 4));
}

void encode_value(std::string& out, const json::value& v) {
    switch (v.kind()) {
    case json::kind::bool_:
        out += 't';
        out += v.get_bool() ? '\1' : '\0';
        return;
    case json::kind::int64: {
        const std::int64_t n = v.get_int64();
        if (n >= std::numeric_limits<std::int32_t>::min() &&
            n <= std::numeric_limits<std::int32_t>::max()) {
            out += 'I';
            put_u32(out, static_cast<std::uint32_t>(n));
        } else {
            out += 'l';
            put_u64(out, static_cast<std::uint64_t>(n));
        }
        return;
    }
    case json::kind::uint64: {
        const std::uint64_t n = v.get_uint64();
        if (n <= static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) {
            out += 'I';
            put_u32(out, static_cast<std::uint32_t>(n));
        } else if (n <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            out += 'l';
            put_u64(out, n);
        } else {
            out += 'T'; // the only unsigned 64-bit letter: the value survives
            put_u64(out, n);
        }
        return;
    }
    case json::kind::double_:
        out += 'd';
        put_u64(out, std::bit_cast<std::uint64_t>(v.get_double()));
        return;
    case json::kind::string: {
        const auto& s = v.get_string();
        out += 'S';
        put_u32(out, static_cast<std::uint32_t>(s.size()));
        out.append(s.data(), s.size());
        return;
    }
    case json::kind::array:
        out += 'A';
        encode_array(out, v.get_array());
        return;
    case json::kind::object: {
        out += 'F';
        const std::size_t at = out.size();
        put_u32(out, 0);
        encode_field_table(out, v.get_object());
        patch_u32(out, at, static_cast<std::uint32_t>(out.size() - at - 4));
        return;
    }
    case json::kind::null:
        out += 'V';
        return;
    }
}

} // namespace

Result<json::object> decode_field_table(std::string_view bytes) {
    return ValueReader(bytes).table_body(0);
}

void encode_field_table(std::string& out, const json::object& table) {
    for (const auto& [key, value] : table) {
        const std::string_view k = std::string_view(key).substr(0, 255);
        out += static_cast<char>(k.size());
        out.append(k);
        encode_value(out, value);
    }
}

} // namespace warren::amqp
