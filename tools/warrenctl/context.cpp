#include "tools/warrenctl/context.hpp"

#include <boost/json/parse.hpp>

#include "tools/client/server_url.hpp"

namespace warren::ctl {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

std::string one_line(std::string text) {
    for (char& c : text) {
        if (c == '\n' || c == '\r') {
            c = ' ';
        }
    }
    while (!text.empty() && text.back() == ' ') {
        text.pop_back();
    }
    return text;
}

} // namespace

Failure failure_of(const client::HttpResponse& response, std::string_view subject) {
    std::string error;
    std::string reason;
    boost::system::error_code ec;
    json::value body = json::parse(response.body, ec);
    if (!ec && body.is_object()) {
        if (const auto* e = body.as_object().if_contains("error"); e && e->is_string()) {
            error = std::string(e->as_string());
        }
        if (const auto* r = body.as_object().if_contains("reason"); r && r->is_string()) {
            reason = std::string(r->as_string());
        }
    }
    if (response.status == 404) {
        if ((error.empty() || error == "Object Not Found") && !subject.empty()) {
            return Failure{kExitNotFound, "not_found: no " + std::string(subject)};
        }
        return Failure{kExitNotFound,
                       "not_found: " + (reason.empty() ? std::string("Not Found") : reason)};
    }
    // RabbitMQ answers 400 for a permission naming a missing user or vhost; it is a not-found.
    if (reason.starts_with("vhost_or_user_not_found")) {
        return Failure{kExitNotFound, error + ": " + one_line(reason)};
    }
    if (error.empty()) {
        error = "http_" + std::to_string(response.status);
        reason = response.body.empty()
                     ? "the server answered HTTP " + std::to_string(response.status)
                     : one_line(response.body.substr(0, 200));
    }
    if (response.status == 401) {
        if (reason == "Not management user") {
            reason += " (give the user the management, monitoring or administrator tag)";
        } else if (reason == "User can only log in via localhost") {
            reason += " (guest is loopback-only: log in as another user)";
        } else if (reason.empty() || reason.find("Login failed") != std::string::npos ||
                   reason.find("Authentication required") != std::string::npos) {
            reason += " (check --user/--password or WARREN_USER/WARREN_PASSWORD)";
        }
    }
    return Failure{kExitError, error + ": " + one_line(reason)};
}

Context::Context(Settings settings, const Invocation& invocation, client::TlsContext tls)
    : settings_(std::move(settings)), invocation_(invocation), tls_(std::move(tls)) {}

std::string Context::vhost_segment() const {
    return client::encode_segment(settings_.vhost);
}

client::HttpClient& Context::http() {
    if (!http_) {
        http_.emplace(settings_.url, settings_.credentials, tls_);
    }
    return *http_;
}

client::HttpResponse Context::call(http::verb method, std::string_view path, std::string body,
                                   std::string_view subject) {
    client::HttpResponse response = http().request(method, path, std::move(body));
    if (response.status < 200 || response.status >= 300) {
        throw failure_of(response, subject);
    }
    return response;
}

namespace {

json::value parse_answer(std::string_view path, const client::HttpResponse& response) {
    boost::system::error_code ec;
    json::value v = json::parse(response.body, ec);
    if (ec) {
        throw Failure{kExitError, "the server's answer to GET " + std::string(path) +
                                      " is not JSON: " + ec.message()};
    }
    return v;
}

} // namespace

json::value Context::get_json(std::string_view path, std::string_view subject) {
    return parse_answer(path, call(http::verb::get, path, {}, subject));
}

std::optional<json::value> Context::find_json(std::string_view path) {
    client::HttpResponse response = http().request(http::verb::get, path);
    if (response.status == 404) {
        return std::nullopt;
    }
    if (response.status < 200 || response.status >= 300) {
        throw failure_of(response, {});
    }
    return parse_answer(path, response);
}

bool Context::exists(std::string_view path) {
    client::HttpResponse response = http().request(http::verb::get, path);
    if (response.status == 404) {
        return false;
    }
    if (response.status < 200 || response.status >= 300) {
        throw failure_of(response, {});
    }
    return true;
}

} // namespace warren::ctl
