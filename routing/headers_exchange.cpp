#include "routing/headers_exchange.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace warren::routing {

namespace {

constexpr std::string_view kModes = "expected all, any, all-with-x, or any-with-x";

bool is_number(const boost::json::value& v) {
    return v.is_int64() || v.is_uint64() || v.is_double();
}

// An integer JSON value against a double, exactly (no rounding of large integers).
bool integer_equals_double(const boost::json::value& integer, double d) {
    if (!std::isfinite(d) || std::trunc(d) != d) {
        return false;
    }
    if (integer.is_int64()) {
        constexpr double kLimit = 9223372036854775808.0; // 2^63
        return d >= -kLimit && d < kLimit && static_cast<std::int64_t>(d) == integer.get_int64();
    }
    constexpr double kLimit = 18446744073709551616.0; // 2^64
    return d >= 0 && d < kLimit && static_cast<std::uint64_t>(d) == integer.get_uint64();
}

} // namespace

Result<HeadersMatch> parse_x_match(const boost::json::object& arguments) {
    const boost::json::value* v = arguments.if_contains("x-match");
    if (v == nullptr) {
        return HeadersMatch::all;
    }
    if (!v->is_string()) {
        return make_error(Errc::bad_request, "invalid x-match field type (value " +
                                                 boost::json::serialize(*v) +
                                                 "); expected a string");
    }
    const std::string_view mode = v->get_string();
    if (mode == "all") {
        return HeadersMatch::all;
    }
    if (mode == "any") {
        return HeadersMatch::any;
    }
    if (mode == "all-with-x") {
        return HeadersMatch::all_with_x;
    }
    if (mode == "any-with-x") {
        return HeadersMatch::any_with_x;
    }
    return make_error(Errc::bad_request, "invalid x-match field value \"" + std::string(mode) +
                                             "\"; " + std::string(kModes));
}

bool header_value_equal(const boost::json::value& binding, const boost::json::value& header) {
    if (binding.is_double() != header.is_double() && is_number(binding) && is_number(header)) {
        return binding.is_double() ? integer_equals_double(header, binding.get_double())
                                   : integer_equals_double(binding, header.get_double());
    }
    return binding == header;
}

bool headers_match(HeadersMatch mode, const boost::json::object& arguments,
                   const boost::json::object& headers) {
    const bool all = mode == HeadersMatch::all || mode == HeadersMatch::all_with_x;
    const bool with_x = mode == HeadersMatch::all_with_x || mode == HeadersMatch::any_with_x;
    for (const auto& arg : arguments) {
        const std::string_view key = arg.key();
        if (key == "x-match" || (!with_x && key.starts_with("x-"))) {
            continue;
        }
        const boost::json::value* header = headers.if_contains(key);
        const bool ok = header != nullptr &&
                        (arg.value().is_null() || header_value_equal(arg.value(), *header));
        if (ok != all) {
            return ok; // "all" fails at the first miss, "any" succeeds at the first hit
        }
    }
    return all;
}

bool HeadersExchange::bind(const Destination& destination, std::string_view binding_key,
                           const boost::json::object& arguments) {
    const Result<HeadersMatch> mode = parse_x_match(arguments);
    if (!mode || std::any_of(bindings_.begin(), bindings_.end(),
                             SameBinding{destination, binding_key, arguments})) {
        return false;
    }
    bindings_.push_back(
        Entry{std::string(binding_key), BoundDestination{destination, arguments}, *mode});
    return true;
}

bool HeadersExchange::unbind(const Destination& destination, std::string_view binding_key,
                             const boost::json::object& arguments) {
    const auto it = std::find_if(bindings_.begin(), bindings_.end(),
                                 SameBinding{destination, binding_key, arguments});
    if (it == bindings_.end()) {
        return false;
    }
    bindings_.erase(it);
    return true;
}

void HeadersExchange::collect(std::string_view /*routing_key*/, const boost::json::object& headers,
                              std::vector<const Destination*>& out) const {
    for (const Entry& e : bindings_) {
        if (headers_match(e.mode, e.bound.arguments, headers)) {
            out.push_back(&e.bound.destination);
        }
    }
}

} // namespace warren::routing
