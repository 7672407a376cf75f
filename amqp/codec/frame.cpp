#include "amqp/codec/frame.hpp"

#include "amqp/codec/wire.hpp"

namespace warren::amqp {

FrameCut cut_frame(std::string_view input, std::uint32_t frame_max) {
    FrameCut cut;
    if (input.size() < 7) {
        return cut;
    }
    const auto type = static_cast<std::uint8_t>(input[0]);
    const std::uint32_t size = get_u32(input.substr(3));
    if (type != 1 && type != 2 && type != 3 && type != 8) {
        cut.status = FrameCut::Status::error;
        cut.reason = "unknown frame type " + std::to_string(type);
        return cut;
    }
    if (frame_max != 0 && std::uint64_t{size} + kFrameOverhead > frame_max) {
        cut.status = FrameCut::Status::error;
        cut.reason = "frame size " + std::to_string(std::uint64_t{size} + kFrameOverhead) +
                     " larger than the negotiated maximum " + std::to_string(frame_max);
        return cut;
    }
    if (input.size() < std::size_t{size} + kFrameOverhead) {
        return cut;
    }
    if (static_cast<std::uint8_t>(input[7 + size]) != kFrameEnd) {
        cut.status = FrameCut::Status::error;
        cut.reason = "bad frame end marker";
        return cut;
    }
    cut.status = FrameCut::Status::frame;
    cut.frame.type = static_cast<FrameType>(type);
    cut.frame.channel = get_u16(input.substr(1));
    cut.frame.payload = input.substr(7, size);
    cut.consumed = std::size_t{size} + kFrameOverhead;
    return cut;
}

std::size_t begin_frame(std::string& out, FrameType type, std::uint16_t channel) {
    const std::size_t start = out.size();
    out += static_cast<char>(type);
    put_u16(out, channel);
    put_u32(out, 0);
    return start;
}

void end_frame(std::string& out, std::size_t frame_start) {
    patch_u32(out, frame_start + 3, static_cast<std::uint32_t>(out.size() - frame_start - 7));
    out += static_cast<char>(kFrameEnd);
}

void append_frame(std::string& out, FrameType type, std::uint16_t channel,
                  std::string_view payload) {
    const std::size_t start = begin_frame(out, type, channel);
    out.append(payload);
    end_frame(out, start);
}

void append_heartbeat(std::string& out) {
    append_frame(out, FrameType::heartbeat, 0, {});
}

} // namespace warren::amqp
