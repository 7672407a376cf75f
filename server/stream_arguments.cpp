#include "server/stream_arguments.hpp"

#include <array>
#include <charconv>
#include <string>

#include "server/queue_arguments.hpp"
#include "server/specs.hpp"

namespace warren::server {
namespace {

// Arguments of a queue that a log has no use for (RabbitMQ: "invalid arg ... of queue type
// rabbit_stream_queue"). x-queue-type, the three stream arguments and non-x keys pass.
constexpr std::array<std::string_view, 12> kRefused = {
    "x-message-ttl",
    "x-expires",
    "x-overflow",
    "x-dead-letter-exchange",
    "x-dead-letter-routing-key",
    "x-max-length",
    "x-delivery-limit",
    "x-single-active-consumer",
    "x-group-by",
    "x-group-max-in-flight",
    "x-max-priority",
    "x-message-deduplication",
};

} // namespace

bool is_stream_declaration(const boost::json::object& arguments) {
    const auto* type = arguments.if_contains("x-queue-type");
    return type != nullptr && type->is_string() && type->get_string() == "stream";
}

std::optional<Millis> parse_max_age(std::string_view text) {
    if (text.size() < 2) {
        return std::nullopt;
    }
    const char unit = text.back();
    Millis per = 0;
    switch (unit) {
    case 's':
        per = 1000;
        break;
    case 'm':
        per = 60 * 1000;
        break;
    case 'h':
        per = 3600 * 1000;
        break;
    case 'D':
        per = 24LL * 3600 * 1000;
        break;
    case 'M':
        per = 30LL * 24 * 3600 * 1000;
        break;
    case 'Y':
        per = 365LL * 24 * 3600 * 1000;
        break;
    default:
        return std::nullopt;
    }
    Millis n = 0;
    const char* end = text.data() + text.size() - 1;
    auto [ptr, ec] = std::from_chars(text.data(), end, n);
    if (ec != std::errc{} || ptr != end || n <= 0 || n > INT64_MAX / per) {
        return std::nullopt;
    }
    return n * per;
}

Result<StreamArguments> parse_stream_arguments(const boost::json::object& arguments,
                                               std::string_view where) {
    StreamArguments out;
    for (const auto& argument : arguments) {
        const std::string_view k = argument.key();
        const boost::json::value& value = argument.value();
        for (std::string_view refused : kRefused) {
            if (k == refused) {
                return invalid_argument(k, where, "not supported by queue type 'stream'");
            }
        }
        if (k == "x-max-age") {
            std::optional<Millis> age;
            if (value.is_string()) {
                age = parse_max_age(value.get_string());
            }
            if (!age) {
                return invalid_argument(
                    k, where, "expected a positive integer and a unit of Y, M, D, h, m or s");
            }
            out.max_age = *age;
        } else if (k == "x-max-length-bytes") {
            auto n = json_integer(value);
            if (!n || *n < 1) {
                return invalid_argument(k, where, "expected a positive integer");
            }
            out.max_bytes = static_cast<std::uint64_t>(*n);
        } else if (k == "x-stream-max-segment-size-bytes") {
            auto n = json_integer(value);
            // Bounded so a segment always fits the 32-bit sizes of one message and the limit
            // never overflows when added to.
            if (!n || *n < 1 || *n > (std::int64_t{1} << 40)) {
                return invalid_argument(k, where, "expected a positive integer up to 2^40");
            }
            out.segment_bytes = static_cast<std::uint64_t>(*n);
        } else if (k == "x-queue-type") {
            // "stream", or we would not be here
        } else if (k.starts_with("x-")) {
            return invalid_argument(k, where, "unknown argument");
        }
    }
    return out;
}

} // namespace warren::server

namespace warren::server {

namespace {

// A non-negative integer up to INT64_MAX (doubles, even integral ones, are refused: offsets are
// exact).
std::optional<std::uint64_t> exact_count(const boost::json::value& v) {
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return v.get_uint64();
    }
    if (v.is_int64() && v.get_int64() >= 0) {
        return static_cast<std::uint64_t>(v.get_int64());
    }
    return std::nullopt;
}

} // namespace

std::optional<StreamStart> parse_stream_start(const boost::json::value& v) {
    using Kind = StreamStart::Kind;
    if (v.is_string()) {
        const std::string_view s = v.get_string();
        if (s == "first") {
            return StreamStart{Kind::first, 0};
        }
        if (s == "last") {
            return StreamStart{Kind::last, 0};
        }
        if (s == "next") {
            return StreamStart{Kind::next, 0};
        }
        return std::nullopt;
    }
    if (v.is_object()) {
        const auto& o = v.get_object();
        const boost::json::value* t = o.if_contains("timestamp");
        if (o.size() != 1 || t == nullptr) {
            return std::nullopt;
        }
        auto ms = exact_count(*t);
        if (!ms) {
            return std::nullopt;
        }
        return StreamStart{Kind::timestamp, *ms};
    }
    auto offset = exact_count(v);
    if (!offset) {
        return std::nullopt;
    }
    return StreamStart{Kind::offset, *offset};
}

} // namespace warren::server
