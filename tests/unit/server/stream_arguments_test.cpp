// x-queue-type stream: its retention arguments, RabbitMQ's age format, and what a log refuses.

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "server/queue_arguments.hpp"
#include "server/stream_arguments.hpp"

namespace warren::server {
namespace {

constexpr Millis kDay = 24LL * 3600 * 1000;

TEST(StreamArguments, MaxAgeTakesOneIntegerAndOneUnit) {
    EXPECT_EQ(parse_max_age("30s"), 30'000);
    EXPECT_EQ(parse_max_age("10m"), 600'000);
    EXPECT_EQ(parse_max_age("12h"), 12LL * 3600 * 1000);
    EXPECT_EQ(parse_max_age("7D"), 7 * kDay);
    EXPECT_EQ(parse_max_age("1M"), 30 * kDay);
    EXPECT_EQ(parse_max_age("1Y"), 365 * kDay);
    for (const char* bad :
         {"", "D", "7", "7d", "7X", "-1D", "0s", "1.5h", " 7D", "7D ", "99999999999999999Y"}) {
        EXPECT_FALSE(parse_max_age(bad).has_value()) << bad;
    }
}

Result<QueueArguments> parse(const char* json) {
    return parse_queue_arguments(boost::json::parse(json).as_object(), "queue 'q' in vhost '/'");
}

TEST(StreamArguments, AStreamDeclarationReadsItsRetention) {
    auto args = parse(R"({"x-queue-type":"stream","x-max-age":"2h","x-max-length-bytes":5000,
                          "x-stream-max-segment-size-bytes":1000,"note":"kept"})");
    ASSERT_TRUE(args) << args.error().reason;
    ASSERT_TRUE(args->stream.has_value());
    EXPECT_EQ(args->stream->max_age, 2LL * 3600 * 1000);
    EXPECT_EQ(args->stream->max_bytes, 5000u);
    EXPECT_EQ(args->stream->segment_bytes, 1000u);
    auto plain = parse(R"({"x-queue-type":"stream"})");
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->stream->max_age.has_value());
    EXPECT_EQ(plain->stream->segment_bytes, 500'000'000u); // RabbitMQ's default
    auto classic = parse(R"({"x-queue-type":"classic","x-max-length":3})");
    ASSERT_TRUE(classic);
    EXPECT_FALSE(classic->stream.has_value());
}

TEST(StreamArguments, WhatALogCannotHonourIsRefusedByName) {
    for (const char* key : {"x-message-ttl", "x-expires", "x-overflow", "x-dead-letter-exchange",
                            "x-max-length", "x-delivery-limit", "x-single-active-consumer",
                            "x-group-by", "x-message-deduplication", "x-no-such-thing"}) {
        const std::string json = std::string(R"({"x-queue-type":"stream",")") + key + R"(":1})";
        auto args = parse(json.c_str());
        ASSERT_FALSE(args) << key;
        EXPECT_EQ(args.error().code, Errc::bad_request);
        EXPECT_NE(args.error().reason.find(key), std::string::npos) << args.error().reason;
    }
    for (const char* json :
         {R"({"x-queue-type":"stream","x-max-length-bytes":0})",
          R"({"x-queue-type":"stream","x-stream-max-segment-size-bytes":"big"})",
          R"({"x-queue-type":"stream","x-max-age":3600})", R"({"x-max-age":"1h"})"}) {
        EXPECT_FALSE(parse(json)) << json;
    }
}

} // namespace
} // namespace warren::server
