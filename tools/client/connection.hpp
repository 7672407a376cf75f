#pragma once

// open_connection: how the clients reach a server, the same for HttpClient and WsClient: resolve
// the URL's host, connect (within `timeout`), and for https:// the TLS handshake (within
// `timeout` too) as a client of common/transport, with SNI and, when `tls` verifies peers, the
// certificate checked against the URL's host.
//
// Thread: runs `ioc` on the calling thread until each step completes (other work queued on the
// same io_context runs meanwhile); the Transport it returns lives on that io_context.

#include <chrono>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include "common/transport.hpp"
#include "tools/client/server_url.hpp"
#include "tools/client/tls.hpp"

namespace warren::client {

// Throws TransportError ("cannot resolve HOST: ...", "cannot reach URL: ..."), or
// CertificateError when the server's certificate was refused (the reason in OpenSSL's
// categories, said plainly: expired, self-signed, unknown issuer, host name mismatch). `tls`
// may be null for http:// only.
Transport open_connection(boost::asio::io_context& ioc, const ServerUrl& url,
                          boost::asio::ssl::context* tls, std::chrono::milliseconds timeout);

// `given`, or for an https URL without one make_tls_context({}) (the system's CAs); throws
// TransportError when that cannot be made.
TlsContext tls_context_for(const ServerUrl& url, TlsContext given);

// Runs `ioc` until done() (restarting it when it had run out of work).
template <class Done> void run_until_done(boost::asio::io_context& ioc, Done&& done) {
    while (!done()) {
        if (ioc.stopped()) {
            ioc.restart();
        }
        ioc.run_one();
    }
}

} // namespace warren::client
