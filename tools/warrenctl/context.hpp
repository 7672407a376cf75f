#pragma once

// Context: what every warrenctl command works with: the resolved Settings, the parsed
// Invocation, the TLS context for https (one for the HTTP and WebSocket connections of the
// run), one kept-alive HttpClient, and the mapping of server answers to DESIGN.md's exit
// codes. A command signals failure by throwing Failure; main() prints "warrenctl: <message>" on
// stderr and exits with its code.
//
// Lifetime and thread: main() owns it for the run of one command; one thread.

#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include "tools/client/http_client.hpp"
#include "tools/client/tls.hpp"
#include "tools/warrenctl/cli.hpp"

namespace warren::ctl {

enum ExitCode : int {
    kExitOk = 0,
    kExitError = 1,
    kExitUsage = 2,
    kExitNotFound = 3,
    kExitUnreachable = 4, // also: not securely (a TLS handshake or certificate failure)
};

struct Failure {
    int exit_code = kExitError;
    std::string message; // one line, without the "warrenctl: " prefix
};

// The failure an HTTP error answer means: 404 -> exit 3 ("not_found: no <subject>" when the body
// is RabbitMQ's generic "Object Not Found"), anything else -> exit 1 ("<error>: <reason>").
Failure failure_of(const client::HttpResponse& response, std::string_view subject);

class Context {
public:
    // `tls`: for an https URL (see client::make_tls_context), else null.
    Context(Settings settings, const Invocation& invocation, client::TlsContext tls = {});

    const Settings& settings() const { return settings_; }
    const Invocation& invocation() const { return invocation_; }
    bool json() const { return settings_.json; }
    const client::TlsContext& tls() const { return tls_; }
    // The vhost as a path segment ("/" -> "%2F").
    std::string vhost_segment() const;
    // "vhost '/'", for messages.
    std::string vhost_phrase() const { return "vhost '" + settings_.vhost + "'"; }

    client::HttpClient& http();
    // The answer when its status is 2xx; else throws failure_of(answer, subject).
    client::HttpResponse call(boost::beast::http::verb method, std::string_view path,
                              std::string body, std::string_view subject);
    boost::json::value get_json(std::string_view path, std::string_view subject);
    // GET that answers whether the object exists (200) or not (404); other errors throw.
    bool exists(std::string_view path);
    // GET of an object that may not exist: its JSON, or nothing on 404; other errors throw.
    std::optional<boost::json::value> find_json(std::string_view path);

private:
    Settings settings_;
    const Invocation& invocation_;
    client::TlsContext tls_;
    std::optional<client::HttpClient> http_;
};

} // namespace warren::ctl
