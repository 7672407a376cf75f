// request_framing: which body framings are refused before a byte of the body is read. The header
// goes through Beast's own parser, as in a session, so `chunked` is what Beast decided.

#include <boost/beast/http/parser.hpp>
#include <gtest/gtest.h>

#include "web/request_framing.hpp"

namespace warren::web {
namespace {

namespace http = boost::beast::http;

// The verdict for a request head (ending in the blank line): Beast's own refusal (a parse
// error, which the session answers 400 and closes), or framing_refusal's.
std::optional<std::string> verdict(const std::string& head) {
    http::request_parser<http::string_body> parser;
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(head), ec);
    if (ec && ec != http::error::need_more) {
        return "Beast: " + ec.message();
    }
    EXPECT_TRUE(parser.is_header_done()) << head;
    return framing_refusal(parser.get(), parser.chunked());
}

TEST(RequestFraming, PlainAndChunkedBodiesPass) {
    EXPECT_FALSE(verdict("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n"));
    EXPECT_FALSE(verdict("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_FALSE(verdict("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
    EXPECT_FALSE(verdict("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"));
    EXPECT_FALSE(verdict("POST / HTTP/1.0\r\nHost: x\r\nContent-Length: 3\r\n\r\n"));
}

TEST(RequestFraming, ATransferEncodingNotEndingInChunkedIsRefused) {
    for (const char* coding : {"gzip", "identity", "xchunked", "chunked, identity", "chunkedx"}) {
        EXPECT_TRUE(verdict(std::string("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ") +
                            coding + "\r\n\r\n"))
            << coding;
        EXPECT_TRUE(verdict(std::string("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ") +
                            coding + "\r\nContent-Length: 5\r\n\r\n"))
            << coding;
    }
}

TEST(RequestFraming, ChunkedNextToALengthOrOnHttp10IsRefused) {
    // Beast refuses chunked next to a length itself ("bad Content-Length"); the other order too.
    EXPECT_TRUE(verdict(
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"));
    EXPECT_TRUE(verdict(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"));
    EXPECT_TRUE(verdict("POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
}

} // namespace
} // namespace warren::web
