#include "web/binding_props.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <boost/json/serialize.hpp>

namespace warren::web {

namespace json = boost::json;

namespace {

// A canonical text for a JSON value: object keys sorted at every level, so that two equal
// argument tables (Boost.JSON compares objects regardless of order) hash the same.
void canonical(const json::value& v, std::string& out) {
    if (v.is_object()) {
        std::vector<const json::key_value_pair*> members;
        for (const auto& member : v.get_object()) {
            members.push_back(&member);
        }
        std::sort(members.begin(), members.end(),
                  [](const auto* a, const auto* b) { return a->key() < b->key(); });
        out.push_back('{');
        for (std::size_t i = 0; i < members.size(); ++i) {
            out += i ? "," : "";
            out += json::serialize(json::value(members[i]->key()));
            out.push_back(':');
            canonical(members[i]->value(), out);
        }
        out.push_back('}');
    } else if (v.is_array()) {
        out.push_back('[');
        const auto& array = v.get_array();
        for (std::size_t i = 0; i < array.size(); ++i) {
            out += i ? "," : "";
            canonical(array[i], out);
        }
        out.push_back(']');
    } else {
        out += json::serialize(v);
    }
}

// A short stable name for an argument table: FNV-1a (32 bits) of its canonical text in
// unpadded base64url, the same length RabbitMQ's own hash has (6 characters).
std::string arguments_hash(const json::object& arguments) {
    std::string text;
    canonical(json::value(arguments), text);
    std::uint32_t hash = 2166136261u;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 16777619u;
    }
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    // 32 bits = 5 full sextets + 2 bits, as base64 of 4 bytes without padding.
    const std::uint64_t bits = hash;
    std::string out;
    for (int shift = 26; shift >= 0; shift -= 6) {
        out.push_back(kAlphabet[(bits >> shift) & 0x3F]);
    }
    out.push_back(kAlphabet[(bits << 4) & 0x3F]);
    return out;
}

} // namespace

std::string percent_encode(std::string_view text, bool plus_for_space) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out.push_back(ch);
        } else if (c == ' ' && plus_for_space) {
            out.push_back('+');
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
    }
    return out;
}

std::string binding_props(std::string_view routing_key, const json::object& arguments) {
    if (routing_key.empty() && arguments.empty()) {
        return "~";
    }
    // '~' separates the key from the hash, so a literal one is escaped (as RabbitMQ does).
    std::string quoted;
    for (char c : percent_encode(routing_key, true)) {
        quoted += c == '~' ? std::string("%7E") : std::string(1, c);
    }
    if (arguments.empty()) {
        return quoted;
    }
    return quoted + "~" + arguments_hash(arguments);
}

} // namespace warren::web
