#include <sstream>
#include <string>
#include <vector>

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

// As HttpSession finishes every response.
Response prepared(Response response, unsigned version, bool keep_alive) {
    finish_response(response, version, keep_alive);
    return response;
}

// render_finished() on the unfinished response must give what Beast writes once it is finished.
void expect_finished_like_beast(const Response& unfinished, unsigned version, bool keep_alive) {
    SCOPED_TRACE("version " + std::to_string(version) + (keep_alive ? " keep-alive" : " close"));
    ASSERT_TRUE(can_render_finished(unfinished));
    std::string scratch;
    auto buffers = render_finished(unfinished, version, keep_alive, scratch);
    std::string fast;
    for (const auto& b : buffers) {
        fast.append(static_cast<const char*>(b.data()), b.size());
    }
    EXPECT_EQ(fast, beast_bytes(prepared(unfinished, version, keep_alive)));
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

TEST(ResponseWriter, RenderFinishedMatchesFinishThenBeast) {
    std::vector<Response> responses;
    responses.push_back(json_text_response(R"({"routed":true})"));
    responses.push_back(error_response(Error{Errc::not_authorized, "Login failed"}));
    responses.push_back(error_response(Error{Errc::resource_alarm, "Memory alarm"}));
    responses.push_back(object_not_found());
    responses.push_back(empty_response(http::status::created));
    Response big = json_text_response(std::string(kInlineBodyBytes * 2, ' '));
    big.set(http::field::location, "/api/bindings/%2F/e/x/q/y/~");
    responses.push_back(std::move(big));
    for (const Response& response : responses) {
        for (unsigned version : {10u, 11u, 9u}) {
            for (bool keep_alive : {true, false}) {
                expect_finished_like_beast(response, version, keep_alive);
            }
        }
    }
}

TEST(ResponseWriter, FieldsAndStatusesThatFinishingChangesTakeTheSlowPath) {
    EXPECT_TRUE(can_render_finished(json_text_response("{}")));
    EXPECT_FALSE(can_render_finished(empty_response(http::status::no_content)));
    EXPECT_FALSE(can_render_finished(empty_response(http::status::not_modified)));
    EXPECT_FALSE(can_render_finished(empty_response(http::status::continue_)));
    for (http::field field : {http::field::connection, http::field::server,
                              http::field::content_length, http::field::transfer_encoding}) {
        Response res = json_text_response("{}");
        res.set(field, "x");
        EXPECT_FALSE(can_render_finished(res)) << http::to_string(field);
    }
}

// Found by fuzz/http_request: a HEAD got the body too, which the client reads as the start of
// the next response.
TEST(ResponseWriter, WithoutBodyKeepsTheHeadAndItsLength) {
    auto bytes = [](const ResponseBuffers& buffers) {
        std::string out;
        for (const auto& b : buffers) {
            out.append(static_cast<const char*>(b.data()), b.size());
        }
        return out;
    };
    for (std::size_t size : {std::size_t{0}, std::size_t{12}, kInlineBodyBytes + 1}) {
        SCOPED_TRACE(size);
        const Response res = json_text_response(std::string(size, 'x'));
        std::string scratch;
        const std::string whole = bytes(render_finished(res, 11, true, scratch));
        const std::string head = bytes(without_body(render_finished(res, 11, true, scratch), res));
        EXPECT_EQ(head, whole.substr(0, whole.size() - size));
        EXPECT_TRUE(head.ends_with("Content-Length: " + std::to_string(size) + "\r\n\r\n"));

        const Response finished = prepared(res, 11, true);
        EXPECT_EQ(bytes(without_body(render_response(finished, scratch), finished)), head);
    }
}

TEST(ResponseWriter, NotModifiedCarriesNoLength) {
    Response res = prepared(empty_response(http::status::not_modified), 11, true);
    EXPECT_EQ(rendered(res), beast_bytes(res));
    EXPECT_EQ(rendered(res).find("Content-Length"), std::string::npos);
}

} // namespace
} // namespace warren::web
