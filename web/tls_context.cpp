#include "web/tls_context.hpp"

namespace warren::web {

namespace ssl = boost::asio::ssl;

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
