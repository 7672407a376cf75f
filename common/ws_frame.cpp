#include "common/ws_frame.hpp"

#include <algorithm>
#include <cstring>

#include "common/utf8.hpp"

namespace warren::ws_frame {
namespace {

constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kRsv = 0x70;
constexpr std::uint8_t kMasked = 0x80;

void append_length(std::string& out, std::uint8_t first, std::uint8_t mask_bit,
                   std::uint64_t size) {
    char header[10];
    std::size_t n = 0;
    header[n++] = static_cast<char>(first);
    if (size < 126) {
        header[n++] = static_cast<char>(mask_bit | size);
    } else if (size <= 0xFFFF) {
        header[n++] = static_cast<char>(mask_bit | 126);
        header[n++] = static_cast<char>(size >> 8);
        header[n++] = static_cast<char>(size);
    } else {
        header[n++] = static_cast<char>(mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8) {
            header[n++] = static_cast<char>(size >> shift);
        }
    }
    out.append(header, n);
}

bool is_known(std::uint8_t op) {
    return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

// Codes a peer may send (RFC 6455 7.4, and the IANA registry's 1012-1014).
bool is_valid_close_code(std::uint16_t code) {
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
           (code >= 3000 && code <= 4999);
}

std::uint64_t read_be(const unsigned char* p, int bytes) {
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) {
        v = (v << 8) | p[i];
    }
    return v;
}

} // namespace

void append_header(std::string& out, Opcode op, std::uint64_t payload_size) {
    append_length(out, kFin | static_cast<std::uint8_t>(op), 0, payload_size);
}

void append_frame(std::string& out, Opcode op, std::string_view payload) {
    append_header(out, op, payload.size());
    out.append(payload);
}

void append_masked_frame(std::string& out, Opcode op, std::string_view payload,
                         std::uint32_t mask_key) {
    append_length(out, kFin | static_cast<std::uint8_t>(op), kMasked, payload.size());
    char key[4];
    std::memcpy(key, &mask_key, 4);
    out.append(key, 4);
    const std::size_t at = out.size();
    out.append(payload);
    apply_mask(out.data() + at, payload.size(), mask_key);
}

std::string close_payload(std::uint16_t code, std::string_view reason) {
    std::string out;
    out += static_cast<char>(code >> 8);
    out += static_cast<char>(code & 0xFF);
    reason = reason.substr(0, kMaxControlPayload - 2);
    // Cut at a character boundary: the reason must stay UTF-8.
    while (!reason.empty() && !is_valid_utf8(reason)) {
        reason.remove_suffix(1);
    }
    out.append(reason);
    return out;
}

void apply_mask(char* data, std::size_t size, std::uint32_t mask_key, std::size_t offset) {
    unsigned char key[4];
    std::memcpy(key, &mask_key, 4);
    unsigned char rotated[8];
    for (std::size_t i = 0; i < 8; ++i) {
        rotated[i] = key[(offset + i) % 4];
    }
    std::uint64_t word_key;
    std::memcpy(&word_key, rotated, 8);
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, data + i, 8);
        word ^= word_key;
        std::memcpy(data + i, &word, 8);
    }
    for (; i < size; ++i) {
        data[i] = static_cast<char>(data[i] ^ rotated[i % 8]);
    }
}

Event FrameReader::fail(std::string_view why, std::uint16_t code) {
    failed_ = true;
    failure_ = why;
    failure_code_ = code;
    message_.clear();
    return Event{Event::Kind::failed, why, code, 0};
}

Event FrameReader::finish_message(Opcode op, std::string_view payload) {
    if (op == Opcode::text && !is_valid_utf8(payload)) {
        return fail("a text frame is not valid UTF-8", close_code::bad_payload);
    }
    return Event{op == Opcode::text ? Event::Kind::text : Event::Kind::binary, payload, 0, 0};
}

Event FrameReader::next(char* data, std::size_t size, std::size_t& consumed) {
    consumed = 0;
    if (failed_) {
        return Event{Event::Kind::failed, failure_, failure_code_, 0};
    }
    if (!in_message_ && !message_.empty()) {
        message_.clear(); // the last call returned the assembled message from here
    }
    for (;;) {
        if (skip_bytes_ > 0) {
            const std::uint64_t n = std::min<std::uint64_t>(skip_bytes_, size - consumed);
            consumed += static_cast<std::size_t>(n);
            skip_bytes_ -= n;
            if (skip_bytes_ > 0) {
                return Event{};
            }
        }
        const std::size_t avail = size - consumed;
        auto* p = reinterpret_cast<unsigned char*>(data + consumed);
        if (avail < 2) {
            return Event{};
        }
        const bool fin = (p[0] & kFin) != 0;
        const std::uint8_t op = p[0] & 0x0F;
        const bool masked = (p[1] & kMasked) != 0;
        const std::uint8_t len7 = p[1] & 0x7F;
        if ((p[0] & kRsv) != 0) {
            return fail("reserved bits are set (no extension was negotiated)");
        }
        if (!is_known(op)) {
            return fail("unknown opcode");
        }
        const bool control = (op & 0x8) != 0;
        if (control && (!fin || len7 > kMaxControlPayload)) {
            return fail("a control frame is fragmented or longer than 125 bytes");
        }
        if (role_ == Role::server && !masked) {
            return fail("a client's frames must be masked");
        }
        if (role_ == Role::client && masked) {
            return fail("a server's frames must not be masked");
        }
        std::size_t header = 2;
        std::uint64_t len = len7;
        if (len7 == 126) {
            header = 4;
            if (avail < header) {
                return Event{};
            }
            len = read_be(p + 2, 2);
            if (len < 126) {
                return fail("a frame length is not in its shortest form");
            }
        } else if (len7 == 127) {
            header = 10;
            if (avail < header) {
                return Event{};
            }
            len = read_be(p + 2, 8);
            if ((len >> 63) != 0) {
                return fail("a frame length has its top bit set");
            }
            if (len <= 0xFFFF) {
                return fail("a frame length is not in its shortest form");
            }
        }
        std::uint32_t key = 0;
        if (masked) {
            if (avail < header + 4) {
                return Event{};
            }
            std::memcpy(&key, p + header, 4);
            header += 4;
        }
        const auto kind = static_cast<Opcode>(op);
        if (!control) {
            if (kind == Opcode::continuation && !in_message_) {
                return fail("a continuation frame outside a fragmented message");
            }
            if (kind != Opcode::continuation && in_message_) {
                return fail("a new message inside a fragmented one");
            }
            if (kind == Opcode::continuation && skipping_message_) {
                consumed += header;
                skip_bytes_ = len;
                if (fin) {
                    in_message_ = false;
                    skipping_message_ = false;
                }
                continue;
            }
            const std::uint64_t so_far = kind == Opcode::continuation ? message_.size() : 0;
            if (so_far + len > max_message_) {
                consumed += header;
                skip_bytes_ = len;
                std::string().swap(message_);
                in_message_ = !fin;
                skipping_message_ = !fin;
                return Event{Event::Kind::too_large, {}, close_code::too_big, 0};
            }
        }
        if (avail - header < len) {
            return Event{Event::Kind::need_more, {}, 0, static_cast<std::size_t>(header + len)};
        }
        char* payload_at = data + consumed + header;
        const auto n = static_cast<std::size_t>(len);
        if (masked) {
            apply_mask(payload_at, n, key);
        }
        const std::string_view payload(payload_at, n);
        consumed += header + n;
        switch (kind) {
        case Opcode::ping:
            return Event{Event::Kind::ping, payload, 0, 0};
        case Opcode::pong:
            return Event{Event::Kind::pong, payload, 0, 0};
        case Opcode::close: {
            if (n == 0) {
                return Event{Event::Kind::close, {}, close_code::no_status, 0};
            }
            if (n == 1) {
                return fail("a close frame with a one-byte payload");
            }
            const auto code = static_cast<std::uint16_t>(
                read_be(reinterpret_cast<const unsigned char*>(payload_at), 2));
            if (!is_valid_close_code(code)) {
                return fail("a close frame with an invalid code");
            }
            const std::string_view reason = payload.substr(2);
            if (!is_valid_utf8(reason)) {
                return fail("a close frame's reason is not valid UTF-8", close_code::bad_payload);
            }
            return Event{Event::Kind::close, reason, code, 0};
        }
        case Opcode::continuation:
            message_.append(payload);
            if (fin) {
                in_message_ = false;
                return finish_message(message_op_, message_);
            }
            continue;
        default: // text, binary
            if (fin) {
                return finish_message(kind, payload);
            }
            in_message_ = true;
            message_op_ = kind;
            message_.assign(payload);
            continue;
        }
    }
}

} // namespace warren::ws_frame
