#include "tools/perf/wire.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace warren::perf {

namespace json = boost::json;

namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kUpperHex[] = "0123456789ABCDEF";

std::string quoted(std::string_view s) {
    return json::serialize(json::string(s));
}

std::string payload_text(std::size_t size) {
    std::string out(std::max(size, kStampBytes), 'x');
    std::fill_n(out.begin(), kStampBytes, '0');
    return out;
}

// The unsigned integer right after `key` in `text`, searching from `from`.
std::optional<std::uint64_t> number_after(std::string_view text, std::string_view key,
                                          std::size_t& from) {
    const auto at = text.find(key, from);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    const char* begin = text.data() + at + key.size();
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
    if (ec != std::errc()) {
        return std::nullopt;
    }
    from = static_cast<std::size_t>(end - text.data());
    return value;
}

// The properties object, with the id and group slots; their offsets within it are returned.
std::string properties_text(const PerfOptions& options, std::size_t& id_at, std::size_t& group_at,
                            std::size_t& group_width) {
    std::string text = R"({"delivery_mode":)";
    text += options.persistent ? "2" : "1";
    if (options.message_ids) {
        text += R"(,"message_id":")";
        id_at = text.size();
        text += std::string(kStampBytes, '0');
        text += '"';
    }
    if (options.groups > 0) {
        group_width = std::to_string(options.groups - 1).size();
        text += R"(,"headers":{"g":"g)";
        group_at = text.size();
        text += std::string(group_width, '0');
        text += R"("})";
    }
    text += '}';
    return text;
}

// Appends the properties to `text` and records where the slots landed in it.
void add_properties(std::string& text, const PerfOptions& options, Template& t) {
    std::size_t id_at = Template::npos;
    std::size_t group_at = Template::npos;
    const std::string props = properties_text(options, id_at, group_at, t.group_width);
    if (id_at != Template::npos) {
        t.id_at = text.size() + id_at;
    }
    if (group_at != Template::npos) {
        t.group_at = text.size() + group_at;
        t.groups = options.groups;
    }
    text += props;
}

} // namespace

void Template::fill(char* message, std::int64_t ns, std::uint64_t serial) const {
    write_stamp(message + stamp_at, ns);
    if (id_at != npos) {
        write_stamp(message + id_at, static_cast<std::int64_t>(serial));
    }
    if (group_at != npos) {
        std::uint64_t key = serial % groups;
        for (std::size_t i = group_width; i-- > 0;) {
            message[group_at + i] = static_cast<char>('0' + key % 10);
            key /= 10;
        }
    }
}

void write_stamp(char* out, std::int64_t ns) {
    auto v = static_cast<std::uint64_t>(ns);
    for (std::size_t i = kStampBytes; i-- > 0;) {
        out[i] = kHex[v & 0xf];
        v >>= 4;
    }
}

std::optional<std::int64_t> read_stamp(std::string_view text) {
    if (text.size() < kStampBytes) {
        return std::nullopt;
    }
    std::uint64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + kStampBytes, v, 16);
    if (ec != std::errc() || end != text.data() + kStampBytes) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(v);
}

Template http_message(const PerfOptions& options) {
    Template t;
    std::string text = R"({"properties":)";
    add_properties(text, options, t);
    text += R"(,"routing_key":)" + quoted(options.key()) + R"(,"payload":")";
    t.stamp_at = text.size();
    text += payload_text(options.size);
    text += R"(","payload_encoding":"string"})";
    t.text = std::move(text);
    return t;
}

Template ws_publish(const PerfOptions& options) {
    std::string text = R"({"op":"publish","vhost":)" + quoted(options.vhost) + R"(,"exchange":)" +
                       quoted(options.exchange) + R"(,"routing_key":)" + quoted(options.key()) +
                       R"(,"properties":)";
    Template t;
    add_properties(text, options, t);
    text += R"(,"payload":")";
    t.stamp_at = text.size();
    text += payload_text(options.size);
    text += R"(","payload_encoding":"string")";
    t.text = std::move(text);
    return t;
}

std::optional<Delivery> scan_message(std::string_view frame) {
    if (!frame.starts_with(R"({"type":"message",)")) {
        return std::nullopt;
    }
    Delivery d;
    std::size_t pos = 0;
    auto tag = number_after(frame, R"(,"tag":)", pos);
    if (!tag) {
        return std::nullopt;
    }
    d.tag = *tag;
    d.redelivered = frame.find(R"(,"redelivered":true)", pos) != std::string_view::npos;
    // The payload is the last string but one; searching from the end skips the properties.
    constexpr std::string_view kPayload = R"(,"payload":")";
    const auto at = frame.rfind(kPayload);
    if (at != std::string_view::npos && at > pos) {
        d.stamp = read_stamp(frame.substr(at + kPayload.size()));
    }
    return d;
}

std::optional<Confirm> scan_confirm(std::string_view frame) {
    constexpr std::string_view kPrefix = R"({"type":"confirm","confirm":)";
    if (!frame.starts_with(kPrefix)) {
        return std::nullopt;
    }
    std::size_t pos = 0;
    auto seq = number_after(frame, kPrefix, pos);
    if (!seq) {
        return std::nullopt;
    }
    const std::string_view rest = frame.substr(pos);
    if (rest == R"(,"routed":true})") {
        return Confirm{*seq, true};
    }
    if (rest == R"(,"routed":false})") {
        return Confirm{*seq, false};
    }
    return std::nullopt;
}

std::string encode_segment(std::string_view segment) {
    std::string out;
    for (unsigned char c : segment) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kUpperHex[c >> 4];
            out += kUpperHex[c & 0xf];
        }
    }
    return out;
}

} // namespace warren::perf
