#include "amqp/codec/wire.hpp"

#include "amqp/codec/field_table.hpp"

namespace warren::amqp {

void put_u16(std::string& out, std::uint16_t v) {
    out += static_cast<char>(v >> 8);
    out += static_cast<char>(v & 0xff);
}

void put_u32(std::string& out, std::uint32_t v) {
    put_u16(out, static_cast<std::uint16_t>(v >> 16));
    put_u16(out, static_cast<std::uint16_t>(v & 0xffff));
}

void put_u64(std::string& out, std::uint64_t v) {
    put_u32(out, static_cast<std::uint32_t>(v >> 32));
    put_u32(out, static_cast<std::uint32_t>(v & 0xffffffffu));
}

void patch_u32(std::string& out, std::size_t at, std::uint32_t v) {
    out[at] = static_cast<char>(v >> 24);
    out[at + 1] = static_cast<char>((v >> 16) & 0xff);
    out[at + 2] = static_cast<char>((v >> 8) & 0xff);
    out[at + 3] = static_cast<char>(v & 0xff);
}

std::uint16_t get_u16(std::string_view b) {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(b[0]) << 8) |
                                      static_cast<unsigned char>(b[1]));
}

std::uint32_t get_u32(std::string_view b) {
    return (std::uint32_t{get_u16(b)} << 16) | get_u16(b.substr(2));
}

std::uint64_t get_u64(std::string_view b) {
    return (std::uint64_t{get_u32(b)} << 32) | get_u32(b.substr(4));
}

// ---- reading ---------------------------------------------------------------------------------

void WireReader::fail(std::string reason) {
    if (!failed_) {
        failed_ = true;
        reason_ = std::move(reason);
    }
    rest_ = {};
}

std::string_view WireReader::take(std::size_t n) {
    bit_index_ = 8; // any field but a bit ends a run of bits
    if (failed_ || n > rest_.size()) {
        fail("the payload ends inside a field");
        return {};
    }
    const std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return out;
}

void WireReader::octet(std::uint8_t& out) {
    const auto b = take(1);
    out = b.empty() ? 0 : static_cast<std::uint8_t>(b[0]);
}

void WireReader::short_(std::uint16_t& out) {
    const auto b = take(2);
    out = b.empty() ? 0 : get_u16(b);
}

void WireReader::long_(std::uint32_t& out) {
    const auto b = take(4);
    out = b.empty() ? 0 : get_u32(b);
}

void WireReader::longlong(std::uint64_t& out) {
    const auto b = take(8);
    out = b.empty() ? 0 : get_u64(b);
}

void WireReader::shortstr(std::string& out) {
    std::uint8_t n = 0;
    octet(n);
    out.assign(take(n));
}

void WireReader::longstr(std::string& out) {
    std::uint32_t n = 0;
    long_(n);
    out.assign(take(n));
}

void WireReader::bit(bool& out) {
    if (bit_index_ == 8) {
        const auto b = take(1);
        bits_ = b.empty() ? 0 : static_cast<std::uint8_t>(b[0]);
        bit_index_ = 0;
    }
    out = ((bits_ >> bit_index_) & 1) != 0;
    ++bit_index_;
}

void WireReader::table(FieldTable& out) {
    read_table(out, nullptr);
}

void WireReader::table(FieldTable& out, FieldTable& types) {
    read_table(out, &types);
}

void WireReader::read_table(FieldTable& out, FieldTable* types) {
    std::uint32_t n = 0;
    long_(n);
    const std::string_view bytes = take(n);
    if (failed_) {
        return;
    }
    auto decoded = decode_field_table(bytes, types);
    if (!decoded) {
        fail(decoded.error().reason);
        return;
    }
    out = std::move(*decoded);
}

void WireReader::reserved_short() {
    std::uint16_t ignored = 0;
    short_(ignored);
}

void WireReader::reserved_shortstr() {
    std::string ignored;
    shortstr(ignored);
}

void WireReader::reserved_longstr() {
    std::string ignored;
    longstr(ignored);
}

void WireReader::reserved_bit() {
    bool ignored = false;
    bit(ignored);
}

// ---- writing ---------------------------------------------------------------------------------

void WireWriter::end_bits() {
    bit_index_ = 8;
}

void WireWriter::octet(std::uint8_t v) {
    end_bits();
    out_ += static_cast<char>(v);
}

void WireWriter::short_(std::uint16_t v) {
    end_bits();
    put_u16(out_, v);
}

void WireWriter::long_(std::uint32_t v) {
    end_bits();
    put_u32(out_, v);
}

void WireWriter::longlong(std::uint64_t v) {
    end_bits();
    put_u64(out_, v);
}

void WireWriter::shortstr(std::string_view v) {
    v = v.substr(0, 255);
    octet(static_cast<std::uint8_t>(v.size()));
    out_.append(v);
}

void WireWriter::longstr(std::string_view v) {
    long_(static_cast<std::uint32_t>(v.size()));
    out_.append(v);
}

void WireWriter::bit(bool v) {
    if (bit_index_ == 8) {
        bits_at_ = out_.size();
        out_ += '\0';
        bit_index_ = 0;
    }
    if (v) {
        out_[bits_at_] = static_cast<char>(out_[bits_at_] | (1 << bit_index_));
    }
    ++bit_index_;
}

void WireWriter::table(const FieldTable& v) {
    write_table(v, nullptr);
}

void WireWriter::table(const FieldTable& v, const FieldTable& types) {
    write_table(v, &types);
}

void WireWriter::write_table(const FieldTable& v, const FieldTable* types) {
    end_bits();
    const std::size_t at = out_.size();
    put_u32(out_, 0);
    encode_field_table(out_, v, types);
    patch_u32(out_, at, static_cast<std::uint32_t>(out_.size() - at - 4));
}

} // namespace warren::amqp
