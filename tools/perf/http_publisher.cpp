// The HTTP publisher (clients.hpp).

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>

#include "tools/perf/clients.hpp"
#include "tools/perf/pacer.hpp"
#include "tools/perf/spawn_client.hpp"

namespace warren::perf {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

std::size_t count_of(std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string_view::npos;
         at = text.find(needle, at + needle.size())) {
        ++n;
    }
    return n;
}

asio::awaitable<void> http_publisher(RunState& run, std::size_t index) {
    const PerfOptions& options = run.options;
    Metrics& metrics = run.metrics;
    auto executor = co_await asio::this_coro::executor;
    HttpConnection connection(executor, run.target);
    co_await connection.connect();
    ++run.publishers_ready;
    asio::steady_timer timer(executor);
    while (!run.go && !run.stop_publishing) {
        timer.expires_after(std::chrono::milliseconds(5));
        co_await timer.async_wait(kTuple);
    }
    const std::string exchange = options.exchange.empty() ? "amq.default" : options.exchange;
    auto request = connection.make_request(http::verb::post,
                                           "/api/exchanges/" + encode_segment(options.vhost) + "/" +
                                               encode_segment(exchange) + "/publish");
    const Template message = http_message(options);
    Pacer pacer(executor, options.rate / static_cast<double>(options.publishers), run.start_ns);
    std::uint64_t sent = 0;
    std::uint64_t serial = first_serial(index);
    while (!run.stop_publishing && !metrics.failed() &&
           (options.pmessages == 0 || sent < options.pmessages)) {
        std::uint64_t n = options.batch;
        if (options.pmessages != 0) {
            n = std::min<std::uint64_t>(n, options.pmessages - sent);
        }
        co_await pacer.wait(n);
        const std::int64_t start = now_ns();
        std::string& body = request.body();
        if (options.batch == 1) {
            body = message.stamped(start, serial++);
        } else {
            body.clear();
            body += '[';
            for (std::uint64_t i = 0; i < n; ++i) {
                if (i > 0) {
                    body += ',';
                }
                const std::size_t at = body.size();
                body += message.text;
                message.fill(body.data() + at, start, serial++);
            }
            body += ']';
        }
        sent += n;
        metrics.sent.fetch_add(n, std::memory_order_relaxed);
        metrics.last_send_ns.store(start, std::memory_order_relaxed);
        auto response = co_await connection.send(request);
        const std::int64_t latency = now_ns() - start;
        const unsigned status = response.result_int();
        if (status == 200) {
            const std::size_t routed = count_of(response.body(), "\"routed\":true");
            metrics.confirmed.fetch_add(n, std::memory_order_relaxed);
            if (routed < n) {
                metrics.unroutable.fetch_add(n - routed, std::memory_order_relaxed);
            }
            for (std::uint64_t i = 0; i < n; ++i) {
                metrics.confirm_latency.record(latency);
            }
        } else if (status == 503) {
            // A resource alarm: refused, not lost. Back off as the server asks (briefly).
            metrics.nacked.fetch_add(n, std::memory_order_relaxed);
            timer.expires_after(std::chrono::milliseconds(100));
            co_await timer.async_wait(kTuple);
        } else {
            throw ConnectError("publish answered " + std::to_string(status) + ": " +
                               response.body());
        }
    }
}

} // namespace

void start_http_publisher(asio::any_io_executor executor, RunState& run, std::size_t index) {
    spawn_client(executor, http_publisher(run, index), run.metrics,
                 "publisher " + std::to_string(index), [&run](bool) { ++run.publishers_done; });
}

} // namespace warren::perf
