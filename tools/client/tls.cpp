#include "tools/client/tls.hpp"

#include <filesystem>
#include <fstream>

namespace warren::client {

namespace ssl = boost::asio::ssl;

boost::system::result<TlsContext, std::string> make_tls_context(const TlsOptions& options) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
    if (options.insecure) {
        context->set_verify_mode(ssl::verify_none);
        return context;
    }
    context->set_verify_mode(ssl::verify_peer);
    boost::system::error_code ec;
    context->set_default_verify_paths(ec);
    if (ec) {
        return {boost::system::in_place_error,
                "cannot load the system's CA certificates: " + ec.message()};
    }
    if (options.ca_file) {
        const std::string& file = *options.ca_file;
        // OpenSSL's own words for a missing file are "system lib"; say what is wrong.
        std::error_code fs_ec;
        if (!std::filesystem::is_regular_file(file, fs_ec)) {
            return {boost::system::in_place_error,
                    "cannot load CA file '" + file + "': no such file"};
        }
        if (!std::ifstream(file).good()) {
            return {boost::system::in_place_error,
                    "cannot load CA file '" + file + "': not readable"};
        }
        context->load_verify_file(file, ec);
        if (ec) {
            return {boost::system::in_place_error, "cannot load CA file '" + file +
                                                       "': no PEM certificate in it (" +
                                                       ec.message() + ")"};
        }
    }
    return context;
}

} // namespace warren::client
