#pragma once

// AMQP 0-9-1's primitive types on the wire (spec section 4.2.5), big-endian: WireReader takes
// them off a payload, WireWriter appends them. Both expose the same field calls (octet, short_,
// long_, longlong, shortstr, longstr, bit, table) so one `fields(visitor)` list per method
// (methods.hpp) serves decoding and encoding. Consecutive bits share an octet, as the spec packs
// them; any other field ends the run.
//
// A reader never reads past its payload: a short payload, an oversized length or a bad field
// table sets failed() with a reason, and every later read yields zero values. Callers check
// once at the end (what a fuzzer feeds it can never crash it).
//
// Thread: any; a reader or writer is used by one thread.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace warren::amqp {

using FieldTable = boost::json::object;

class WireReader {
public:
    explicit WireReader(std::string_view bytes) : rest_(bytes) {}

    void octet(std::uint8_t& out);
    void short_(std::uint16_t& out);
    void long_(std::uint32_t& out);
    void longlong(std::uint64_t& out);
    void shortstr(std::string& out);
    void longstr(std::string& out);
    void bit(bool& out);
    void table(FieldTable& out);
    // A message's headers: also records their type letters (field_table.hpp) into `types`.
    void table(FieldTable& out, FieldTable& types);
    // A reserved field: read and dropped.
    void reserved_short();
    void reserved_shortstr();
    void reserved_longstr();
    void reserved_bit();

    bool failed() const { return failed_; }
    const std::string& reason() const { return reason_; }
    bool at_end() const { return rest_.empty(); }
    std::size_t remaining() const { return rest_.size(); }
    // Fails the read with `reason` (the first failure's reason is kept).
    void fail(std::string reason);
    // The next `n` raw bytes, or a failure.
    std::string_view take(std::size_t n);

private:
    void read_table(FieldTable& out, FieldTable* types);
    std::string_view rest_;
    std::uint8_t bits_ = 0;
    int bit_index_ = 8; // 8: no bits pending, the next bit starts an octet
    bool failed_ = false;
    std::string reason_;
};

class WireWriter {
public:
    explicit WireWriter(std::string& out) : out_(out) {}

    void octet(std::uint8_t v);
    void short_(std::uint16_t v);
    void long_(std::uint32_t v);
    void longlong(std::uint64_t v);
    // Longer than 255 bytes is cut at 255: the callers validate names before they get here.
    void shortstr(std::string_view v);
    void longstr(std::string_view v);
    void bit(bool v);
    void table(const FieldTable& v);
    // A message's headers, with the type letters recorded in `types` (field_table.hpp).
    void table(const FieldTable& v, const FieldTable& types);
    void reserved_short() { short_(0); }
    void reserved_shortstr() { shortstr(""); }
    void reserved_longstr() { longstr(""); }
    void reserved_bit() { bit(false); }

private:
    void end_bits();
    void write_table(const FieldTable& v, const FieldTable* types);
    std::string& out_;
    std::size_t bits_at_ = 0; // where the pending bit octet is in out_
    int bit_index_ = 8;
};

// Appends `v` big-endian (the frame writer patches sizes with it).
void put_u16(std::string& out, std::uint16_t v);
void put_u32(std::string& out, std::uint32_t v);
void put_u64(std::string& out, std::uint64_t v);
void patch_u32(std::string& out, std::size_t at, std::uint32_t v);
std::uint16_t get_u16(std::string_view bytes);
std::uint32_t get_u32(std::string_view bytes);
std::uint64_t get_u64(std::string_view bytes);

} // namespace warren::amqp
