#include "common/transport.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace warren {

boost::system::error_code Transport::expect_server_name(const std::string& host) {
    SSL* ssl = state_->tls->native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    boost::system::error_code not_an_address;
    boost::asio::ip::make_address(host, not_an_address);
    int ok = 0;
    if (!not_an_address) {
        ok = X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        ok = X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1 &&
             SSL_set_tlsext_host_name(ssl, host.c_str()) == 1;
    }
    if (ok != 1) {
        return {static_cast<int>(::ERR_get_error()), boost::asio::error::get_ssl_category()};
    }
    return {};
}

long Transport::peer_verify_result() {
    return SSL_get_verify_result(state_->tls->native_handle());
}

void teardown(boost::beast::role_type role, Transport& transport, boost::system::error_code& ec) {
    if (transport.is_tls()) {
        boost::beast::teardown(role, transport.tls(), ec);
        return;
    }
    boost::beast::websocket::teardown(role, transport.socket(), ec);
}

} // namespace warren
