#include "web/prometheus_text.hpp"

#include <charconv>
#include <cmath>

#include <boost/assert.hpp>

namespace warren::web {

namespace {

// Used by assertions only (unused, hence maybe_unused, when NDEBUG compiles them out).
[[maybe_unused]] bool valid_name(std::string_view name, bool allow_colon) {
    if (name.empty()) {
        return false;
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                           (allow_colon && c == ':');
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) {
            return false;
        }
    }
    return true;
}

} // namespace

std::string_view to_string(MetricType type) {
    switch (type) {
    case MetricType::counter:
        return "counter";
    case MetricType::gauge:
        return "gauge";
    case MetricType::histogram:
        return "histogram";
    case MetricType::untyped:
        return "untyped";
    }
    return "untyped";
}

PrometheusText::Family PrometheusText::family(std::string_view name, std::string_view help,
                                              MetricType type, std::size_t expected_samples) {
    BOOST_ASSERT_MSG(valid_name(name, true), "invalid metric name");
    BOOST_ASSERT_MSG(type != MetricType::counter || name.ends_with("_total"),
                     "a counter's name ends in _total");
#ifndef NDEBUG
    for (const FamilyBuffer& f : families_) {
        BOOST_ASSERT_MSG(f.name != name, "metric family declared twice");
    }
#endif
    FamilyBuffer buffer;
    buffer.name = name;
    buffer.header.reserve(name.size() * 2 + help.size() + 32);
    buffer.header.append("# HELP ").append(name).push_back(' ');
    append_help(buffer.header, help);
    buffer.header.append("\n# TYPE ").append(name).push_back(' ');
    buffer.header.append(to_string(type)).push_back('\n');
    // A sample line is the name, a few labels and a number: ~48 bytes past the name is generous
    // for the usual vhost + queue labels; a histogram has ~13 lines per label set.
    const std::size_t per_sample = name.size() + 48;
    buffer.samples.reserve(expected_samples * per_sample *
                           (type == MetricType::histogram ? 13 : 1));
    families_.push_back(std::move(buffer));
    return families_.size() - 1;
}

void PrometheusText::begin_sample(std::string& out, std::string_view name, std::string_view suffix,
                                  std::initializer_list<Label> labels, const Label* extra) {
    out.append(name).append(suffix);
    if (labels.size() == 0 && extra == nullptr) {
        return;
    }
    out.push_back('{');
    bool first = true;
    auto append_label = [&](const Label& label) {
        BOOST_ASSERT_MSG(valid_name(label.first, false), "invalid label name");
        if (!first) {
            out.push_back(',');
        }
        first = false;
        out.append(label.first).append("=\"");
        append_label_value(out, label.second);
        out.push_back('"');
    };
    for (const Label& label : labels) {
        append_label(label);
    }
    if (extra != nullptr) {
        append_label(*extra);
    }
    out.push_back('}');
}

void PrometheusText::add(Family family, std::initializer_list<Label> labels, std::uint64_t value) {
    FamilyBuffer& f = families_[family];
    begin_sample(f.samples, f.name, {}, labels, nullptr);
    f.samples.push_back(' ');
    append_number(f.samples, value);
    f.samples.push_back('\n');
}

PrometheusText::Labels PrometheusText::labels(std::initializer_list<Label> labels) {
    Labels out;
    if (labels.size() != 0) {
        out.text.reserve(64);
        begin_sample(out.text, {}, {}, labels, nullptr);
    }
    return out;
}

void PrometheusText::add(Family family, const Labels& labels, std::uint64_t value) {
    FamilyBuffer& f = families_[family];
    f.samples.append(f.name).append(labels.text).push_back(' ');
    append_number(f.samples, value);
    f.samples.push_back('\n');
}

void PrometheusText::add(Family family, std::initializer_list<Label> labels, double value) {
    FamilyBuffer& f = families_[family];
    begin_sample(f.samples, f.name, {}, labels, nullptr);
    f.samples.push_back(' ');
    append_number(f.samples, value);
    f.samples.push_back('\n');
}

void PrometheusText::add_histogram(Family family, std::initializer_list<Label> labels,
                                   std::span<const HistogramBucket> buckets, std::uint64_t count,
                                   double sum) {
    FamilyBuffer& f = families_[family];
    std::uint64_t cumulative = 0;
    std::string bound;
    for (const HistogramBucket& bucket : buckets) {
        cumulative += bucket.count;
        bound.clear();
        append_number(bound, bucket.upper_bound);
        const Label le{"le", bound};
        begin_sample(f.samples, f.name, "_bucket", labels, &le);
        f.samples.push_back(' ');
        append_number(f.samples, cumulative);
        f.samples.push_back('\n');
    }
    BOOST_ASSERT_MSG(cumulative <= count, "histogram buckets exceed the count");
    const Label inf{"le", "+Inf"};
    begin_sample(f.samples, f.name, "_bucket", labels, &inf);
    f.samples.push_back(' ');
    append_number(f.samples, count);
    f.samples.push_back('\n');
    begin_sample(f.samples, f.name, "_sum", labels, nullptr);
    f.samples.push_back(' ');
    append_number(f.samples, sum);
    f.samples.push_back('\n');
    begin_sample(f.samples, f.name, "_count", labels, nullptr);
    f.samples.push_back(' ');
    append_number(f.samples, count);
    f.samples.push_back('\n');
}

std::string PrometheusText::finish() && {
    std::size_t size = 0;
    for (const FamilyBuffer& f : families_) {
        size += f.header.size() + f.samples.size();
    }
    std::string out;
    out.reserve(size);
    for (const FamilyBuffer& f : families_) {
        out.append(f.header).append(f.samples);
    }
    families_.clear();
    return out;
}

void PrometheusText::append_label_value(std::string& out, std::string_view value) {
    for (char c : value) {
        switch (c) {
        case '\\':
            out.append("\\\\");
            break;
        case '"':
            out.append("\\\"");
            break;
        case '\n':
            out.append("\\n");
            break;
        default:
            out.push_back(c);
        }
    }
}

void PrometheusText::append_help(std::string& out, std::string_view help) {
    for (char c : help) {
        switch (c) {
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        default:
            out.push_back(c);
        }
    }
}

void PrometheusText::append_number(std::string& out, std::uint64_t value) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    BOOST_ASSERT(ec == std::errc{});
    out.append(buffer, end);
}

void PrometheusText::append_number(std::string& out, double value) {
    if (std::isnan(value)) {
        out.append("NaN");
        return;
    }
    if (std::isinf(value)) {
        out.append(value > 0 ? "+Inf" : "-Inf");
        return;
    }
    // The shortest text that reads back as the same double, in plain decimals where that fits
    // (le="0.0005", as Prometheus' own clients write it, rather than "5e-04"), else with an
    // exponent.
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
    if (result.ec != std::errc{}) {
        result = std::to_chars(buffer, buffer + sizeof buffer, value);
        BOOST_ASSERT(result.ec == std::errc{});
    }
    out.append(buffer, result.ptr);
}

} // namespace warren::web
