// tools/client: server URLs and path segments. (base64: tests/unit/common/base64_test.cpp.)

#include <gtest/gtest.h>

#include "tools/client/server_url.hpp"

namespace warren::client {
namespace {

TEST(ServerUrl, HostPortAndPrefix) {
    auto url = parse_server_url("http://broker.example:15672/mq/");
    ASSERT_TRUE(url) << url.error();
    EXPECT_EQ(url->host, "broker.example");
    EXPECT_EQ(url->port, 15672);
    EXPECT_EQ(url->prefix, "/mq");
    EXPECT_EQ(url->target("/api/overview"), "/mq/api/overview");
    EXPECT_EQ(url->authority(), "broker.example:15672");
    EXPECT_EQ(url->display(), "http://broker.example:15672/mq");
}

TEST(ServerUrl, SchemeOptionalPortDefaultsToEighty) {
    auto bare = parse_server_url("127.0.0.1:5000");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->host, "127.0.0.1");
    EXPECT_EQ(bare->port, 5000);
    EXPECT_EQ(bare->prefix, "");
    auto no_port = parse_server_url("http://localhost");
    ASSERT_TRUE(no_port);
    EXPECT_EQ(no_port->port, 80);
}

TEST(ServerUrl, Ipv6AndUserInfo) {
    auto url = parse_server_url("http://alice:s3cret@[::1]:15672");
    ASSERT_TRUE(url) << url.error();
    EXPECT_EQ(url->host, "::1");
    EXPECT_EQ(url->authority(), "[::1]:15672");
    EXPECT_EQ(url->user, "alice");
    EXPECT_EQ(url->password, "s3cret");
    EXPECT_EQ(url->display(), "http://[::1]:15672"); // never the password
}

TEST(ServerUrl, HttpsDefaultsToPort443AndKeepsThePrefix) {
    auto url = parse_server_url("https://broker.example/mq/");
    ASSERT_TRUE(url) << url.error();
    EXPECT_TRUE(url->tls);
    EXPECT_EQ(url->scheme(), "https");
    EXPECT_EQ(url->host, "broker.example");
    EXPECT_EQ(url->port, 443);
    EXPECT_EQ(url->prefix, "/mq");
    EXPECT_EQ(url->target("/ws"), "/mq/ws");
    EXPECT_EQ(url->display(), "https://broker.example:443/mq");
    auto with_port = parse_server_url("HTTPS://alice:pw@[::1]:8443");
    ASSERT_TRUE(with_port) << with_port.error();
    EXPECT_TRUE(with_port->tls);
    EXPECT_EQ(with_port->port, 8443);
    EXPECT_EQ(with_port->host, "::1");
    EXPECT_EQ(with_port->user, "alice");
    EXPECT_EQ(with_port->display(), "https://[::1]:8443");
    // Plain HTTP stays plain, with or without the scheme.
    EXPECT_FALSE(parse_server_url("http://h")->tls);
    EXPECT_FALSE(parse_server_url("h:1")->tls);
    EXPECT_EQ(parse_server_url("h:1")->display(), "http://h:1");
}

TEST(ServerUrl, RefusesWhatItCannotSpeak) {
    EXPECT_FALSE(parse_server_url("ftp://host"));
    EXPECT_FALSE(parse_server_url("wss://host"));
    EXPECT_FALSE(parse_server_url("https://host:0"));
    EXPECT_FALSE(parse_server_url("http://host:0"));
    EXPECT_FALSE(parse_server_url("http://host:99999"));
    EXPECT_FALSE(parse_server_url("http://host:1/?q=1"));
    EXPECT_FALSE(parse_server_url("http://"));
    EXPECT_NE(parse_server_url("ftp://h").error().find("unsupported scheme 'ftp'"),
              std::string::npos);
}

TEST(EncodeSegment, EncodesAllButUnreserved) {
    EXPECT_EQ(encode_segment("/"), "%2F");
    EXPECT_EQ(encode_segment("a b/c?d#e%f"), "a%20b%2Fc%3Fd%23e%25f");
    EXPECT_EQ(encode_segment("order.created-v1_~"), "order.created-v1_~");
    EXPECT_EQ(encode_segment("ü"), "%C3%BC");
}

} // namespace
} // namespace warren::client
