#pragma once

// PrometheusText: renders metrics in the Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/): per family one "# HELP" and
// one "# TYPE" line, then its samples, with label values escaped (\ " and newline).
//
// Families are declared first and may then receive samples in any order: each family keeps its
// own buffer and finish() concatenates them in declaration order. So a caller walks its objects
// once (10 000 queues: one pass, not one per family) and the output still has every family's
// samples together, as the format requires.
//
// Pure and single-threaded; one instance renders one scrape.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warren::web {

enum class MetricType { counter, gauge, histogram, untyped };

std::string_view to_string(MetricType type);

using Label = std::pair<std::string_view, std::string_view>; // name, value (unescaped)

// One histogram bucket as the caller counts it: observations <= upper_bound (not cumulative;
// PrometheusText accumulates). The +Inf bucket is implied by `count`.
struct HistogramBucket {
    double upper_bound = 0;
    std::uint64_t count = 0;
};

class PrometheusText {
public:
    using Family = std::size_t;

    // Declares a family. `name` must be a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), unique
    // in this rendering; a counter's name ends in _total. `expected_samples` sizes its buffer.
    Family family(std::string_view name, std::string_view help, MetricType type,
                  std::size_t expected_samples = 1);

    // A sample of `family`: name{labels} value. Label names must be valid; values are escaped.
    void add(Family family, std::initializer_list<Label> labels, std::uint64_t value);
    void add(Family family, std::initializer_list<Label> labels, double value);
    void add(Family family, std::uint64_t value) { add(family, {}, value); }

    // A label set escaped once and reused across families: an object with many families (a
    // queue has a dozen) pays for its escaping once per scrape.
    struct Labels {
        std::string text; // {a="x",b="y"} or empty
    };
    static Labels labels(std::initializer_list<Label> labels);
    void add(Family family, const Labels& labels, std::uint64_t value);

    // A histogram family's samples for one label set: cumulative name_bucket{...,le="..."} lines
    // ending with le="+Inf", then name_sum and name_count. The +Inf bucket equals `count`; the
    // caller passes the sum of every bucket plus the overflow as `count` so the two agree.
    void add_histogram(Family family, std::initializer_list<Label> labels,
                       std::span<const HistogramBucket> buckets, std::uint64_t count, double sum);

    // The complete exposition text, families in declaration order.
    std::string finish() &&;

    // The format's escaping, exposed for tests: label values escape \ " and newline; HELP text
    // escapes \ and newline.
    static void append_label_value(std::string& out, std::string_view value);
    static void append_help(std::string& out, std::string_view help);
    static void append_number(std::string& out, std::uint64_t value);
    static void append_number(std::string& out, double value); // +Inf, -Inf, NaN as spelled

private:
    struct FamilyBuffer {
        std::string name;
        std::string header; // # HELP and # TYPE lines
        std::string samples;
    };

    static void begin_sample(std::string& out, std::string_view name, std::string_view suffix,
                             std::initializer_list<Label> labels, const Label* extra);

    std::vector<FamilyBuffer> families_;
};

} // namespace warren::web
