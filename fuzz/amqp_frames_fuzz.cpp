// amqp_frames: the bytes an AMQP 0-9-1 client sends after the protocol header, cut into frames
// by amqp/codec (cut_frame at a frame_max of 4096, as the AMQP session will), every method frame
// decoded (decode_method) and every content header decoded (decode_content_header).
//
// Invariants besides "no crash, leak or UB": a cut consumes what it says and makes progress; an
// error stops the stream; what decodes re-encodes to bytes that decode to the same thing, and
// encoding that again gives the same bytes (the encoder is the decoder's inverse on what it
// accepts); a decode failure names a reply code that closes the connection.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "amqp/codec/content.hpp"
#include "amqp/codec/frame.hpp"
#include "amqp/codec/methods.hpp"
#include "fuzz/support/check.hpp"

namespace {

namespace amqp = warren::amqp;

constexpr std::uint32_t kFrameMax = 4096;

std::string method_payload(const amqp::Method& method) {
    std::string frame;
    amqp::append_method(frame, 1, method);
    const auto cut = amqp::cut_frame(frame, 0);
    FUZZ_CHECK(cut.status == amqp::FrameCut::Status::frame && cut.consumed == frame.size(),
               "append_method wrote a frame that does not cut back whole");
    return std::string(cut.frame.payload);
}

void check_method(std::string_view payload) {
    const auto decoded = amqp::decode_method(payload);
    if (!decoded.method) {
        FUZZ_CHECK(decoded.error.reply_code >= 500 && !decoded.error.text.empty(),
                   "a method error without a connection-level reply code");
        return;
    }
    const std::string again = method_payload(*decoded.method);
    const auto redecoded = amqp::decode_method(again);
    FUZZ_CHECK(redecoded.method.has_value(),
               "a re-encoded method does not decode: " + redecoded.error.text);
    FUZZ_CHECK(method_payload(*redecoded.method) == again,
               "encode(decode(encode(m))) differs for " +
                   std::string(amqp::name_of(*decoded.method)));
}

void check_header(std::string_view payload) {
    const auto header = amqp::decode_content_header(payload);
    if (!header) {
        return;
    }
    std::string frames;
    amqp::append_content(frames, 1, header->properties, {}, kFrameMax);
    const auto cut = amqp::cut_frame(frames, 0);
    FUZZ_CHECK(cut.status == amqp::FrameCut::Status::frame, "a content header that does not cut");
    const auto again = amqp::decode_content_header(cut.frame.payload);
    FUZZ_CHECK(again.has_value(), "a re-encoded content header does not decode");
    FUZZ_CHECK(again->properties == header->properties, "properties changed on a round trip");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    while (!rest.empty()) {
        const auto cut = amqp::cut_frame(rest, kFrameMax);
        if (cut.status != amqp::FrameCut::Status::frame) {
            FUZZ_CHECK(cut.status == amqp::FrameCut::Status::need_more || !cut.reason.empty(),
                       "a frame error without a reason");
            return 0; // need_more: the connection waits; error: it closes with FRAME_ERROR
        }
        FUZZ_CHECK(cut.consumed >= amqp::kFrameOverhead && cut.consumed <= rest.size(),
                   "a cut consumed " + std::to_string(cut.consumed) + " of " +
                       std::to_string(rest.size()));
        FUZZ_CHECK(cut.consumed <= kFrameMax, "a frame over frame_max was accepted");
        switch (cut.frame.type) {
        case amqp::FrameType::method:
            check_method(cut.frame.payload);
            break;
        case amqp::FrameType::header:
            check_header(cut.frame.payload);
            break;
        case amqp::FrameType::body:
        case amqp::FrameType::heartbeat:
            break;
        }
        rest.remove_prefix(cut.consumed);
    }
    return 0;
}
