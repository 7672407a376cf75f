#include "web/response_writer.hpp"

#include <charconv>

#include <boost/beast/http/field.hpp>

namespace warren::web {

namespace http = boost::beast::http;

namespace {

unsigned normalized(unsigned version) {
    return version == 10 ? 10 : 11;
}

// Beast's fields writer: "HTTP/" version/10 "." version%10 " " three digits " " reason "\r\n".
void render_status_line(const Response& response, unsigned version, std::string& out) {
    const unsigned code = response.result_int();
    const char line[] = {'H',
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
    out.append(line, sizeof line);
    const auto reason = response.reason();
    out.append(reason.data(), reason.size());
    out.append("\r\n");
}

void render_fields(const Response& response, std::string& out) {
    for (const auto& field : response.base()) {
        const auto name = field.name_string();
        const auto value = field.value();
        out.append(name.data(), name.size());
        out.append(": ");
        out.append(value.data(), value.size());
        out.append("\r\n");
    }
}

ResponseBuffers append_body(const Response& response, std::string& out) {
    const std::string& body = response.body();
    if (body.size() <= kInlineBodyBytes) {
        out.append(body);
        return {boost::asio::buffer(out), boost::asio::const_buffer()};
    }
    return {boost::asio::buffer(out), boost::asio::buffer(body)};
}

} // namespace

void finish_response(Response& response, unsigned version, bool keep_alive) {
    response.version(normalized(version));
    response.keep_alive(keep_alive);
    response.set(http::field::server, "warren");
    response.prepare_payload();
    if (response.result() == http::status::not_modified) {
        // RFC 9110 8.6: a 304 may only carry the 200's length, so it carries none.
        response.erase(http::field::content_length);
    }
}

void render_head(const Response& response, std::string& out) {
    render_status_line(response, response.version(), out);
    render_fields(response, out);
    out.append("\r\n");
}

ResponseBuffers render_response(const Response& response, std::string& out) {
    out.clear();
    render_head(response, out);
    return append_body(response, out);
}

bool can_render_finished(const Response& response) {
    const auto status = response.result();
    if (http::to_status_class(status) == http::status_class::informational ||
        status == http::status::no_content || status == http::status::not_modified) {
        return false;
    }
    for (const auto& field : response.base()) {
        switch (field.name()) {
        case http::field::connection:
        case http::field::server:
        case http::field::content_length:
        case http::field::transfer_encoding:
            return false;
        default:
            break;
        }
    }
    return true;
}

ResponseBuffers render_finished(const Response& response, unsigned version, bool keep_alive,
                                std::string& out) {
    version = normalized(version);
    out.clear();
    render_status_line(response, version, out);
    render_fields(response, out);
    // What finish_response() appends, in its order: keep_alive(), then Server, then the length.
    // Beast's keep-alive rule: HTTP/1.1 says close, HTTP/1.0 says keep-alive, the defaults
    // otherwise go unsaid.
    if (version == 11 && !keep_alive) {
        out.append("Connection: close\r\n");
    } else if (version == 10 && keep_alive) {
        out.append("Connection: keep-alive\r\n");
    }
    out.append("Server: warren\r\nContent-Length: ");
    char digits[24];
    const auto length = std::to_chars(digits, digits + sizeof digits, response.body().size());
    out.append(digits, length.ptr);
    out.append("\r\n\r\n");
    return append_body(response, out);
}

ResponseBuffers without_body(const ResponseBuffers& buffers, const Response& response) {
    // append_body() copied the body behind the head unless it returned it as the second buffer.
    const std::size_t inlined = buffers[1].size() == 0 ? response.body().size() : 0;
    return {boost::asio::buffer(buffers[0].data(), buffers[0].size() - inlined),
            boost::asio::const_buffer()};
}

} // namespace warren::web
