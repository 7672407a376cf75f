#pragma once

// Small helpers for the management API tests (api_*_test.cpp): a client bound to one running
// warren with PUT/POST/DELETE shorthands, and checks of RabbitMQ's error shape.

#include <string>
#include <string_view>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/warren_process.hpp"

namespace warren::test {

class Api {
public:
    explicit Api(std::uint16_t port) : client_(port) {}

    HttpClient& client() { return client_; }

    HttpReply get(std::string_view target) { return client_.get(target); }
    HttpReply put(std::string_view target, std::string body = {}) {
        return client_.request(boost::beast::http::verb::put, target, std::move(body),
                               {{"Content-Type", "application/json"}});
    }
    HttpReply post(std::string_view target, std::string body = {}) {
        return client_.request(boost::beast::http::verb::post, target, std::move(body),
                               {{"Content-Type", "application/json"}});
    }
    HttpReply del(std::string_view target) {
        return client_.request(boost::beast::http::verb::delete_, target);
    }
    // GET that must answer 200 with JSON.
    boost::json::value get_json(std::string_view target) {
        HttpReply reply = get(target);
        EXPECT_EQ(reply.status, 200u) << target << ": " << reply.body;
        // An empty object on failure, so that a following .at() fails the test cleanly.
        return reply.status == 200 ? reply.json() : boost::json::object();
    }

private:
    HttpClient client_;
};

// {"error": error, "reason": <non-empty>} with the given status and a JSON content type.
inline void expect_api_error(const HttpReply& reply, unsigned status, std::string_view error) {
    EXPECT_EQ(reply.status, status) << reply.body;
    EXPECT_EQ(reply.header("Content-Type"), "application/json") << reply.body;
    boost::json::value body;
    try {
        body = reply.json();
    } catch (const std::exception&) {
        ADD_FAILURE() << "not JSON: " << reply.body;
        return;
    }
    ASSERT_TRUE(body.is_object()) << reply.body;
    const auto* e = body.as_object().if_contains("error");
    const auto* r = body.as_object().if_contains("reason");
    ASSERT_TRUE(e && r) << reply.body;
    EXPECT_EQ(*e, boost::json::value(error)) << reply.body;
    ASSERT_TRUE(r->is_string()) << reply.body;
    EXPECT_FALSE(r->as_string().empty()) << reply.body;
}

// RabbitMQ's body for a missing object.
inline void expect_object_not_found(const HttpReply& reply) {
    EXPECT_EQ(reply.status, 404u) << reply.body;
    EXPECT_EQ(reply.json(),
              boost::json::parse(R"({"error":"Object Not Found","reason":"Not Found"})"));
}

// The names in a JSON array of objects, in order.
inline std::vector<std::string> names_of(const boost::json::value& list,
                                         std::string_view field = "name") {
    std::vector<std::string> out;
    for (const auto& item : list.as_array()) {
        out.emplace_back(item.at(field).as_string());
    }
    return out;
}

} // namespace warren::test
