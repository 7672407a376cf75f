#pragma once

// wire: the bytes warren-perf sends and the few it must read fast.
// - Every payload starts with its send time: 16 hex digits of the monotonic clock in nanoseconds
//   (CLOCK_MONOTONIC via steady_clock; publishers and consumers are one process, so one clock),
//   then 'x' filler up to --size. ASCII, so the broker passes it as a JSON string unchanged.
// - Publish bodies and frames are rendered once as a template; each send copies it and writes the
//   stamp in place (and, for WebSocket, appends the confirm number).
// - Message and confirm frames are scanned at fixed keys instead of parsed: at 100 000 msg/s a
//   full JSON parse per frame costs the client a noticeable share of a core. Any frame the scan
//   does not recognise is parsed properly.
//
// Thread: any; no state.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "tools/perf/options.hpp"

namespace warren::perf {

inline constexpr std::size_t kStampBytes = 16;

inline std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void write_stamp(char* out, std::int64_t ns);
std::optional<std::int64_t> read_stamp(std::string_view text);

// A message template: `text` with the stamp's 16 characters at `stamp_at`, and (--message-id,
// --groups) room for a message id (16 hex digits) and a group key (fixed-width decimal) that
// `fill` writes per message from its serial number.
struct Template {
    static constexpr std::size_t npos = std::string::npos;
    std::string text;
    std::size_t stamp_at = 0;
    std::size_t id_at = npos;
    std::size_t group_at = npos;
    std::size_t group_width = 0;
    std::uint64_t groups = 0;

    // `message` is a copy of `text` (possibly inside a longer buffer).
    void fill(char* message, std::int64_t ns, std::uint64_t serial) const;

    std::string stamped(std::int64_t ns, std::uint64_t serial = 0) const {
        std::string out = text;
        fill(out.data(), ns, serial);
        return out;
    }
};

// A publisher's message numbers: unique across publishers of one run.
inline std::uint64_t first_serial(std::size_t publisher) {
    return static_cast<std::uint64_t>(publisher) << 40;
}

// One message of the HTTP publish body: {"properties":..,"routing_key":..,"payload":..,...}.
Template http_message(const PerfOptions& options);
// A WebSocket publish frame without its closing brace: append `,"confirm":N}` or `}`.
Template ws_publish(const PerfOptions& options);

// What a consumer needs from a message frame.
struct Delivery {
    std::uint64_t tag = 0;
    bool redelivered = false;
    std::optional<std::int64_t> stamp;
};
std::optional<Delivery> scan_message(std::string_view frame);

// A confirm frame {"type":"confirm","confirm":N,"routed":B}.
struct Confirm {
    std::uint64_t seq = 0;
    bool routed = false;
};
std::optional<Confirm> scan_confirm(std::string_view frame);

// "%2F" for "/": a path segment, percent-encoded.
std::string encode_segment(std::string_view segment);

} // namespace warren::perf
