#include "amqp/codec/field_table.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <optional>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "amqp/codec/field_types.hpp"
#include "amqp/codec/wire.hpp"

namespace warren::amqp {
namespace json = boost::json;

namespace {

// The JSON Pointer of the value being read or written, kept only while types are recorded or
// followed (`path` null otherwise: plain tables pay nothing for it).
class PointerPath {
public:
    explicit PointerPath(std::string* path) : path_(path) {}

    std::size_t enter(std::string_view key) {
        if (path_ == nullptr) {
            return 0;
        }
        const std::size_t mark = path_->size();
        append_pointer_token(*path_, key);
        return mark;
    }
    std::size_t enter(std::size_t index) {
        if (path_ == nullptr) {
            return 0;
        }
        const std::size_t mark = path_->size();
        *path_ += '/';
        *path_ += std::to_string(index);
        return mark;
    }
    void leave(std::size_t mark) {
        if (path_ != nullptr) {
            path_->resize(mark);
        }
    }
    const std::string& text() const { return *path_; }
    std::string* shared() const { return path_; }

private:
    std::string* path_;
};

class ValueReader {
public:
    ValueReader(std::string_view bytes, FieldTypes* types, std::string* path)
        : reader_(bytes), types_(types), path_(types != nullptr ? path : nullptr) {}

    // The top-level entry: `types` (if given) starts empty.
    static Result<json::object> decode(std::string_view bytes, FieldTypes* types) {
        std::string path;
        if (types != nullptr) {
            types->clear();
        }
        auto table = ValueReader(bytes, types, &path).table_body(0);
        if (!table && types != nullptr) {
            types->clear(); // no half records for a table that is refused
        }
        return table;
    }

    Result<json::object> table_body(int depth) {
        json::object out;
        while (!reader_.at_end() && !reader_.failed()) {
            std::string key;
            reader_.shortstr(key);
            const std::size_t mark = path_.enter(key);
            if (types_ != nullptr && !types_->empty() && out.contains(key)) {
                forget_recorded(); // a repeated name: the earlier value's letters go with it
            }
            json::value v = value(depth);
            path_.leave(mark);
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
        std::uint8_t letter = 0;
        reader_.octet(letter);
        FieldType type{static_cast<char>(letter), 0};
        json::value v = payload(type, depth);
        // Only what the encoder would not choose by itself is recorded (and what still fits:
        // a NaN float, now null, goes back as V).
        if (types_ != nullptr && !reader_.failed() && type.letter != default_letter(v) &&
            fits(type, v)) {
            (*types_)[path_.text()] = field_type_text(type);
        }
        return v;
    }

    json::value payload(FieldType& type, int depth) {
        switch (type.letter) {
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
            type.scale = fixed<std::uint8_t>();
            const auto unscaled = fixed<std::int32_t>();
            return static_cast<double>(unscaled) / std::pow(10.0, type.scale);
        }
        case 'S':
        case 'x': {
            const auto n = fixed<std::uint32_t>();
            return json::string(reader_.take(n));
        }
        case 'V':
            return nullptr;
        case 'A':
        case 'F':
            return container(type.letter, depth);
        default:
            if (!reader_.failed()) {
                const auto c = static_cast<unsigned char>(type.letter);
                reader_.fail("unknown field type '" +
                             (c >= 0x20 && c < 0x7f ? std::string(1, type.letter)
                                                    : "\\x" + std::to_string(c)) +
                             "'");
            }
            return nullptr;
        }
    }

    json::value container(char letter, int depth) {
        if (depth >= kMaxFieldDepth) {
            reader_.fail("nested deeper than " + std::to_string(kMaxFieldDepth));
            return nullptr;
        }
        const auto n = fixed<std::uint32_t>();
        const auto bytes = reader_.take(n);
        if (reader_.failed()) {
            return nullptr;
        }
        ValueReader inner(bytes, types_, path_.shared());
        if (letter == 'F') {
            auto table = inner.table_body(depth + 1);
            if (!table) {
                reader_.fail(inner.reader_.reason());
                return nullptr;
            }
            return std::move(*table);
        }
        json::array items;
        for (std::size_t i = 0; !inner.reader_.at_end() && !inner.reader_.failed(); ++i) {
            const std::size_t mark = path_.enter(i);
            items.push_back(inner.value(depth + 1));
            path_.leave(mark);
        }
        if (inner.reader_.failed()) {
            reader_.fail(inner.reader_.reason());
            return nullptr;
        }
        return items;
    }

    // Drops the records at the current path and below it.
    void forget_recorded() {
        const std::string& at = path_.text();
        for (auto it = types_->begin(); it != types_->end();) {
            const std::string_view key = it->key();
            if (key.starts_with(at) && (key.size() == at.size() || key[at.size()] == '/')) {
                it = types_->erase(it);
            } else {
                ++it;
            }
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
    FieldTypes* types_;
    PointerPath path_;
};

class ValueWriter {
public:
    // Empty types are as good as none: no path is kept.
    ValueWriter(std::string& out, const FieldTypes* types, std::string* path)
        : out_(out), types_(types != nullptr && !types->empty() ? types : nullptr),
          path_(types_ != nullptr ? path : nullptr) {}

    void table_body(const json::object& table) {
        for (const auto& [key, value] : table) {
            const std::string_view k = std::string_view(key).substr(0, 255);
            out_ += static_cast<char>(k.size());
            out_.append(k);
            const std::size_t mark = path_.enter(key);
            this->value(value);
            path_.leave(mark);
        }
    }

private:
    void value(const json::value& v) {
        if (const auto type = recorded(v)) {
            put(*type, v);
        } else {
            put(FieldType{default_letter(v), 0}, v);
        }
    }

    // The letter recorded for the current path, if the value still fits it.
    std::optional<FieldType> recorded(const json::value& v) const {
        if (types_ == nullptr) {
            return std::nullopt;
        }
        const json::value* record = types_->if_contains(path_.text());
        if (record == nullptr || !record->is_string()) {
            return std::nullopt;
        }
        auto type = parse_field_type(record->get_string());
        if (!type || !fits(*type, v)) {
            return std::nullopt;
        }
        return type;
    }

    static std::uint64_t integer_bits(const json::value& v) {
        return v.is_int64() ? static_cast<std::uint64_t>(v.get_int64()) : v.get_uint64();
    }

    // Writes `v` as `type`, which fits it (fits() or default_letter() said so).
    void put(FieldType type, const json::value& v) {
        out_ += type.letter;
        switch (type.letter) {
        case 't':
            out_ += v.get_bool() ? '\1' : '\0';
            return;
        case 'b':
        case 'B':
            out_ += static_cast<char>(integer_bits(v) & 0xff);
            return;
        case 's':
        case 'u':
            put_u16(out_, static_cast<std::uint16_t>(integer_bits(v)));
            return;
        case 'I':
        case 'i':
            put_u32(out_, static_cast<std::uint32_t>(integer_bits(v)));
            return;
        case 'l':
        case 'T':
            put_u64(out_, integer_bits(v));
            return;
        case 'f':
            put_u32(out_, std::bit_cast<std::uint32_t>(static_cast<float>(v.get_double())));
            return;
        case 'd':
            put_u64(out_, std::bit_cast<std::uint64_t>(v.get_double()));
            return;
        case 'D':
            out_ += static_cast<char>(type.scale);
            put_u32(out_, static_cast<std::uint32_t>(
                              decimal_unscaled(v.get_double(), type.scale).value_or(0)));
            return;
        case 'S':
        case 'x': {
            const auto& s = v.get_string();
            put_u32(out_, static_cast<std::uint32_t>(s.size()));
            out_.append(s.data(), s.size());
            return;
        }
        case 'A':
            array(v.get_array());
            return;
        case 'F': {
            const std::size_t at = out_.size();
            put_u32(out_, 0);
            table_body(v.get_object());
            patch_u32(out_, at, static_cast<std::uint32_t>(out_.size() - at - 4));
            return;
        }
        default: // 'V': no payload
            return;
        }
    }

    void array(const json::array& items) {
        const std::size_t at = out_.size();
        put_u32(out_, 0);
        for (std::size_t i = 0; i < items.size(); ++i) {
            const std::size_t mark = path_.enter(i);
            value(items[i]);
            path_.leave(mark);
        }
        patch_u32(out_, at, static_cast<std::uint32_t>(out_.size() - at - 4));
    }

    std::string& out_;
    const FieldTypes* types_;
    PointerPath path_;
};

} // namespace

Result<json::object> decode_field_table(std::string_view bytes, FieldTypes* types) {
    return ValueReader::decode(bytes, types);
}

void encode_field_table(std::string& out, const json::object& table, const FieldTypes* types) {
    std::string path;
    ValueWriter(out, types, &path).table_body(table);
}

} // namespace warren::amqp
