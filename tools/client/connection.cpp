#include "tools/client/connection.hpp"

#include <optional>
#include <stdexcept>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <openssl/x509_vfy.h>

#include "tools/client/transport_error.hpp"

namespace warren::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

struct Verdict {
    std::string reason;
    CertificateProblem problem;
};

// OpenSSL's verdict on a certificate, in the words a user acts on.
Verdict certificate_verdict(long verify_result, const std::string& host) {
    using enum CertificateProblem;
    switch (verify_result) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return {"the certificate has expired", expired};
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return {"the certificate is not valid yet", expired};
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        return {"self-signed certificate, not trusted", untrusted};
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        return {"unknown issuer: the chain ends in a self-signed CA that is not trusted",
                untrusted};
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return {"unknown issuer: the certificate's CA is not trusted", untrusted};
    case X509_V_ERR_HOSTNAME_MISMATCH:
        return {"host name mismatch: the certificate is not for '" + host + "'", name_mismatch};
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return {"host name mismatch: the certificate is not for the address " + host,
                name_mismatch};
    default:
        return {X509_verify_cert_error_string(verify_result), other};
    }
}

} // namespace

TlsContext tls_context_for(const ServerUrl& url, TlsContext given) {
    if (!url.tls || given) {
        return given;
    }
    auto made = make_tls_context({});
    if (!made) {
        throw TransportError(made.error());
    }
    return std::move(*made);
}

Transport open_connection(asio::io_context& ioc, const ServerUrl& url, asio::ssl::context* tls,
                          std::chrono::milliseconds timeout) {
    if (url.tls && tls == nullptr) {
        throw std::invalid_argument("open_connection: an https URL needs a TLS context");
    }
    tcp::resolver resolver(ioc);
    std::optional<error_code> resolved;
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(url.host, std::to_string(url.port),
                           [&](error_code e, tcp::resolver::results_type r) {
                               resolved = e;
                               endpoints = std::move(r);
                           });
    run_until_done(ioc, [&] { return resolved.has_value(); });
    if (*resolved) {
        throw TransportError("cannot resolve " + url.host + ": " + resolved->message());
    }

    Transport transport =
        url.tls ? Transport(tcp::socket(ioc), *tls, TlsRole::client) : Transport(tcp::socket(ioc));
    transport.expires_after(timeout);
    std::optional<error_code> connected;
    transport.next_layer().async_connect(
        endpoints, [&](error_code e, const tcp::endpoint&) { connected = e; });
    run_until_done(ioc, [&] { return connected.has_value(); });
    if (*connected) {
        transport.close();
        throw TransportError("cannot reach " + url.display() + ": " +
                             (*connected == beast::error::timeout ? std::string("connect timed out")
                                                                  : connected->message()));
    }
    if (!url.tls) {
        return transport;
    }

    if (error_code ec = transport.expect_server_name(url.host)) {
        transport.close();
        throw TransportError("cannot reach " + url.display() +
                             " securely: bad host name for TLS: " + ec.message());
    }
    transport.expires_after(timeout);
    std::optional<error_code> handshaken;
    transport.async_handshake([&](error_code e) { handshaken = e; });
    run_until_done(ioc, [&] { return handshaken.has_value(); });
    if (*handshaken) {
        const long verdict = transport.peer_verify_result();
        transport.abort();
        const std::string prefix = "cannot reach " + url.display() + " securely: ";
        if (verdict != X509_V_OK) {
            Verdict v = certificate_verdict(verdict, url.host);
            throw CertificateError(prefix + "the server's certificate was refused: " + v.reason,
                                   v.problem);
        }
        throw TransportError(prefix + "TLS handshake failed: " +
                             (*handshaken == beast::error::timeout
                                  ? std::string("no answer in time")
                                  : handshaken->message()));
    }
    return transport;
}

} // namespace warren::client
