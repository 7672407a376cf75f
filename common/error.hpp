#pragma once

// warren::Error and Result<T>: expected failures (bad input, not found, conflicts, alarms) are
// values, not exceptions. Each is mapped once, at the edge: web/json_error.cpp turns it into an
// HTTP status and {"error","reason"}, the WebSocket protocol into an error frame.

#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

namespace warren {

enum class Errc {
    bad_request,         // malformed or invalid input (400)
    not_found,           // unknown vhost, exchange, queue, binding, user (404)
    precondition_failed, // redeclare with other properties, if-unused / if-empty failed (400)
    access_refused,      // reserved names, the default exchange, internal exchanges (403)
    permission_denied,   // the user's permissions do not allow it (401, as RabbitMQ answers)
    resource_locked,     // exclusive queue owned by another connection (400 in RabbitMQ's API)
    not_authorized,      // no or wrong credentials (401)
    rejected,            // publish refused by a queue (x-overflow reject-publish) (400)
    resource_alarm,      // memory / disk watermark passed (503)
    too_large,           // body or name over its limit (413)
    method_not_allowed,  // (405)
    connection_forced,   // the broker closes the client's connection (its user was deleted)
    internal,            // a failure of ours (500)
};

// The wire spelling of a code, as RabbitMQ's API spells its `error` field.
constexpr std::string_view to_string(Errc code) {
    switch (code) {
    case Errc::bad_request:
        return "bad_request";
    case Errc::not_found:
        return "not_found";
    case Errc::precondition_failed:
        return "precondition_failed";
    case Errc::access_refused:
    case Errc::permission_denied:
        return "access_refused";
    case Errc::resource_locked:
        return "resource_locked";
    case Errc::not_authorized:
        return "not_authorized";
    case Errc::rejected:
        return "rejected";
    case Errc::resource_alarm:
        return "resource_alarm";
    case Errc::too_large:
        return "too_large";
    case Errc::method_not_allowed:
        return "method_not_allowed";
    case Errc::connection_forced:
        return "connection_forced";
    case Errc::internal:
        return "internal_error";
    }
    return "internal_error";
}

struct Error {
    Errc code;
    std::string reason; // a human sentence, shown to users as it is

    friend bool operator==(const Error&, const Error&) = default;
};

inline Error make_error(Errc code, std::string reason) {
    return Error{code, std::move(reason)};
}

class ErrorException : public std::runtime_error {
public:
    explicit ErrorException(Error e) : std::runtime_error(e.reason), error_(std::move(e)) {}
    const Error& error() const { return error_; }

private:
    Error error_;
};

// Found by ADL when result<T, Error>::value() is called on an error: only reachable through a
// programming mistake, since callers check has_value() first.
[[noreturn]] inline void throw_exception_from_error(const Error& e, const boost::source_location&) {
    throw ErrorException(e);
}

template <class T> using Result = boost::system::result<T, Error>;

} // namespace warren
