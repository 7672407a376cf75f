#include <gtest/gtest.h>

#include "tests/integration/support/exposition.hpp"
#include "web/prometheus_text.hpp"

namespace warren::web {
namespace {

using test::parse_exposition;

TEST(PrometheusText, FamilyHasHelpAndTypeThenSamples) {
    PrometheusText text;
    auto f = text.family("warren_queues", "Queues available", MetricType::gauge);
    text.add(f, std::uint64_t{3});
    EXPECT_EQ(std::move(text).finish(),
              "# HELP warren_queues Queues available\n# TYPE warren_queues gauge\n"
              "warren_queues 3\n");
}

TEST(PrometheusText, SamplesAddedInAnyOrderComeOutGroupedByFamily) {
    PrometheusText text;
    auto ready = text.family("a_ready", "r", MetricType::gauge, 2);
    auto total = text.family("a_published_total", "p", MetricType::counter, 2);
    for (std::string_view q : {"q1", "q2"}) {
        text.add(ready, {{"queue", q}}, std::uint64_t{1});
        text.add(total, {{"queue", q}}, std::uint64_t{2});
    }
    EXPECT_EQ(std::move(text).finish(), "# HELP a_ready r\n# TYPE a_ready gauge\n"
                                        "a_ready{queue=\"q1\"} 1\na_ready{queue=\"q2\"} 1\n"
                                        "# HELP a_published_total p\n"
                                        "# TYPE a_published_total counter\n"
                                        "a_published_total{queue=\"q1\"} 2\n"
                                        "a_published_total{queue=\"q2\"} 2\n");
}

TEST(PrometheusText, LabelValuesEscapeBackslashQuoteAndNewline) {
    std::string out;
    PrometheusText::append_label_value(out, "a\\b\"c\nd{e},=f");
    EXPECT_EQ(out, "a\\\\b\\\"c\\nd{e},=f");

    PrometheusText text;
    auto f = text.family("x", "h", MetricType::gauge);
    text.add(f, {{"vhost", "/"}, {"queue", "we\"ird\\na\nme"}}, std::uint64_t{7});
    auto parsed = parse_exposition(std::move(text).finish());
    ASSERT_TRUE(parsed.errors.empty()) << parsed.errors.front();
    ASSERT_EQ(parsed.samples.size(), 1u);
    EXPECT_EQ(parsed.samples[0].labels.at("queue"), "we\"ird\\na\nme");
    EXPECT_EQ(parsed.samples[0].labels.at("vhost"), "/");
}

TEST(PrometheusText, PreRenderedLabelsMatchInlineLabels) {
    PrometheusText text;
    auto a = text.family("a", "h", MetricType::gauge);
    auto b = text.family("b", "h", MetricType::gauge);
    text.add(a, {{"queue", "x\"y"}}, std::uint64_t{1});
    const auto labels = PrometheusText::labels({{"queue", "x\"y"}});
    text.add(b, labels, std::uint64_t{1});
    text.add(b, PrometheusText::labels({}), std::uint64_t{2});
    const std::string out = std::move(text).finish();
    EXPECT_NE(out.find("a{queue=\"x\\\"y\"} 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("b{queue=\"x\\\"y\"} 1\nb 2\n"), std::string::npos) << out;
}

TEST(PrometheusText, HelpEscapesBackslashAndNewlineOnly) {
    std::string out;
    PrometheusText::append_help(out, "a \"b\" \\ c\nd");
    EXPECT_EQ(out, "a \"b\" \\\\ c\\nd");
}

TEST(PrometheusText, NumbersAreIntegersOrShortestDecimals) {
    auto number = [](auto value) {
        std::string out;
        PrometheusText::append_number(out, value);
        return out;
    };
    EXPECT_EQ(number(std::uint64_t{0}), "0");
    EXPECT_EQ(number(std::uint64_t{18446744073709551615ull}), "18446744073709551615");
    EXPECT_EQ(number(0.0005), "0.0005");
    EXPECT_EQ(number(0.00025), "0.00025");
    EXPECT_EQ(number(2.5), "2.5");
    EXPECT_EQ(number(1e300).substr(0, 2), "1e");
    EXPECT_EQ(number(HUGE_VAL), "+Inf");
    EXPECT_EQ(number(-HUGE_VAL), "-Inf");
    EXPECT_EQ(number(std::nan("")), "NaN");
}

TEST(PrometheusText, HistogramIsCumulativeAndEndsWithInfEqualToCount) {
    PrometheusText text;
    auto f = text.family("warren_store_commit_seconds", "latency", MetricType::histogram);
    const HistogramBucket buckets[] = {{0.001, 2}, {0.01, 0}, {0.1, 3}};
    text.add_histogram(f, {}, buckets, 6, 0.25);
    const std::string out = std::move(text).finish();
    EXPECT_NE(out.find("warren_store_commit_seconds_bucket{le=\"0.001\"} 2\n"
                       "warren_store_commit_seconds_bucket{le=\"0.01\"} 2\n"
                       "warren_store_commit_seconds_bucket{le=\"0.1\"} 5\n"
                       "warren_store_commit_seconds_bucket{le=\"+Inf\"} 6\n"
                       "warren_store_commit_seconds_sum 0.25\n"
                       "warren_store_commit_seconds_count 6\n"),
              std::string::npos)
        << out;
    auto parsed = parse_exposition(out);
    EXPECT_TRUE(parsed.errors.empty()) << parsed.errors.front();
}

TEST(PrometheusText, HistogramLabelsComeBeforeLe) {
    PrometheusText text;
    auto f = text.family("h_seconds", "h", MetricType::histogram);
    const HistogramBucket buckets[] = {{1, 1}};
    text.add_histogram(f, {{"op", "commit"}}, buckets, 1, 0.5);
    const std::string out = std::move(text).finish();
    EXPECT_NE(out.find("h_seconds_bucket{op=\"commit\",le=\"1\"} 1\n"), std::string::npos) << out;
    EXPECT_NE(out.find("h_seconds_sum{op=\"commit\"} 0.5\n"), std::string::npos) << out;
}

// The checker the integration tests rely on must itself catch broken text.
TEST(ExpositionChecker, RejectsWhatScrapersReject) {
    auto errors = [](std::string_view text) { return parse_exposition(text).errors.size(); };
    EXPECT_EQ(errors("# TYPE a gauge\na 1\n"), 0u);
    EXPECT_GT(errors("# TYPE a gauge\n# TYPE a gauge\na 1\n"), 0u);           // TYPE twice
    EXPECT_GT(errors("a 1\n"), 0u);                                           // no TYPE
    EXPECT_GT(errors("# TYPE a gauge\na{q=\"x\\t\"} 1\n"), 0u);               // bad escape
    EXPECT_GT(errors("# TYPE a gauge\na{q=\"x} 1\n"), 0u);                    // unterminated
    EXPECT_GT(errors("# TYPE a gauge\na one\n"), 0u);                         // not a number
    EXPECT_GT(errors("# TYPE a counter\na 1\n"), 0u);                         // counter w/o _total
    EXPECT_GT(errors("# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na 2\n"), 0u); // split family
    EXPECT_GT(errors("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                     "h_sum 1\nh_count 1\n"),
              0u); // not cumulative
    EXPECT_GT(errors("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n"),
              0u); // +Inf != count
}

} // namespace
} // namespace warren::web
