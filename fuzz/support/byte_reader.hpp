#pragma once

// ByteReader: takes typed values off the front of a fuzz input, in the order a target asks for
// them, so that a seed can be written by hand (fuzz/make_seeds.py) and every input is valid.
// A bool or a small choice is one byte, an integer eight (little-endian), a string a length
// byte and then that many bytes. Past the end, everything reads as zero bytes.
//
// Ours rather than libFuzzer's FuzzedDataProvider: that header ships with clang only, and the
// targets also build with gcc as replay tests (fuzz/replay_main.cpp).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

namespace warren::fuzz {

class ByteReader {
public:
    ByteReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    bool boolean() { return (byte() & 1) != 0; }

    // An index in [0, count); count > 0.
    std::size_t choice(std::size_t count) { return byte() % count; }

    std::uint64_t integer() {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) {
            v |= std::uint64_t{byte()} << (8 * i);
        }
        return v;
    }

    // In [min, max]; min <= max.
    std::uint64_t integer_in(std::uint64_t min, std::uint64_t max) {
        const std::uint64_t span = max - min;
        const std::uint64_t v = integer();
        return span == UINT64_MAX ? v : min + v % (span + 1);
    }

    // At most max_size bytes (and at most 255).
    std::string string(std::size_t max_size) {
        const std::size_t n = std::min<std::size_t>({byte(), max_size, size_ - at_});
        std::string out(reinterpret_cast<const char*>(data_ + at_), n);
        at_ += n;
        return out;
    }

private:
    std::uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }

    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t at_ = 0;
};

} // namespace warren::fuzz
