// warrenctl: the command line for warren, over its HTTP API and WebSocket (DESIGN.md section 5).
// Exit codes: 0 ok, 1 error, 2 usage error, 3 not found, 4 server unreachable (or not securely:
// a refused certificate). Errors print as one line on stderr: "warrenctl: <error>: <reason>".

#include <cstdlib>
#include <iostream>
#include <map>

#include "tools/client/transport_error.hpp"
#include "tools/warrenctl/cli.hpp"
#include "tools/warrenctl/commands.hpp"
#include "tools/warrenctl/context.hpp"

#ifndef WARREN_VERSION
#define WARREN_VERSION "unknown"
#endif

namespace warren::ctl {

CommandFn command_function(std::string_view name) {
    static const std::map<std::string_view, CommandFn> kFunctions = {
        {"exchange create", exchange_create},
        {"exchange delete", exchange_delete},
        {"exchange describe", exchange_describe},
        {"exchange list", exchange_list},
        {"queue create", queue_create},
        {"queue delete", queue_delete},
        {"queue describe", queue_describe},
        {"queue purge", queue_purge},
        {"queue list", queue_list},
        {"bind", bind},
        {"unbind", unbind},
        {"binding list", binding_list},
        {"publish", publish},
        {"consume", consume},
        {"get", queue_get},
        {"topic create", topic_create},
        {"topic describe", topic_describe},
        {"topic list", topic_list},
        {"topic delete", topic_delete},
        {"overview", overview},
        {"whoami", whoami},
        {"vhost list", vhost_list},
        {"vhost create", vhost_create},
        {"vhost delete", vhost_delete},
        {"users list", users_list},
        {"users create", users_create},
        {"users delete", users_delete},
        {"permissions list", permissions_list},
        {"permissions set", permissions_set},
        {"permissions clear", permissions_clear},
        {"definitions export", definitions_export},
        {"definitions import", definitions_import},
    };
    auto it = kFunctions.find(name);
    return it == kFunctions.end() ? nullptr : it->second;
}

namespace {

// How to get past a refused certificate, after the error.
std::string_view certificate_hint(client::CertificateProblem problem) {
    switch (problem) {
    case client::CertificateProblem::untrusted:
        return "--cacert FILE trusts a CA or self-signed certificate; --insecure skips the check";
    case client::CertificateProblem::name_mismatch:
        return "use the host name the certificate was issued for; --insecure skips the check";
    default:
        return "--insecure skips the check";
    }
}

int usage_error(const std::string& message) {
    std::cerr << "warrenctl: " << message << "\nTry 'warrenctl --help'.\n";
    return kExitUsage;
}

int run(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    auto invocation = parse_command_line(args);
    if (!invocation) {
        return usage_error(invocation.error().message);
    }
    if (invocation->globals.version) {
        std::cout << "warrenctl " << WARREN_VERSION << '\n';
        return kExitOk;
    }
    if (invocation->globals.help) {
        std::cout << usage_text(invocation->group);
        return kExitOk;
    }
    auto settings = resolve_settings(invocation->globals, [](std::string_view name) {
        const char* value = std::getenv(std::string(name).c_str());
        return value ? std::optional<std::string>(value) : std::nullopt;
    });
    if (!settings) {
        return usage_error(settings.error().message);
    }
    CommandFn fn = command_function(invocation->command->name);
    if (fn == nullptr) {
        return usage_error("command '" + std::string(invocation->command->name) +
                           "' is not implemented");
    }
    // https: the TLS context is made once, before the command runs (a --cacert that does not
    // load is a bad value, exit 2), and --insecure is said once.
    client::TlsContext tls;
    if (settings->url.tls) {
        auto made = client::make_tls_context(settings->tls);
        if (!made) {
            return usage_error(made.error());
        }
        tls = std::move(*made);
        if (settings->tls.insecure) {
            std::cerr << "warrenctl: warning: --insecure: the server's TLS certificate is not "
                         "verified\n";
        }
    }
    Context ctx(std::move(*settings), *invocation, std::move(tls));
    try {
        fn(ctx);
        std::cout.flush();
        return kExitOk;
    } catch (const Failure& failure) {
        std::cout.flush();
        std::cerr << "warrenctl: " << failure.message << '\n';
        return failure.exit_code;
    } catch (const client::CertificateError& error) {
        std::cout.flush();
        std::cerr << "warrenctl: " << error.what() << " (" << certificate_hint(error.problem())
                  << ")\n";
        return kExitUnreachable;
    } catch (const client::TransportError& error) {
        std::cout.flush();
        std::cerr << "warrenctl: " << error.what() << '\n';
        return kExitUnreachable;
    }
}

} // namespace

} // namespace warren::ctl

int main(int argc, char** argv) {
    try {
        return warren::ctl::run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "warrenctl: " << e.what() << '\n';
        return warren::ctl::kExitError;
    }
}
