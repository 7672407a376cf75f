#include "tools/perf/report.hpp"

#include <cstdio>
#include <ostream>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace warren::perf {

namespace json = boost::json;

namespace {

double ms(std::int64_t ns) {
    return static_cast<double>(ns) / 1e6;
}

double per_second(std::uint64_t n, double seconds) {
    return seconds > 0 ? static_cast<double>(n) / seconds : 0;
}

std::string format(const char* fmt, auto... args) {
    char buffer[512];
    std::snprintf(buffer, sizeof buffer, fmt, args...);
    return buffer;
}

std::string latency_text(const LatencyHistogram& h) {
    if (h.count() == 0) {
        return "n/a";
    }
    return format("p50 %.3f ms, p95 %.3f ms, p99 %.3f ms, max %.3f ms (%llu samples)",
                  ms(h.percentile(0.50)), ms(h.percentile(0.95)), ms(h.percentile(0.99)),
                  ms(h.max()), static_cast<unsigned long long>(h.count()));
}

json::object latency_json(const LatencyHistogram& h) {
    // Milliseconds, rounded to the microsecond.
    auto round = [](std::int64_t ns) { return static_cast<double>(ns / 1000) / 1000.0; };
    return {{"count", h.count()},
            {"min_ms", round(h.min())},
            {"p50_ms", round(h.percentile(0.50))},
            {"p95_ms", round(h.percentile(0.95))},
            {"p99_ms", round(h.percentile(0.99))},
            {"max_ms", round(h.max())}};
}

} // namespace

void print_interval(std::ostream& out, const IntervalLine& line) {
    std::string text =
        format("time %6.1f s, sent %8.0f msg/s, confirmed %8.0f msg/s, received "
               "%8.0f msg/s",
               line.elapsed_s, per_second(line.sent, line.seconds),
               per_second(line.confirmed, line.seconds), per_second(line.received, line.seconds));
    if (line.latency.count() > 0) {
        text += format(", latency p50 %.3f ms p99 %.3f ms", ms(line.latency.percentile(0.5)),
                       ms(line.latency.percentile(0.99)));
    }
    out << text << std::endl;
}

void print_summary(std::ostream& out, const PerfOptions& options, const Summary& s) {
    out << format("summary: %zu %s publishers, %zu consumers, %zu-byte %s messages\n",
                  options.publishers, to_string(options.transport), options.consumers, options.size,
                  options.persistent ? "persistent" : "transient");
    if (options.stream) {
        out << "  stream '" << options.queue << "', consumers from " << options.stream_offset
            << (options.replay ? " (a replay: the latency is each message's age)\n" : "\n");
    }
    out << format("  sent %llu (%.0f msg/s), confirmed %llu, nacked %llu, unroutable %llu\n",
                  static_cast<unsigned long long>(s.sent), per_second(s.sent, s.publish_seconds),
                  static_cast<unsigned long long>(s.confirmed),
                  static_cast<unsigned long long>(s.nacked),
                  static_cast<unsigned long long>(s.unroutable));
    out << format(
        "  received %llu (%.0f msg/s), acked %llu (%llu ack frames), redelivered %llu\n",
        static_cast<unsigned long long>(s.received), per_second(s.received, s.receive_seconds),
        static_cast<unsigned long long>(s.acked), static_cast<unsigned long long>(s.ack_frames),
        static_cast<unsigned long long>(s.redelivered));
    out << "  publish-to-delivery latency: " << latency_text(s.latency) << "\n";
    out << "  publish-to-confirm latency: " << latency_text(s.confirm_latency) << "\n";
    if (s.unstamped > 0) {
        out << format("  %llu deliveries had no time stamp (not ours?)\n",
                      static_cast<unsigned long long>(s.unstamped));
    }
    if (!s.error.empty()) {
        out << "  FAILED: " << s.error << "\n";
    }
    out.flush();
}

void print_json(std::ostream& out, const PerfOptions& options, const Summary& s) {
    json::object o{
        {"publishers", options.publishers},
        {"consumers", options.consumers},
        {"transport", to_string(options.transport)},
        {"size", options.size},
        {"persistent", options.persistent},
        {"rate_limit", options.rate},
        {"confirm_window", options.confirm},
        {"batch", options.batch},
        {"prefetch", options.prefetch},
        {"queue_type", options.stream ? "stream" : "classic"},
        {"stream_offset", options.stream ? json::value(options.stream_offset) : json::value()},
        {"replay", options.replay},
        {"sent", s.sent},
        {"confirmed", s.confirmed},
        {"nacked", s.nacked},
        {"unroutable", s.unroutable},
        {"received", s.received},
        {"acked", s.acked},
        {"ack_frames", s.ack_frames},
        {"redelivered", s.redelivered},
        {"unstamped", s.unstamped},
        {"publish_seconds", s.publish_seconds},
        {"receive_seconds", s.receive_seconds},
        {"send_rate", per_second(s.sent, s.publish_seconds)},
        {"receive_rate", per_second(s.received, s.receive_seconds)},
        {"latency", latency_json(s.latency)},
        {"confirm_latency", latency_json(s.confirm_latency)},
        {"ok", s.error.empty()},
    };
    if (!s.error.empty()) {
        o["error"] = s.error;
    }
    out << json::serialize(o) << std::endl;
}

} // namespace warren::perf
