#pragma once

// The server's TLS configuration for --https-port: TLS 1.2 and 1.3 only, the certificate chain
// and private key from PEM files (--tls-cert, --tls-key). Loaded once at startup; a file that is
// missing, unreadable or does not match the key is an error naming the file.
//
// Thread: built on the main thread before the listener starts; OpenSSL then reads it from the
// io thread only.

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>

#include "common/error.hpp"

namespace warren::web {

Result<std::unique_ptr<boost::asio::ssl::context>> load_tls_context(const std::string& cert_file,
                                                                    const std::string& key_file);

} // namespace warren::web
