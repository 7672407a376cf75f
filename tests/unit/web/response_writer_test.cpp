#include <sstream>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/write.hpp>
#include <gtest/gtest.h>

#include "web/api_router.hpp"
#include "web/json_error.hpp"
#include "web/response_writer.hpp"

namespace warren::web {
namespace {

namespace http = boost::beast::http;

// What Beast's serializer puts on the wire for the same message.
std::string beast_bytes(const Response& response) {
    std::ostringstream out;
    out << response;
    return out.str();
}

std::string rendered(const Response& response) {
    std::string scratch;
    auto buffers = render_response(response, scratch);
    std::string out;
    for (const auto& b : buffers) {
        out.append(static_cast<const char*>(b.data()), b.size());
    }
    return out;
}

// As HttpSession's finish() prepares every response.
Response prepared(Response response, unsigned version, bool keep_alive) {
    response.version(version);
    response.keep_alive(keep_alive);
    response.set(http::field::server, "warren");
    response.prepare_payload();
    return response;
}

TEST(ResponseWriter, PublishReplyMatchesBeastByteForByte) {
    Response res = prepared(json_response(boost::json::value{{"routed", true}}), 11, true);
    EXPECT_EQ(rendered(res), beast_bytes(res));
    EXPECT_EQ(rendered(res), "HTTP/1.1 200 OK\r\n"
                             "Content-Type: application/json\r\n"
                             "Cache-Control: no-cache\r\n"
                             "Server: warren\r\n"
                             "Content-Length: 15\r\n"
                             "\r\n"
                             "{\"routed\":true}");
}

TEST(ResponseWriter, ErrorsClosesAndHttp10MatchBeast) {
    Response unauthorized =
        prepared(error_response(Error{Errc::not_authorized, "Login failed"}), 11, false);
    EXPECT_EQ(rendered(unauthorized), beast_bytes(unauthorized));
    EXPECT_NE(rendered(unauthorized).find("\r\nConnection: close\r\n"), std::string::npos);
    EXPECT_NE(rendered(unauthorized).find("\r\nWWW-Authenticate: Basic realm=\"warren\"\r\n"),
              std::string::npos);

    Response old = prepared(object_not_found(), 10, true);
    EXPECT_EQ(rendered(old), beast_bytes(old));
    EXPECT_EQ(rendered(old).substr(0, 24), "HTTP/1.0 404 Not Found\r\n");

    Response empty = prepared(empty_response(http::status::no_content), 11, true);
    EXPECT_EQ(rendered(empty), beast_bytes(empty));
    EXPECT_EQ(rendered(empty).substr(0, 25), "HTTP/1.1 204 No Content\r\n");
}

TEST(ResponseWriter, CustomReasonAndUnknownFieldsMatchBeast) {
    Response res = prepared(json_response(boost::json::array{}), 11, true);
    res.reason("Fine");
    res.set("X-Custom", "value with spaces");
    EXPECT_EQ(rendered(res), beast_bytes(res));
    EXPECT_EQ(rendered(res).substr(0, 17), "HTTP/1.1 200 Fine");
}

TEST(ResponseWriter, LargeBodyGoesAsSecondBufferWithoutCopy) {
    Response res{http::status::ok, 11};
    res.set(http::field::content_type, "text/plain");
    res.body() = std::string(kInlineBodyBytes + 1, 'x');
    res = prepared(std::move(res), 11, true);
    std::string scratch;
    auto buffers = render_response(res, scratch);
    EXPECT_EQ(buffers[1].data(), static_cast<const void*>(res.body().data()));
    EXPECT_EQ(buffers[1].size(), res.body().size());
    EXPECT_EQ(rendered(res), beast_bytes(res));
}

TEST(ResponseWriter, ScratchIsReplacedNotAppended) {
    Response res = prepared(object_not_found(), 11, true);
    std::string scratch = "left over from the previous response";
    auto buffers = render_response(res, scratch);
    EXPECT_EQ(std::string(static_cast<const char*>(buffers[0].data()), buffers[0].size()),
              beast_bytes(res));
}

} // namespace
} // namespace warren::web
