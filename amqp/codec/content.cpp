#include "amqp/codec/content.hpp"

#include <algorithm>

#include "amqp/codec/frame.hpp"
#include "amqp/codec/wire.hpp"

namespace warren::amqp {
namespace {

// Property flags, most significant first (spec: basic class properties).
enum Flag : std::uint16_t {
    kContentType = 1u << 15,
    kContentEncoding = 1u << 14,
    kHeaders = 1u << 13,
    kDeliveryMode = 1u << 12,
    kPriority = 1u << 11,
    kCorrelationId = 1u << 10,
    kReplyTo = 1u << 9,
    kExpiration = 1u << 8,
    kMessageId = 1u << 7,
    kTimestamp = 1u << 6,
    kType = 1u << 5,
    kUserId = 1u << 4,
    kAppId = 1u << 3,
    kClusterId = 1u << 2,
};

void read_optional(WireReader& r, std::uint16_t flags, Flag flag, std::optional<std::string>& out) {
    if ((flags & flag) != 0) {
        out.emplace();
        r.shortstr(*out);
    }
}

void write_optional(WireWriter& w, const std::optional<std::string>& v) {
    if (v) {
        w.shortstr(*v);
    }
}

} // namespace

Result<ContentHeader> decode_content_header(std::string_view payload) {
    WireReader r(payload);
    ContentHeader header;
    std::uint16_t weight = 0;
    std::uint16_t flags = 0;
    r.short_(header.class_id);
    r.short_(weight);
    r.longlong(header.body_size);
    r.short_(flags);
    // A set lowest bit says another flags word follows; basic defines none past the first.
    for (std::uint16_t more = flags; (more & 1) != 0 && !r.failed();) {
        r.short_(more);
    }
    Properties& p = header.properties;
    read_optional(r, flags, kContentType, p.content_type);
    read_optional(r, flags, kContentEncoding, p.content_encoding);
    if ((flags & kHeaders) != 0) {
        r.table(p.headers, p.header_types);
    }
    if ((flags & kDeliveryMode) != 0) {
        std::uint8_t mode = 0;
        r.octet(mode);
        p.delivery_mode = mode;
    }
    if ((flags & kPriority) != 0) {
        std::uint8_t priority = 0;
        r.octet(priority);
        p.priority = priority;
    }
    read_optional(r, flags, kCorrelationId, p.correlation_id);
    read_optional(r, flags, kReplyTo, p.reply_to);
    read_optional(r, flags, kExpiration, p.expiration);
    read_optional(r, flags, kMessageId, p.message_id);
    if ((flags & kTimestamp) != 0) {
        std::uint64_t t = 0;
        r.longlong(t);
        p.timestamp = static_cast<std::int64_t>(t);
    }
    read_optional(r, flags, kType, p.type);
    read_optional(r, flags, kUserId, p.user_id);
    read_optional(r, flags, kAppId, p.app_id);
    if ((flags & kClusterId) != 0) {
        r.reserved_shortstr();
    }
    if (r.failed()) {
        return make_error(Errc::bad_request, "content header: " + r.reason());
    }
    return header;
}

void append_content(std::string& out, std::uint16_t channel, const Properties& p,
                    std::string_view body, std::uint32_t frame_max) {
    const std::size_t start = begin_frame(out, FrameType::header, channel);
    std::uint16_t flags = 0;
    flags |= p.content_type ? kContentType : 0;
    flags |= p.content_encoding ? kContentEncoding : 0;
    flags |= !p.headers.empty() ? kHeaders : 0;
    flags |= p.delivery_mode ? kDeliveryMode : 0;
    flags |= p.priority ? kPriority : 0;
    flags |= p.correlation_id ? kCorrelationId : 0;
    flags |= p.reply_to ? kReplyTo : 0;
    flags |= p.expiration ? kExpiration : 0;
    flags |= p.message_id ? kMessageId : 0;
    flags |= p.timestamp ? kTimestamp : 0;
    flags |= p.type ? kType : 0;
    flags |= p.user_id ? kUserId : 0;
    flags |= p.app_id ? kAppId : 0;
    WireWriter w(out);
    w.short_(kBasicClass);
    w.short_(0); // weight
    w.longlong(body.size());
    w.short_(flags);
    write_optional(w, p.content_type);
    write_optional(w, p.content_encoding);
    if (!p.headers.empty()) {
        w.table(p.headers, p.header_types);
    }
    if (p.delivery_mode) {
        w.octet(*p.delivery_mode);
    }
    if (p.priority) {
        w.octet(*p.priority);
    }
    write_optional(w, p.correlation_id);
    write_optional(w, p.reply_to);
    write_optional(w, p.expiration);
    write_optional(w, p.message_id);
    if (p.timestamp) {
        w.longlong(static_cast<std::uint64_t>(*p.timestamp));
    }
    write_optional(w, p.type);
    write_optional(w, p.user_id);
    write_optional(w, p.app_id);
    end_frame(out, start);
    // Body frames: at most frame_max bytes each, frame overhead included (0: one frame).
    const std::size_t chunk = frame_max > kFrameOverhead ? frame_max - kFrameOverhead
                                                         : std::max<std::size_t>(1, body.size());
    for (std::size_t at = 0; at < body.size(); at += chunk) {
        append_frame(out, FrameType::body, channel, body.substr(at, chunk));
    }
}

} // namespace warren::amqp
