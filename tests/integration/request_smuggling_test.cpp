// Request smuggling, sent as exact bytes on a raw connection: a request whose body framing is
// ambiguous (a Transfer-Encoding that does not end in chunked, with or without Content-Length; a
// Transfer-Encoding next to a Content-Length; a Transfer-Encoding on HTTP/1.0) gets 400 and the
// connection is closed, so the request hidden in its body never runs (RFC 9112 section 6.3).
// The hidden request publishes to a queue: the queue staying empty proves it did not run.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"
#include "tests/integration/support/warren_process.hpp"

namespace warren::test {
namespace {

class RequestSmuggling : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(api_.put("/api/queues/%2F/target", R"({"durable":true})").status, 201u);
    }

    // A complete publish to "target", as a second request would be.
    std::string hidden_publish() const {
        const std::string body =
            R"({"routing_key":"target","payload":"smuggled","payload_encoding":"string","properties":{}})";
        return "POST /api/exchanges/%2F/amq.default/publish HTTP/1.1\r\nHost: x\r\n"
               "Authorization: " +
               HttpClient::basic_auth(kGuest) +
               "\r\nContent-Type: application/json\r\nContent-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body;
    }

    // Sends `head` + the hidden request as its body; expects one 400 answer, then the close.
    void expect_refused(const std::string& head, const std::string& what) {
        SCOPED_TRACE(what);
        HttpClient raw(server_.port());
        raw.send_raw(head + hidden_publish());
        auto reply = raw.read_reply();
        ASSERT_TRUE(reply.has_value());
        expect_api_error(*reply, 400, "bad_request");
        EXPECT_FALSE(reply->keep_alive);
        EXPECT_TRUE(raw.wait_closed_by_peer()); // and no second answer before the close
        // Nothing was published, and the server serves the next client.
        EXPECT_EQ(api_.get_json("/api/queues/%2F/target").at("messages"), 0) << what;
    }

    std::string post_head(std::string_view version, std::string_view extra_headers) const {
        return "POST /api/overview " + std::string(version) +
               "\r\nHost: x\r\nAuthorization: " + HttpClient::basic_auth(kGuest) + "\r\n" +
               std::string(extra_headers) + "\r\n";
    }

    WarrenProcess server_;
    Api api_{server_.port()};
};

TEST_F(RequestSmuggling, TransferEncodingNotEndingInChunkedIsRefusedAndClosed) {
    const std::string length = std::to_string(hidden_publish().size());
    for (const char* coding : {"gzip", "identity", "xchunked", "chunked, identity"}) {
        expect_refused(post_head("HTTP/1.1", "Transfer-Encoding: " + std::string(coding) + "\r\n"),
                       std::string("TE: ") + coding);
        expect_refused(post_head("HTTP/1.1", "Transfer-Encoding: " + std::string(coding) +
                                                 "\r\nContent-Length: " + length + "\r\n"),
                       std::string("TE: ") + coding + " with Content-Length");
    }
}

TEST_F(RequestSmuggling, ChunkedNextToContentLengthIsRefusedAndClosed) {
    // A front end that trusts the Content-Length would see the hidden request as body; one that
    // trusts the chunked framing would see it as the next request.
    expect_refused(post_head("HTTP/1.1", "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n") +
                       "0\r\n\r\n",
                   "chunked and Content-Length");
}

TEST_F(RequestSmuggling, TransferEncodingOnHttp10IsRefusedAndClosed) {
    expect_refused(post_head("HTTP/1.0", "Transfer-Encoding: chunked\r\n") + "0\r\n\r\n",
                   "HTTP/1.0 with Transfer-Encoding");
}

TEST_F(RequestSmuggling, AChunkedPublishStillWorks) {
    const std::string body =
        R"({"routing_key":"target","payload":"chunked","payload_encoding":"string","properties":{}})";
    char size[16];
    std::snprintf(size, sizeof size, "%zx", body.size());
    HttpClient raw(server_.port());
    raw.send_raw("POST /api/exchanges/%2F/amq.default/publish HTTP/1.1\r\nHost: x\r\n"
                 "Authorization: " +
                 HttpClient::basic_auth(kGuest) +
                 "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + size +
                 "\r\n" + body + "\r\n0\r\n\r\n");
    auto reply = raw.read_reply();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 200u) << reply->body;
    EXPECT_EQ(reply->json(), boost::json::parse(R"({"routed":true})"));
    EXPECT_TRUE(reply->keep_alive);
    EXPECT_EQ(api_.get_json("/api/queues/%2F/target").at("messages"), 1);
}

} // namespace
} // namespace warren::test
