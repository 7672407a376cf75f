#pragma once

// amqp_wire: the AMQP bytes warren-perf sends and the few it must read fast (wire.hpp's
// counterpart for --protocol amqp).
// - A publish is three frames (basic.publish, the content header, the body; more body frames
//   past frame_max), rendered once by the codec into a Template: each send copies it into the
//   outbox and writes the time stamp (the body's first 16 bytes), the message id and the group
//   key in place, exactly as the WebSocket publisher does with its JSON frame.
// - A consumer needs a delivery's tag and redelivered flag (basic.deliver, decoded into a
//   reused struct), the body size from the content header, and the body's first 16 bytes.
//
// Thread: any; no state.

#include <cstdint>
#include <optional>
#include <string_view>

#include "tools/perf/options.hpp"
#include "tools/perf/wire.hpp"

namespace warren::perf {

// Every publish of `options` on channel 1 (mandatory, so that an unroutable message comes back
// as basic.return and counts as unroutable, as warren's "routed": false does), its body cut to
// `frame_max` (0: one body frame).
Template amqp_publish(const PerfOptions& options, std::uint32_t frame_max);

// A method frame's class and method ids; false if the payload is too short for them.
bool method_ids(std::string_view payload, std::uint16_t& class_id, std::uint16_t& method_id);

// A content header's body size; nullopt if the payload is too short for it.
std::optional<std::uint64_t> content_body_size(std::string_view payload);

} // namespace warren::perf
