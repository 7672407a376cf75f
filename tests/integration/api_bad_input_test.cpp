// Bad requests to the management API, as a table: each gets its JSON error with the right status,
// and the server keeps serving with its earlier state intact.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"

namespace warren::test {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

struct BadRequest {
    const char* what;
    http::verb method;
    std::string target;
    std::string body;
    unsigned status;
    const char* error;
};

std::string nested(int depth) {
    return R"({"type":"direct","arguments":{"a":)" + std::string(depth, '[') +
           std::string(depth, ']') + "}}";
}

const std::string kLongName(256, 'n');

std::vector<BadRequest> bad_requests() {
    using enum http::verb;
    const std::string x = "/api/exchanges/%2F/x";
    const std::string q = "/api/queues/%2F/q";
    return {
        {"malformed JSON", put, x, R"({"type":"direct")", 400, "bad_request"},
        {"trailing garbage", put, x, R"({"type":"direct"} x)", 400, "bad_request"},
        {"body is an array", put, x, "[]", 400, "bad_request"},
        {"body is a string", put, q, R"("durable")", 400, "bad_request"},
        {"invalid UTF-8 in the body", put, x, "{\"type\":\"\xff\"}", 400, "bad_request"},
        {"nesting too deep", put, x, nested(100), 400, "bad_request"},
        // Found by fuzz/ws_ops and fuzz/definitions: 1e400 was kept as an infinity and came back
        // out as `Infinity`, which is not JSON.
        {"a number beyond a double", put, x, R"({"type":"direct","arguments":{"a":1e400}})", 400,
         "bad_request"},
        {"a negative one", post, "/api/exchanges/%2F/keepx/publish",
         R"({"properties":{"headers":{"h":[-1e400]}},"routing_key":"k","payload":"",)"
         R"("payload_encoding":"string"})",
         400, "bad_request"},
        {"durable troo", put, x, R"({"type":"direct","durable":"troo"})", 400, "bad_request"},
        {"durable number", put, q, R"({"durable":1})", 400, "bad_request"},
        {"auto_delete object", put, x, R"({"type":"direct","auto_delete":{}})", 400, "bad_request"},
        {"type missing", put, x, R"({"durable":true})", 400, "bad_request"},
        {"type not a string", put, x, R"({"type":5})", 400, "bad_request"},
        {"unknown exchange type", put, x, R"({"type":"bogus"})", 400, "bad_request"},
        {"arguments not an object", put, x, R"({"type":"direct","arguments":[1]})", 400,
         "bad_request"},
        {"alternate-exchange not a string", put, x,
         R"({"type":"direct","arguments":{"alternate-exchange":5}})", 400, "bad_request"},
        {"unknown x- argument", put, q, R"({"arguments":{"x-unknown":1}})", 400, "bad_request"},
        {"x-message-ttl negative", put, q, R"({"arguments":{"x-message-ttl":-1}})", 400,
         "bad_request"},
        {"x-expires a string", put, q, R"({"arguments":{"x-expires":"soon"}})", 400, "bad_request"},
        {"exclusive over HTTP", put, q, R"({"exclusive":true})", 400, "bad_request"},
        {"queue name of 256 bytes", put, "/api/queues/%2F/" + kLongName, "", 400, "bad_request"},
        {"exchange name of 256 bytes", put, "/api/exchanges/%2F/" + kLongName,
         R"({"type":"direct"})", 400, "bad_request"},
        {"vhost name of 256 bytes", put, "/api/vhosts/" + kLongName, "", 400, "bad_request"},
        {"invalid UTF-8 queue name", put, "/api/queues/%2F/%FF%FE", "", 400, "bad_request"},
        {"invalid UTF-8 exchange name", put, "/api/exchanges/%2F/a%C3%28", R"({"type":"direct"})",
         400, "bad_request"},
        {"invalid UTF-8 vhost name", put, "/api/vhosts/%80", "", 400, "bad_request"},
        {"routing key not a string", post, "/api/bindings/%2F/e/keepx/q/keep",
         R"({"routing_key":[]})", 400, "bad_request"},
        {"routing key of 256 bytes", post, "/api/bindings/%2F/e/keepx/q/keep",
         R"({"routing_key":")" + kLongName + R"("})", 400, "bad_request"},
        {"bad page", get, "/api/queues?page=x", "", 400, "invalid_pagination_parameters"},
        {"page too large", get, "/api/exchanges?page=1&page_size=100000", "", 400,
         "invalid_pagination_parameters"},
        {"invalid regex", get, "/api/queues?name=(&use_regex=true", "", 400, "bad_request"},
        {"unknown vhost on PUT", put, "/api/queues/nope/q", "", 404, "not_found"},
        {"unknown vhost on GET", get, "/api/queues/nope/q", "", 404, "Object Not Found"},
        {"unknown vhost list", get, "/api/exchanges/nope", "", 404, "Object Not Found"},
        {"unknown exchange", get, "/api/exchanges/%2F/nope", "", 404, "Object Not Found"},
        {"unknown queue", get, "/api/queues/%2F/nope", "", 404, "Object Not Found"},
        {"delete unknown queue", delete_, "/api/queues/%2F/nope", "", 404, "Object Not Found"},
        {"delete unknown exchange", delete_, "/api/exchanges/%2F/nope", "", 404,
         "Object Not Found"},
        {"bind unknown exchange", post, "/api/bindings/%2F/e/nope/q/keep", "{}", 404, "not_found"},
        {"bind unknown queue", post, "/api/bindings/%2F/e/keepx/q/nope", "{}", 404, "not_found"},
        {"unbind unknown props", delete_, "/api/bindings/%2F/e/keepx/q/keep/nope", "", 404,
         "Object Not Found"},
        {"wrong method", patch, "/api/queues/%2F/keep", "", 405, "method_not_allowed"},
        {"POST to a queue", post, "/api/queues/%2F/keep", "{}", 405, "method_not_allowed"},
        {"delete a built-in", delete_, "/api/exchanges/%2F/amq.fanout", "", 403, "access_refused"},
        {"delete with if-empty", delete_, "/api/queues/%2F/keep?if-empty=true", "", 400,
         "bad_request"},
        {"delete with if-unused", delete_, "/api/exchanges/%2F/keepx?if-unused=true", "", 400,
         "bad_request"},
    };
}

class ApiBadInput : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(api_.put("/api/queues/%2F/keep", R"({"durable":true})").status, 201u);
        ASSERT_EQ(
            api_.put("/api/exchanges/%2F/keepx", R"({"type":"direct","durable":true})").status,
            201u);
        ASSERT_EQ(api_.post("/api/bindings/%2F/e/keepx/q/keep", R"({"routing_key":"k"})").status,
                  201u);
        const std::string message =
            R"({"properties":{"delivery_mode":2},"routing_key":"k","payload":"kept","payload_encoding":"string"})";
        ASSERT_EQ(api_.post("/api/exchanges/%2F/keepx/publish", message).json(),
                  json::parse(R"({"routed":true})"));
    }

    void expect_state_intact() {
        json::value q = api_.get_json("/api/queues/%2F/keep");
        EXPECT_EQ(q.at("messages"), 1);
        EXPECT_EQ(q.at("durable"), true);
        EXPECT_EQ(api_.get_json("/api/exchanges/%2F/keepx").at("type"), "direct");
        EXPECT_EQ(api_.get_json("/api/bindings/%2F/e/keepx/q/keep/k").at("routing_key"), "k");
        expect_object_not_found(api_.get("/api/queues/%2F/q"));
        expect_object_not_found(api_.get("/api/exchanges/%2F/x"));
    }

    WarrenProcess server_{{"--max-message-size", "1024"}};
    Api api_{server_.port()};
};

TEST_F(ApiBadInput, EachBadRequestGetsItsJsonErrorAndTheServerGoesOn) {
    for (const BadRequest& bad : bad_requests()) {
        SCOPED_TRACE(bad.what);
        HttpReply reply = api_.client().request(bad.method, bad.target, bad.body,
                                                {{"Content-Type", "application/json"}});
        expect_api_error(reply, bad.status, bad.error);
        // The same connection goes on serving.
        EXPECT_EQ(api_.get("/api/whoami").status, 200u);
    }
    EXPECT_EQ(api_.client().connects(), 1u);
    expect_state_intact();
}

TEST_F(ApiBadInput, OversizedBodyIs413AndTheServerGoesOn) {
    const std::string huge =
        R"({"type":"direct","arguments":{"pad":")" + std::string(200 * 1024, 'p') + R"("}})";
    HttpReply reply = api_.put("/api/exchanges/%2F/x", huge);
    expect_api_error(reply, 413, "too_large");
    // The server may close that connection (the rest of the body was never read); a new one works.
    EXPECT_EQ(api_.get("/api/whoami").status, 200u);
    expect_state_intact();
}

TEST_F(ApiBadInput, HalfSentRequestThenHangUpLeavesStateIntact) {
    {
        HttpClient raw(server_.port());
        raw.send_raw("PUT /api/queues/%2F/q HTTP/1.1\r\nHost: x\r\nAuthorization: " +
                     HttpClient::basic_auth(kGuest) +
                     "\r\nContent-Length: 100\r\n\r\n{\"durable\":");
        raw.disconnect();
    }
    EXPECT_EQ(api_.get("/api/whoami").status, 200u);
    expect_state_intact();
}

} // namespace
} // namespace warren::test
