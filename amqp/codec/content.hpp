#pragma once

// A message's content on the wire (spec 4.2.6): a content header frame (class id, weight, body
// size, basic properties behind a flags word) and body frames of at most frame_max - 8 bytes.
// Basic properties map one to one onto warren::Properties; cluster-id (deprecated) is read and
// dropped.
//
// Thread: any; pure.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/message.hpp"

namespace warren::amqp {

inline constexpr std::uint16_t kBasicClass = 60;

struct ContentHeader {
    std::uint16_t class_id = kBasicClass;
    std::uint64_t body_size = 0;
    Properties properties;
};

// A content header frame's payload. Errors (bad_request): too short, a property that does not
// parse (its name in the reason).
Result<ContentHeader> decode_content_header(std::string_view payload);

// Appends the header frame and the body frames of a message on `channel`.
void append_content(std::string& out, std::uint16_t channel, const Properties& properties,
                    std::string_view body, std::uint32_t frame_max);

} // namespace warren::amqp
