#include "web/json_error.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace warren::web {

namespace http = boost::beast::http;

http::status status_of(Errc code) {
    switch (code) {
    case Errc::bad_request:
        return http::status::bad_request;
    case Errc::precondition_failed:
        return http::status::bad_request;
    case Errc::not_found:
        return http::status::not_found;
    case Errc::access_refused:
        return http::status::forbidden;
    case Errc::resource_locked:
        return http::status::bad_request;
    case Errc::not_authorized:
    case Errc::permission_denied:
        return http::status::unauthorized;
    case Errc::rejected:
        return http::status::bad_request;
    case Errc::resource_alarm:
        return http::status::service_unavailable;
    case Errc::too_large:
        return http::status::payload_too_large;
    case Errc::method_not_allowed:
        return http::status::method_not_allowed;
    case Errc::connection_forced: // a WebSocket's; no HTTP request answers it
        return http::status::service_unavailable;
    case Errc::internal:
        return http::status::internal_server_error;
    }
    return http::status::internal_server_error;
}

std::string_view wire_error(const Error& error) {
    switch (error.code) {
    case Errc::bad_request:
        if (error.reason.starts_with(kInvalidPaginationReason)) {
            return "invalid_pagination_parameters";
        }
        if (error.reason.starts_with(kPageOutOfRangeReason)) {
            return "page_out_of_range";
        }
        return "bad_request";
    case Errc::precondition_failed:
        // RabbitMQ answers an inequivalent redeclare or a failed if-unused with "bad_request".
        return "bad_request";
    case Errc::permission_denied:
        return "not_authorised"; // RabbitMQ's spelling for refusals, unlike failed logins
    case Errc::not_authorized:
        if (error.reason == kLoopbackOnlyReason || error.reason == kNotManagementUserReason) {
            return "not_authorised";
        }
        return "not_authorized";
    default:
        return to_string(error.code);
    }
}

Response error_response(http::status status, std::string_view error, std::string_view reason) {
    Response res{status, 11};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-cache");
    res.body() = boost::json::serialize(boost::json::object{{"error", error}, {"reason", reason}});
    return res;
}

Response error_response(const Error& error) {
    Response res = error_response(status_of(error.code), wire_error(error), error.reason);
    switch (error.code) {
    case Errc::not_authorized:
        res.set(http::field::www_authenticate, "Basic realm=\"warren\"");
        break;
    case Errc::resource_alarm:
        res.set(http::field::retry_after, "5");
        break;
    default:
        break;
    }
    return res;
}

Response object_not_found() {
    return error_response(http::status::not_found, "Object Not Found", "Not Found");
}

} // namespace warren::web
