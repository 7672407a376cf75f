#include "web/tls_context.hpp"

#include <cstdio>

#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace warren::web {

namespace ssl = boost::asio::ssl;

Result<std::int64_t> certificate_not_after(const std::string& cert_file) {
    std::unique_ptr<FILE, decltype(&std::fclose)> file(std::fopen(cert_file.c_str(), "r"),
                                                       &std::fclose);
    if (!file) {
        return make_error(Errc::bad_request, "cannot open '" + cert_file + "'");
    }
    std::unique_ptr<X509, decltype(&X509_free)> cert(
        PEM_read_X509(file.get(), nullptr, nullptr, nullptr), &X509_free);
    if (!cert) {
        return make_error(Errc::bad_request, "no PEM certificate in '" + cert_file + "'");
    }
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) {
        return make_error(Errc::bad_request, "unreadable expiry date in '" + cert_file + "'");
    }
    return static_cast<std::int64_t>(timegm(&tm));
}

Result<std::unique_ptr<ssl::context>> load_tls_context(const std::string& cert_file,
                                                       const std::string& key_file) {
    auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    boost::system::error_code ec;
    context->use_certificate_chain_file(cert_file, ec);
    if (ec) {
        return make_error(Errc::bad_request, "cannot load the TLS certificate chain '" + cert_file +
                                                 "': " + ec.message());
    }
    context->use_private_key_file(key_file, ssl::context::pem, ec);
    if (ec) {
        return make_error(Errc::bad_request,
                          "cannot load the TLS private key '" + key_file +
                              "' (or it does not match the certificate): " + ec.message());
    }
    return context;
}

} // namespace warren::web
