#pragma once

// AMQP 0-9-1 frames (spec 4.2.3): type octet, channel short, size long, payload, frame-end octet
// 0xCE. FrameDecoder cuts frames off the bytes a connection has read; append_* write them.
//
// Thread: any; pure.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace warren::amqp {

inline constexpr std::string_view kProtocolHeader{"AMQP\x00\x00\x09\x01", 8};
inline constexpr std::uint8_t kFrameEnd = 0xCE;
inline constexpr std::size_t kFrameOverhead = 8; // 7-byte header + frame-end
// The smallest frame_max a peer may set (spec 4.2.3): connection setup fits in it.
inline constexpr std::uint32_t kFrameMinSize = 4096;

enum class FrameType : std::uint8_t { method = 1, header = 2, body = 3, heartbeat = 8 };

struct Frame {
    FrameType type = FrameType::method;
    std::uint16_t channel = 0;
    std::string_view payload; // points into the decoder's input
};

// What cutting the next frame off the input gave.
struct FrameCut {
    enum class Status { frame, need_more, error };
    Status status = Status::need_more;
    Frame frame;              // when status == frame
    std::size_t consumed = 0; // bytes of the input the frame took
    std::string reason;       // when status == error: a FRAME_ERROR's text
};

// Cuts one frame off the front of `input`. A frame larger than `frame_max` (whole frame, as the
// spec counts it; 0 = no limit), an unknown type or a wrong frame-end octet is an error.
FrameCut cut_frame(std::string_view input, std::uint32_t frame_max);

// Appends a frame with `payload`.
void append_frame(std::string& out, FrameType type, std::uint16_t channel,
                  std::string_view payload);
// Starts a frame whose payload the caller appends next; end_frame patches its size and adds the
// frame-end. Returns where the frame starts.
std::size_t begin_frame(std::string& out, FrameType type, std::uint16_t channel);
void end_frame(std::string& out, std::size_t frame_start);
void append_heartbeat(std::string& out);

} // namespace warren::amqp
