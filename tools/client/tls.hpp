#pragma once

// The clients' TLS policy for https:// and wss:// (TLS 1.2 or later). By default the server's
// certificate must chain to the system's CA store (OpenSSL's default paths, which honour
// SSL_CERT_FILE / SSL_CERT_DIR) and name the host of the URL (Transport::expect_server_name);
// `ca_file` adds PEM certificates to trust (a private CA, or the server's self-signed
// certificate itself); `insecure` checks nothing (curl's -k), and then `ca_file` is not read.
//
// Thread: the context is built once on the main thread and then only read by OpenSSL; share
// one between an HttpClient and a WsClient of the same run.

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/result.hpp>

namespace warren::client {

struct TlsOptions {
    std::optional<std::string> ca_file; // PEM, one or more certificates
    bool insecure = false;
};

using TlsContext = std::shared_ptr<boost::asio::ssl::context>;

// A sentence naming the file when `ca_file` cannot be loaded (or the system store cannot).
boost::system::result<TlsContext, std::string> make_tls_context(const TlsOptions& options);

} // namespace warren::client
