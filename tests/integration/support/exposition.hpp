#pragma once

// parse_exposition(): a strict reader of the Prometheus text format 0.0.4 for tests. It checks
// what a scraper relies on and collects every violation in `errors` (empty = well-formed):
// - every line is a comment, "# HELP name text", "# TYPE name type" or a sample
//   name{label="value",...} value, with valid names, only \\ \" \n escapes, a float value;
// - HELP and TYPE at most once per family and before its samples; a family's samples together;
// - a counter's name ends in _total; a histogram's samples are name_bucket{le}, name_sum and
//   name_count, with buckets in increasing le order, cumulative, ending with le="+Inf" equal to
//   name_count.
// Header-only; used by the unit tests of web/prometheus_text and by the /metrics integration
// tests.

#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warren::test {

using LabelSet = std::map<std::string, std::string>;

struct Sample {
    std::string name; // as written, e.g. warren_store_commit_seconds_bucket
    LabelSet labels;  // unescaped values
    double value = 0;
};

struct Exposition {
    std::vector<Sample> samples;
    std::map<std::string, std::string> types; // family -> counter|gauge|histogram|...
    std::map<std::string, std::string> helps; // family -> unescaped help
    std::vector<std::string> errors;

    // The value of the one sample with this name whose labels include `labels`.
    std::optional<double> value(std::string_view name, const LabelSet& labels = {}) const {
        std::optional<double> found;
        for (const Sample& s : samples) {
            if (s.name != name) {
                continue;
            }
            bool match = true;
            for (const auto& [k, v] : labels) {
                auto it = s.labels.find(k);
                match = match && it != s.labels.end() && it->second == v;
            }
            if (match) {
                if (found) {
                    return std::nullopt; // ambiguous
                }
                found = s.value;
            }
        }
        return found;
    }
    std::size_t count(std::string_view name) const {
        std::size_t n = 0;
        for (const Sample& s : samples) {
            n += s.name == name ? 1 : 0;
        }
        return n;
    }
};

namespace exposition_detail {

inline bool is_name(std::string_view name, bool colon) {
    if (name.empty()) {
        return false;
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                  (colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
        if (!ok) {
            return false;
        }
    }
    return true;
}

inline std::optional<double> parse_value(std::string_view text) {
    if (text == "+Inf") {
        return HUGE_VAL;
    }
    if (text == "-Inf") {
        return -HUGE_VAL;
    }
    if (text == "NaN") {
        return std::nan("");
    }
    if (text.empty()) {
        return std::nullopt;
    }
    std::string copy(text);
    char* end = nullptr;
    double v = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size()) {
        return std::nullopt;
    }
    return v;
}

// The family a sample name belongs to, given the declared types.
inline std::string family_of(const std::string& name,
                             const std::map<std::string, std::string>& types) {
    if (types.count(name) != 0) {
        return name;
    }
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
        if (name.size() > suffix.size() && name.ends_with(suffix)) {
            std::string base = name.substr(0, name.size() - suffix.size());
            auto it = types.find(base);
            if (it != types.end() && (it->second == "histogram" || it->second == "summary")) {
                return base;
            }
        }
    }
    return name;
}

// Parses `name{a="x",b="y"} value` into `sample`; returns an error text or "".
inline std::string parse_sample(std::string_view line, Sample& sample) {
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') {
        ++i;
    }
    sample.name = std::string(line.substr(0, i));
    if (!is_name(sample.name, true)) {
        return "invalid metric name";
    }
    if (i < line.size() && line[i] == '{') {
        ++i;
        while (true) {
            if (i < line.size() && line[i] == '}') {
                ++i;
                break;
            }
            std::size_t eq = line.find('=', i);
            if (eq == std::string_view::npos) {
                return "label without '='";
            }
            std::string label(line.substr(i, eq - i));
            if (!is_name(label, false)) {
                return "invalid label name '" + label + "'";
            }
            i = eq + 1;
            if (i >= line.size() || line[i] != '"') {
                return "label value not quoted";
            }
            ++i;
            std::string value;
            bool closed = false;
            while (i < line.size()) {
                char c = line[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\') {
                    if (i >= line.size()) {
                        return "dangling escape";
                    }
                    char e = line[i++];
                    if (e == '\\' || e == '"') {
                        value.push_back(e);
                    } else if (e == 'n') {
                        value.push_back('\n');
                    } else {
                        return "invalid escape";
                    }
                } else {
                    value.push_back(c);
                }
            }
            if (!closed) {
                return "unterminated label value";
            }
            if (!sample.labels.emplace(label, value).second) {
                return "duplicate label " + label;
            }
            if (i < line.size() && line[i] == ',') {
                ++i;
            } else if (i >= line.size() || line[i] != '}') {
                return "expected ',' or '}'";
            }
        }
    }
    if (i >= line.size() || line[i] != ' ') {
        return "no value";
    }
    std::string_view rest = line.substr(i + 1);
    std::size_t space = rest.find(' ');
    auto value = parse_value(rest.substr(0, space));
    if (!value) {
        return "invalid value";
    }
    if (space != std::string_view::npos &&
        !parse_value(rest.substr(space + 1))) { // optional timestamp
        return "invalid timestamp";
    }
    sample.value = *value;
    return "";
}

inline std::string unescape_help(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) {
            ++i;
            out.push_back(text[i] == 'n' ? '\n' : text[i]);
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

inline void check_histograms(Exposition& out) {
    for (const auto& [family, type] : out.types) {
        if (type != "histogram") {
            continue;
        }
        // Per label set without le: the buckets in order, the count.
        std::map<LabelSet, std::vector<std::pair<double, double>>> buckets;
        std::map<LabelSet, double> counts;
        for (const Sample& s : out.samples) {
            if (s.name == family + "_bucket") {
                LabelSet rest = s.labels;
                auto le = rest.find("le");
                if (le == rest.end()) {
                    out.errors.push_back(family + ": bucket without le");
                    continue;
                }
                auto bound = parse_value(le->second);
                if (!bound) {
                    out.errors.push_back(family + ": invalid le " + le->second);
                    continue;
                }
                rest.erase(le);
                buckets[rest].emplace_back(*bound, s.value);
            } else if (s.name == family + "_count") {
                counts[s.labels] = s.value;
            }
        }
        if (buckets.empty()) {
            out.errors.push_back(family + ": histogram without buckets");
        }
        for (const auto& [labels, list] : buckets) {
            for (std::size_t i = 1; i < list.size(); ++i) {
                if (!(list[i].first > list[i - 1].first)) {
                    out.errors.push_back(family + ": le not increasing");
                }
                if (list[i].second < list[i - 1].second) {
                    out.errors.push_back(family + ": buckets not cumulative");
                }
            }
            if (list.empty() || !std::isinf(list.back().first)) {
                out.errors.push_back(family + ": last bucket is not +Inf");
                continue;
            }
            auto count = counts.find(labels);
            if (count == counts.end()) {
                out.errors.push_back(family + ": no _count");
            } else if (count->second != list.back().second) {
                out.errors.push_back(family + ": +Inf bucket != _count");
            }
        }
    }
}

} // namespace exposition_detail

inline Exposition parse_exposition(std::string_view text) {
    using namespace exposition_detail;
    Exposition out;
    std::set<std::string> finished; // families whose samples ended
    std::string current;            // family of the last sample
    std::size_t line_no = 0;
    auto error = [&](const std::string& what, std::string_view line) {
        out.errors.push_back("line " + std::to_string(line_no) + ": " + what + ": " +
                             std::string(line));
    };
    if (!text.empty() && text.back() != '\n') {
        out.errors.push_back("the text does not end with a newline");
    }
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string_view::npos) {
            nl = text.size();
        }
        std::string_view line = text.substr(start, nl - start);
        start = nl + 1;
        ++line_no;
        if (line.empty()) {
            continue;
        }
        if (line.front() == '#') {
            bool help = line.starts_with("# HELP ");
            bool type = line.starts_with("# TYPE ");
            if (!help && !type) {
                continue; // a plain comment
            }
            std::string_view rest = line.substr(7);
            std::size_t space = rest.find(' ');
            std::string name(rest.substr(0, space));
            if (!is_name(name, true) || space == std::string_view::npos) {
                error("malformed HELP/TYPE", line);
                continue;
            }
            std::string_view tail = rest.substr(space + 1);
            if (finished.count(name) != 0 || current == name) {
                error("HELP/TYPE after the family's samples", line);
            }
            if (help) {
                if (!out.helps.emplace(name, unescape_help(tail)).second) {
                    error("second HELP", line);
                }
            } else {
                static const std::set<std::string_view> kTypes{"counter", "gauge", "histogram",
                                                               "summary", "untyped"};
                if (kTypes.count(tail) == 0) {
                    error("unknown type", line);
                }
                if (!out.types.emplace(name, std::string(tail)).second) {
                    error("second TYPE", line);
                }
                if (tail == "counter" && !name.ends_with("_total")) {
                    error("counter not named *_total", line);
                }
            }
            continue;
        }
        Sample sample;
        if (std::string why = parse_sample(line, sample); !why.empty()) {
            error(why, line);
            continue;
        }
        std::string family = family_of(sample.name, out.types);
        if (out.types.count(family) == 0) {
            error("sample without a TYPE", line);
        }
        if (family != current) {
            if (!current.empty()) {
                finished.insert(current);
            }
            if (finished.count(family) != 0) {
                error("family's samples not together", line);
            }
            current = family;
        }
        out.samples.push_back(std::move(sample));
    }
    check_histograms(out);
    return out;
}

} // namespace warren::test
