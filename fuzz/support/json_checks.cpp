// The shared checks of fuzz/support/json_checks.hpp. Every failure aborts through FUZZ_CHECK,
// which libFuzzer reports with the input that caused it.

#include "fuzz/support/json_checks.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/base64.hpp"
#include "common/properties_json.hpp"
#include "common/utf8.hpp"
#include "fuzz/support/check.hpp"

namespace warren::fuzz {

namespace json = boost::json;

json::value parse_rendered(std::string_view text, std::string_view what) {
    FUZZ_CHECK(is_valid_utf8(text), std::string(what) + " is not UTF-8: " + std::string(text));
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    FUZZ_CHECK(!ec,
               std::string(what) + " is not JSON (" + ec.message() + "): " + std::string(text));
    return v;
}

bool same_json(const json::value& a, const json::value& b) {
    if (a.is_double() && b.is_double()) {
        const double x = a.get_double();
        const double y = b.get_double();
        return x == y || std::abs(x - y) <= std::ldexp(std::max(std::abs(x), std::abs(y)), -50);
    }
    if (a.is_array() && b.is_array()) {
        const json::array& u = a.get_array();
        const json::array& v = b.get_array();
        if (u.size() != v.size()) {
            return false;
        }
        for (std::size_t i = 0; i < u.size(); ++i) {
            if (!same_json(u[i], v[i])) {
                return false;
            }
        }
        return true;
    }
    if (a.is_object() && b.is_object()) {
        const json::object& u = a.get_object();
        const json::object& v = b.get_object();
        if (u.size() != v.size()) {
            return false;
        }
        for (const auto& member : u) {
            const json::value* other = v.if_contains(member.key());
            if (other == nullptr || !same_json(member.value(), *other)) {
                return false;
            }
        }
        return true;
    }
    return a == b;
}

bool same_properties(const Properties& a, const Properties& b) {
    Properties a_without = a;
    Properties b_without = b;
    a_without.headers.clear();
    b_without.headers.clear();
    return a_without == b_without && same_json(a.headers, b.headers);
}

void check_properties_round_trip(const Properties& properties) {
    const json::object as_json = properties_to_json(properties);
    auto back = properties_from_json(as_json);
    FUZZ_CHECK(back.has_value(), "properties_to_json is refused by properties_from_json: " +
                                     json::serialize(as_json) + ": " + back.error().reason);
    FUZZ_CHECK(*back == properties, "properties changed through JSON: " + json::serialize(as_json));

    std::string appended;
    append_properties_json(appended, properties);
    FUZZ_CHECK(same_json(parse_rendered(appended, "append_properties_json"), as_json),
               "append_properties_json differs from properties_to_json: " + appended);

    const std::string stored = serialize_properties(properties);
    auto restored = parse_properties(stored);
    FUZZ_CHECK(restored.has_value(),
               "stored properties do not parse back: " + stored + ": " + restored.error().reason);
    FUZZ_CHECK(same_properties(*restored, properties),
               "properties changed through the store's form: " + stored);
}

void check_payload(const json::object& rendered, std::string_view body) {
    const json::value* payload = rendered.if_contains("payload");
    const json::value* encoding = rendered.if_contains("payload_encoding");
    FUZZ_CHECK(payload != nullptr && payload->is_string(), "no payload string");
    FUZZ_CHECK(encoding != nullptr && encoding->is_string(), "no payload_encoding string");
    if (encoding->get_string() == "string") {
        FUZZ_CHECK(payload->get_string() == body, "a string payload changed");
        return;
    }
    FUZZ_CHECK(encoding->get_string() == "base64", "an unknown payload_encoding");
    auto decoded = base64_decode(payload->get_string());
    FUZZ_CHECK(decoded.has_value() && *decoded == body, "a base64 payload changed");
}

} // namespace warren::fuzz
