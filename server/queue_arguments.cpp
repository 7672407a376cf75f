#include "server/queue_arguments.hpp"

#include <charconv>

namespace warren::server {
std::optional<std::int64_t> json_integer(const boost::json::value& v) {
    if (v.is_int64()) {
        return v.get_int64();
    }
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v.get_uint64());
    }
    if (v.is_double()) {
        const double d = v.get_double();
        if (d >= -9.0e15 && d <= 9.0e15 && static_cast<double>(static_cast<std::int64_t>(d)) == d) {
            return static_cast<std::int64_t>(d);
        }
    }
    return std::nullopt;
}

Error invalid_argument(std::string_view key, std::string_view where, std::string_view why) {
    return make_error(Errc::bad_request, "invalid arg '" + std::string(key) + "' for " +
                                             std::string(where) + ": " + std::string(why));
}

Result<QueueArguments> parse_queue_arguments(const boost::json::object& arguments,
                                             std::string_view where) {
    QueueArguments out;
    if (is_stream_declaration(arguments)) {
        auto stream = parse_stream_arguments(arguments, where);
        if (!stream) {
            return stream.error();
        }
        out.stream = *stream;
        return out;
    }
    for (const auto& argument : arguments) {
        // Plain references: clang 14 (the fuzz build) cannot capture a structured binding.
        const std::string_view k = argument.key();
        const boost::json::value& value = argument.value();
        auto non_negative = [&](std::int64_t min) -> Result<std::int64_t> {
            auto n = json_integer(value);
            if (!n || *n < min) {
                return invalid_argument(k, where,
                                        min > 0 ? "expected a positive integer"
                                                : "expected a non-negative integer");
            }
            return *n;
        };
        auto string_value = [&]() -> Result<std::string> {
            if (!value.is_string()) {
                return invalid_argument(k, where, "expected a string");
            }
            return std::string(value.get_string());
        };
        if (k == "x-message-ttl") {
            auto n = non_negative(0);
            if (!n) {
                return n.error();
            }
            out.message_ttl = *n;
        } else if (k == "x-expires") {
            auto n = non_negative(1);
            if (!n) {
                return n.error();
            }
            out.expires = *n;
        } else if (k == "x-max-length") {
            auto n = non_negative(0);
            if (!n) {
                return n.error();
            }
            out.max_length = static_cast<std::uint64_t>(*n);
        } else if (k == "x-max-length-bytes") {
            auto n = non_negative(0);
            if (!n) {
                return n.error();
            }
            out.max_length_bytes = static_cast<std::uint64_t>(*n);
        } else if (k == "x-overflow") {
            auto s = string_value();
            if (!s) {
                return s.error();
            }
            if (*s == "drop-head") {
                out.overflow = Overflow::drop_head;
            } else if (*s == "reject-publish") {
                out.overflow = Overflow::reject_publish;
            } else {
                return invalid_argument(k, where, "expected 'drop-head' or 'reject-publish'");
            }
        } else if (k == "x-dead-letter-exchange") {
            auto s = string_value();
            if (!s) {
                return s.error();
            }
            out.dead_letter_exchange = std::move(*s);
        } else if (k == "x-dead-letter-routing-key") {
            auto s = string_value();
            if (!s) {
                return s.error();
            }
            out.dead_letter_routing_key = std::move(*s);
        } else if (k == "x-delivery-limit") {
            auto n = json_integer(value);
            if (!n || *n < -1 || *n > UINT32_MAX) {
                return invalid_argument(k, where,
                                        "expected a non-negative integer (or -1 for no limit)");
            }
            if (*n >= 0) {
                out.delivery_limit = static_cast<std::uint32_t>(*n);
            }
        } else if (k == "x-single-active-consumer") {
            if (!value.is_bool()) {
                return invalid_argument(k, where, "expected true or false");
            }
            out.single_active_consumer = value.get_bool();
        } else if (k == "x-group-by") {
            auto s = string_value();
            if (!s) {
                return s.error();
            }
            auto key = parse_message_key(*s);
            if (!key) {
                return invalid_argument(k, where, key.error().reason);
            }
            out.group_by = std::move(*key);
        } else if (k == "x-group-max-in-flight") {
            auto n = json_integer(value);
            if (!n || *n < 1 || *n > UINT32_MAX) {
                return invalid_argument(k, where, "expected a positive integer");
            }
            out.group_max_in_flight = static_cast<std::uint32_t>(*n);
        } else if (is_dedup_argument(k)) {
            // read as a whole below
        } else if (k == "x-queue-type") {
            // Accepted for clients that always send it (rabbitmqadmin): warren has one queue
            // type, durable with delivery counting, which serves both.
            if (!value.is_string() ||
                (value.get_string() != "classic" && value.get_string() != "quorum")) {
                return invalid_argument(k, where, "expected 'classic', 'quorum' or 'stream'");
            }
        } else if (k.starts_with("x-")) {
            return invalid_argument(k, where, "unknown argument");
        }
    }
    if (out.dead_letter_routing_key && !out.dead_letter_exchange) {
        return invalid_argument("x-dead-letter-routing-key", where,
                                "x-dead-letter-exchange must be set as well");
    }
    auto dedup = parse_dedup_arguments(arguments, where);
    if (!dedup) {
        return dedup.error();
    }
    out.dedup = std::move(*dedup);
    if (arguments.contains("x-group-max-in-flight") && !out.group_by) {
        return invalid_argument("x-group-max-in-flight", where, "x-group-by must be set as well");
    }
    return out;
}

Result<Millis> parse_expiration(std::string_view expiration) {
    Millis ms = 0;
    const auto* end = expiration.data() + expiration.size();
    auto [ptr, ec] = std::from_chars(expiration.data(), end, ms);
    if (expiration.empty() || ec != std::errc{} || ptr != end || ms < 0) {
        return make_error(Errc::bad_request,
                          "invalid expiration '" + std::string(expiration) +
                              "': expected a non-negative number of milliseconds as a string");
    }
    return ms;
}

} // namespace warren::server
