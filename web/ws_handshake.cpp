#include "web/ws_handshake.hpp"

#include <boost/beast/http/field.hpp>
#include <openssl/evp.h>

#include "common/base64.hpp"

namespace warren::web {

namespace http = boost::beast::http;

namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

} // namespace

std::optional<Response> check_upgrade(const Request& request) {
    const std::string_view version = request[http::field::sec_websocket_version];
    if (version != "13") {
        Response res = error_response(
            http::status::upgrade_required, "bad_request",
            version.empty() ? "the upgrade has no Sec-WebSocket-Version (this server speaks 13)"
                            : "Sec-WebSocket-Version " + std::string(version) +
                                  " is not supported (this server speaks 13)");
        res.set(http::field::sec_websocket_version, "13");
        return res;
    }
    const std::string_view key = request[http::field::sec_websocket_key];
    const auto decoded = base64_decode(key);
    if (!decoded || decoded->size() != 16) {
        return error_response(http::status::bad_request, "bad_request",
                              "Sec-WebSocket-Key must be 16 bytes in base64");
    }
    return std::nullopt;
}

std::string accept_key(std::string_view key) {
    std::string input(key);
    input += kGuid;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(input.data(), input.size(), digest, &size, EVP_sha1(), nullptr);
    return base64_encode(std::string_view(reinterpret_cast<const char*>(digest), size));
}

std::string handshake_response(const Request& request) {
    std::string out = "HTTP/1.1 101 Switching Protocols\r\n"
                      "Upgrade: websocket\r\n"
                      "Connection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: ";
    out += accept_key(request[http::field::sec_websocket_key]);
    out += "\r\nServer: warren\r\n\r\n";
    return out;
}

} // namespace warren::web
