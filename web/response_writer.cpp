#include "web/response_writer.hpp"

namespace warren::web {

void render_head(const Response& response, std::string& out) {
    // Beast's fields writer: "HTTP/" version/10 "." version%10 " " three digits " " reason.
    const unsigned version = response.version();
    const unsigned code = response.result_int();
    const char status_line[] = {'H',
                                'T',
                                'T',
                                'P',
                                '/',
                                static_cast<char>('0' + version / 10),
                                '.',
                                static_cast<char>('0' + version % 10),
                                ' ',
                                static_cast<char>('0' + code / 100),
                                static_cast<char>('0' + (code / 10) % 10),
                                static_cast<char>('0' + code % 10),
                                ' '};
    out.append(status_line, sizeof status_line);
    const auto reason = response.reason();
    out.append(reason.data(), reason.size());
    out.append("\r\n");
    for (const auto& field : response.base()) {
        const auto name = field.name_string();
        const auto value = field.value();
        out.append(name.data(), name.size());
        out.append(": ");
        out.append(value.data(), value.size());
        out.append("\r\n");
    }
    out.append("\r\n");
}

std::array<boost::asio::const_buffer, 2> render_response(const Response& response,
                                                         std::string& out) {
    out.clear();
    render_head(response, out);
    const std::string& body = response.body();
    if (body.size() <= kInlineBodyBytes) {
        out.append(body);
        return {boost::asio::buffer(out), boost::asio::const_buffer()};
    }
    return {boost::asio::buffer(out), boost::asio::buffer(body)};
}

} // namespace warren::web
