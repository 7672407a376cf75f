#include "tools/client/server_url.hpp"

#include <charconv>

#include <boost/url/parse.hpp>

namespace warren::client {

namespace urls = boost::urls;

namespace {

boost::system::result<ServerUrl, std::string> fail(std::string message) {
    return {boost::system::in_place_error, std::move(message)};
}

} // namespace

std::string ServerUrl::authority() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string ServerUrl::display() const {
    return std::string(scheme()) + "://" + authority() + prefix;
}

std::string ServerUrl::target(std::string_view path) const {
    std::string out = prefix;
    out.append(path);
    return out;
}

boost::system::result<ServerUrl, std::string> parse_server_url(std::string_view text) {
    std::string with_scheme(text);
    if (with_scheme.find("://") == std::string::npos) {
        with_scheme = "http://" + with_scheme;
    }
    auto parsed = urls::parse_uri(with_scheme);
    if (!parsed) {
        return fail("'" + std::string(text) + "' is not a URL (expected http(s)://HOST:PORT)");
    }
    const urls::url_view& url = *parsed;
    if (url.scheme_id() != urls::scheme::http && url.scheme_id() != urls::scheme::https) {
        return fail("unsupported scheme '" + std::string(url.scheme()) + "' in '" +
                    std::string(text) + "' (expected http://HOST:PORT or https://HOST:PORT)");
    }
    ServerUrl out;
    out.tls = url.scheme_id() == urls::scheme::https;
    out.port = out.tls ? 443 : 80;
    switch (url.host_type()) {
    case urls::host_type::ipv6:
        out.host = url.host_address();
        break;
    case urls::host_type::name:
    case urls::host_type::ipv4:
        out.host = url.host();
        break;
    default:
        break;
    }
    if (out.host.empty()) {
        return fail("no host in '" + std::string(text) + "'");
    }
    if (url.has_port()) {
        const auto port_text = url.port();
        unsigned port = 0;
        auto [end, ec] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 ||
            port > 65535) {
            return fail("bad port '" + std::string(port_text) + "' in '" + std::string(text) + "'");
        }
        out.port = static_cast<std::uint16_t>(port);
    }
    if (url.has_query() || url.has_fragment()) {
        return fail("a server URL takes no query or fragment: '" + std::string(text) + "'");
    }
    out.prefix = url.encoded_path();
    while (!out.prefix.empty() && out.prefix.back() == '/') {
        out.prefix.pop_back();
    }
    if (url.has_userinfo()) {
        out.user = url.user();
        if (url.has_password()) {
            out.password = url.password();
        }
    }
    return out;
}

std::string encode_segment(std::string_view segment) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(segment.size());
    for (unsigned char c : segment) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 15]);
        }
    }
    return out;
}

} // namespace warren::client
