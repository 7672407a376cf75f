// ws_frame: the bytes a WebSocket client sends, read by ws_frame::FrameReader in the server role
// (common/ws_frame), as web/ws_session.cpp reads them: every event consumed, its bytes dropped
// only after it was handled.
//
// The first input byte picks how the socket hands the rest over (in chunks of 1 to 64 bytes, or
// all at once); the same bytes are then read again whole, and both reads must report the same
// events: the reader's state across a split frame must not change what it says.
//
// Invariants besides "no crash, leak or UB": text messages are valid UTF-8, control payloads at
// most 125 bytes, messages at most the limit, a close code the RFC allows; `failed` sticks; the
// reader never consumes more than it was given and always makes progress.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.hpp"
#include "common/ws_frame.hpp"
#include "fuzz/support/check.hpp"

namespace {

using warren::ws_frame::Event;
using warren::ws_frame::FrameReader;
using Kind = Event::Kind;

constexpr std::uint64_t kMaxMessage = 1024; // small, so that too_large is reached
constexpr std::size_t kMaxEvents = 100000;

struct Seen {
    Kind kind;
    std::string payload;
    std::uint16_t code;
    friend bool operator==(const Seen&, const Seen&) = default;
};

void check_event(const Event& event) {
    switch (event.kind) {
    case Kind::text:
        FUZZ_CHECK(warren::is_valid_utf8(event.payload), "a text message that is not UTF-8");
        FUZZ_CHECK(event.payload.size() <= kMaxMessage, "a text message over the limit");
        break;
    case Kind::binary:
        FUZZ_CHECK(event.payload.size() <= kMaxMessage, "a binary message over the limit");
        break;
    case Kind::ping:
    case Kind::pong:
        FUZZ_CHECK(event.payload.size() <= warren::ws_frame::kMaxControlPayload,
                   "a control payload over 125 bytes");
        break;
    case Kind::close:
        FUZZ_CHECK(warren::is_valid_utf8(event.payload), "a close reason that is not UTF-8");
        FUZZ_CHECK(event.code == warren::ws_frame::close_code::no_status ||
                       (event.code >= 1000 && event.code < 5000 && event.code != 1004 &&
                        event.code != 1005 && event.code != 1006 && event.code != 1015),
                   "a close code the RFC forbids on the wire: " + std::to_string(event.code));
        break;
    case Kind::failed:
        FUZZ_CHECK(event.code >= 1000 && event.code < 1016, "failed without a close code");
        break;
    case Kind::need_more:
    case Kind::too_large:
        break;
    }
}

// Reads `bytes` as the session does, handing over `chunk` more bytes each time the reader needs
// more (0: all at once). The events up to a close or a failure, need_more left out.
std::vector<Seen> read_all(std::string bytes, std::size_t chunk) {
    FrameReader reader(warren::ws_frame::Role::server, kMaxMessage);
    std::vector<Seen> seen;
    std::size_t begin = 0;
    std::size_t end = chunk == 0 ? bytes.size() : std::min(chunk, bytes.size());
    for (std::size_t i = 0; i < kMaxEvents; ++i) {
        std::size_t consumed = 0;
        const Event event = reader.next(bytes.data() + begin, end - begin, consumed);
        FUZZ_CHECK(consumed <= end - begin, "consumed more than it was given");
        check_event(event);
        begin += consumed;
        if (event.kind == Kind::need_more) {
            if (end == bytes.size()) {
                return seen;
            }
            end = chunk == 0 ? bytes.size() : std::min(end + chunk, bytes.size());
            continue;
        }
        FUZZ_CHECK(consumed > 0 || event.kind == Kind::failed || event.kind == Kind::too_large,
                   "an event that consumed nothing");
        seen.push_back(Seen{event.kind, std::string(event.payload), event.code});
        if (event.kind == Kind::failed) {
            std::size_t again = 0;
            const Event next = reader.next(bytes.data() + begin, end - begin, again);
            FUZZ_CHECK(next.kind == Kind::failed, "a reader that failed went on");
            return seen;
        }
        if (event.kind == Kind::close) {
            return seen; // the session stops reading here
        }
    }
    FUZZ_CHECK(false, "no end after " + std::to_string(kMaxEvents) + " events");
    return seen;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    const std::size_t chunk = data[0] % 65; // 0: everything at once
    const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    const std::vector<Seen> whole = read_all(bytes, 0);
    if (chunk != 0) {
        const std::vector<Seen> split = read_all(bytes, chunk);
        FUZZ_CHECK(split == whole, "the events depend on how the bytes were split");
    }
    return 0;
}
