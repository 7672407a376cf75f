#pragma once

// ws_frame: RFC 6455 framing, as pure functions and a byte-at-a-time-safe reader, for the
// broker's WebSocket sessions (server role) and warren-perf (client role).
//
// Why not Beast's websocket::stream: it reads and writes one frame per asynchronous operation,
// and each completes through a post to the executor and a coroutine resume. A busy broker socket
// carries a publish, a confirm, a delivery and an ack per message, so that machinery was about a
// quarter of the core thread in the end-to-end profile. Here a session reads whatever the socket
// holds, parses every whole frame in it in one go, and renders its frames straight into one
// output buffer that a single socket write sends.
//
// What the reader enforces (a violation is `failed` with the close code to send):
// - RSV bits clear (no extension is ever negotiated), known opcodes only;
// - frames from a client masked, frames from a server not (1002);
// - control frames final and at most 125 bytes; lengths in their shortest form (1002);
// - continuation only inside a fragmented message, no new message inside one (1002);
// - a close frame's code valid and its reason UTF-8 (1002 / 1007);
// - text messages valid UTF-8 once whole (1007).
// A message over `max_message` is reported once as `too_large` and its bytes are skipped as they
// arrive (never buffered), so the session can answer why before it closes with 1009.
//
// Thread: any; a FrameReader belongs to one connection.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace warren::ws_frame {

enum class Opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

// Close codes (RFC 6455 7.4.1) that warren sends or reports.
namespace close_code {
inline constexpr std::uint16_t normal = 1000;
inline constexpr std::uint16_t going_away = 1001;
inline constexpr std::uint16_t protocol_error = 1002;
inline constexpr std::uint16_t no_status = 1005; // never on the wire: a close without a code
inline constexpr std::uint16_t bad_payload = 1007;
inline constexpr std::uint16_t policy_violation = 1008;
inline constexpr std::uint16_t too_big = 1009;
inline constexpr std::uint16_t internal_error = 1011;
inline constexpr std::uint16_t try_again_later = 1013;
} // namespace close_code

// server: reads masked frames, writes unmasked ones; client: the other way round.
enum class Role { server, client };

inline constexpr std::size_t kMaxHeaderBytes = 14;
inline constexpr std::size_t kMaxControlPayload = 125;

// A final, unmasked frame's header for `payload_size` bytes; the caller appends the payload.
void append_header(std::string& out, Opcode op, std::uint64_t payload_size);
// A whole final frame, unmasked (server role).
void append_frame(std::string& out, Opcode op, std::string_view payload);
// A whole final frame masked with `mask_key` (client role).
void append_masked_frame(std::string& out, Opcode op, std::string_view payload,
                         std::uint32_t mask_key);
// A close frame's payload: the code, then the reason cut to fit a control frame.
std::string close_payload(std::uint16_t code, std::string_view reason);

// XORs `data` with the 4-byte key, the key's byte (offset % 4) first.
void apply_mask(char* data, std::size_t size, std::uint32_t mask_key, std::size_t offset = 0);

struct Event {
    enum class Kind {
        need_more, // no whole event in the bytes given; `wanted`: the frame's whole size if known
        text,      // a whole text message (valid UTF-8) in `payload`
        binary,    // a whole binary message in `payload`
        ping,      // `payload`: its application data (answer with a pong carrying it)
        pong,
        close,     // `code` (no_status when none was given), `payload`: the reason
        too_large, // a message over the limit began; its bytes are being skipped
        failed,    // the peer broke the protocol: close with `code`; `payload`: why
    };
    Kind kind = Kind::need_more;
    std::string_view payload;
    std::uint16_t code = 0;
    std::size_t wanted = 0;
};

class FrameReader {
public:
    FrameReader(Role role, std::uint64_t max_message) : role_(role), max_message_(max_message) {}

    // The next event in `data` (the bytes not yet consumed); unmasks them in place. `consumed`
    // is how many bytes it used up: the caller drops them, but only after handling the event,
    // whose payload may point into them (or into the reader's own buffer for a fragmented
    // message), valid until the next call. After `failed`, every call fails again.
    Event next(char* data, std::size_t size, std::size_t& consumed);

    // The peer's message (text or binary) that is being assembled from fragments, if any.
    bool in_message() const { return in_message_; }
    // Bytes of that message held so far (the reader's own buffer).
    std::size_t assembling_bytes() const { return message_.size(); }

private:
    Event fail(std::string_view why, std::uint16_t code = close_code::protocol_error);
    Event finish_message(Opcode op, std::string_view payload);

    Role role_;
    std::uint64_t max_message_;
    bool in_message_ = false; // fragments of a message are being assembled
    Opcode message_op_ = Opcode::text;
    std::string message_;           // the fragments so far
    bool skipping_message_ = false; // the message is over the limit: drop it up to its final frame
    std::uint64_t skip_bytes_ = 0;  // payload bytes of the current frame still to drop
    bool failed_ = false;
    std::string_view failure_;
    std::uint16_t failure_code_ = 0;
};

} // namespace warren::ws_frame
