// warren-perf: a load generator for warren in the manner of RabbitMQ PerfTest
// (tools/perf/README.md). Declares the queue (durable) and its binding over HTTP (over AMQP with
// --protocol amqp), connects the consumers, then the publishers, runs them on two io_context
// threads (publishers on one, consumers on the other), prints a line per second from the main
// thread, and ends with a summary. Exit codes: 0 done, 1 a connection or broker error (the message
// says which), 2 bad flags.

#include <algorithm>
#include <iostream>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tools/perf/amqp_declare.hpp"
#include "tools/perf/clients.hpp"
#include "tools/perf/report.hpp"
#include "tools/perf/wire.hpp"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace warren::perf;
using Clock = std::chrono::steady_clock;

constexpr auto kConnectTimeout = std::chrono::seconds(15);
constexpr auto kStopTimeout = std::chrono::seconds(40);

// How many messages one consumer of a replay reads: the stream's messages from --stream-offset to
// its last one, from the stream's summary.
asio::awaitable<std::uint64_t> replay_length(const PerfOptions& options,
                                             HttpConnection& connection) {
    auto get =
        connection.make_request(http::verb::get, "/api/streams/" + encode_segment(options.vhost) +
                                                     "/" + encode_segment(options.queue));
    auto answer = co_await connection.send(get);
    if (answer.result_int() != 200) {
        throw ConnectError("cannot read stream '" + options.queue +
                           "': " + std::to_string(answer.result_int()) + " " + answer.body());
    }
    const auto summary = boost::json::parse(answer.body()).as_object();
    const auto messages = summary.at("messages").to_number<std::uint64_t>();
    if (messages == 0) {
        co_return 0;
    }
    const auto first = summary.at("first_offset").to_number<std::uint64_t>();
    const auto last = summary.at("last_offset").to_number<std::uint64_t>();
    if (options.stream_offset == "first") {
        co_return messages;
    }
    if (options.stream_offset == "last") {
        co_return 1;
    }
    const std::uint64_t from = std::max<std::uint64_t>(first, std::stoull(options.stream_offset));
    co_return from > last ? 0 : last - from + 1;
}

// PUT the queue (durable) and, for a named exchange, POST the binding. A replay answers how many
// messages each consumer is to read.
asio::awaitable<std::uint64_t> declare(const PerfOptions& options, const Target& target) {
    HttpConnection connection(co_await asio::this_coro::executor, target);
    co_await connection.connect();
    const std::string vhost = encode_segment(options.vhost);
    auto put = connection.make_request(http::verb::put, "/api/queues/" + vhost + "/" +
                                                            encode_segment(options.queue));
    boost::json::object arguments;
    if (options.stream) {
        arguments["x-queue-type"] = "stream";
    }
    if (options.groups > 0) {
        arguments["x-group-by"] = "header:g";
    }
    if (options.dedup_window > 0) {
        arguments["x-message-deduplication"] = true;
        arguments["x-cache-size"] = options.dedup_window;
    }
    put.body() = boost::json::serialize(
        boost::json::object{{"durable", true}, {"auto_delete", false}, {"arguments", arguments}});
    auto declared = co_await connection.send(put);
    if (declared.result_int() / 100 != 2) {
        throw ConnectError("cannot declare queue '" + options.queue +
                           "': " + std::to_string(declared.result_int()) + " " + declared.body());
    }
    if (options.replay) {
        co_return co_await replay_length(options, connection);
    }
    if (options.exchange.empty()) {
        co_return 0; // the default exchange routes by queue name
    }
    auto post = connection.make_request(
        http::verb::post, "/api/bindings/" + vhost + "/e/" + encode_segment(options.exchange) +
                              "/q/" + encode_segment(options.queue));
    boost::json::object binding{{"routing_key", options.key()},
                                {"arguments", boost::json::object{}}};
    post.body() = boost::json::serialize(binding);
    auto bound = co_await connection.send(post);
    if (bound.result_int() / 100 != 2) {
        throw ConnectError("cannot bind queue '" + options.queue + "' to exchange '" +
                           options.exchange + "': " + std::to_string(bound.result_int()) + " " +
                           bound.body());
    }
    co_return 0;
}

asio::awaitable<std::uint64_t> declare_amqp(const PerfOptions& options, const Target& target) {
    co_await amqp_declare(options, target);
    co_return 0; // no replay over AMQP
}

std::uint64_t run_declare(const PerfOptions& options, const Target& target) {
    asio::io_context ioc;
    std::exception_ptr failure;
    std::uint64_t replay = 0;
    auto done = [&](std::exception_ptr e, std::uint64_t n) {
        failure = e;
        replay = n;
    };
    if (options.transport == Transport::amqp) {
        asio::co_spawn(ioc, declare_amqp(options, target), done);
    } else {
        asio::co_spawn(ioc, declare(options, target), done);
    }
    ioc.run();
    if (failure) {
        std::rethrow_exception(failure);
    }
    return replay;
}

// Waits until `done()` or a failure or the deadline; true if done().
template <class Pred> bool wait_for(const RunState& run, Pred done, Clock::duration timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!done()) {
        if (run.metrics.failed() || Clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

class Reporter {
public:
    Reporter(RunState& run, std::ostream& out) : run_(run), out_(out) {}

    // Prints a line for each second that has passed since the last one.
    void tick() {
        const std::int64_t now = now_ns();
        if (now < next_) {
            return;
        }
        Metrics& m = run_.metrics;
        IntervalLine line;
        const std::uint64_t sent = m.sent.load(), confirmed = m.confirmed.load(),
                            received = m.received.load();
        line.sent = sent - sent_;
        line.confirmed = confirmed - confirmed_;
        line.received = received - received_;
        line.seconds = static_cast<double>(now - last_) / 1e9;
        line.elapsed_s = static_cast<double>(now - run_.start_ns.load()) / 1e9;
        line.latency = m.latency.take_interval();
        (void)m.confirm_latency.take_interval();
        sent_ = sent;
        confirmed_ = confirmed;
        received_ = received;
        last_ = now;
        next_ = now + 1'000'000'000;
        print_interval(out_, line);
    }
    void start(std::int64_t now) {
        last_ = now;
        next_ = now + 1'000'000'000;
    }

private:
    RunState& run_;
    std::ostream& out_;
    std::int64_t last_ = 0;
    std::int64_t next_ = 0;
    std::uint64_t sent_ = 0, confirmed_ = 0, received_ = 0;
};

int run(const PerfOptions& options) {
    Target target;
    std::uint64_t replay = 0; // messages each consumer of a replay reads
    try {
        if (options.transport == Transport::amqp) {
            target = Target{options.amqp_url, options.amqp_host, options.amqp_port, {}};
        } else {
            target = parse_target(options.url, options.user, options.password);
        }
        replay = run_declare(options, target);
    } catch (const std::exception& e) {
        std::cerr << "warren-perf: " << e.what() << "\n";
        return 1;
    }
    Metrics metrics;
    RunState run{options, target, metrics};
    asio::io_context publisher_ioc{1};
    asio::io_context consumer_ioc{1};
    for (std::size_t i = 0; i < options.consumers; ++i) {
        if (options.transport == Transport::amqp) {
            start_amqp_consumer(consumer_ioc.get_executor(), run, i);
        } else {
            start_consumer(consumer_ioc.get_executor(), run, i);
        }
    }
    std::jthread consumer_thread([&] { consumer_ioc.run(); });
    wait_for(
        run, [&] { return run.consumers_ready == options.consumers; }, kConnectTimeout);
    for (std::size_t i = 0; i < options.publishers && !metrics.failed(); ++i) {
        switch (options.transport) {
        case Transport::ws:
            start_ws_publisher(publisher_ioc.get_executor(), run, i);
            break;
        case Transport::http:
            start_http_publisher(publisher_ioc.get_executor(), run, i);
            break;
        case Transport::amqp:
            start_amqp_publisher(publisher_ioc.get_executor(), run, i);
            break;
        }
    }
    std::jthread publisher_thread([&] { publisher_ioc.run(); });
    bool ready = wait_for(
        run, [&] { return run.publishers_ready == options.publishers; }, kConnectTimeout);
    if (!ready && !metrics.failed()) {
        metrics.fail("could not connect every client within 15 s");
    }

    std::ostream& lines = options.json ? std::cerr : std::cout;
    Reporter reporter(run, lines);
    const std::int64_t start = now_ns();
    run.start_ns = start;
    reporter.start(start);
    run.go = true;
    // Publishing: until the duration is over or every publisher has sent its --pmessages.
    const auto duration_ns = static_cast<std::int64_t>(options.duration * 1e9);
    // Without publishers (a consumer-only run beside another warren-perf), just the duration.
    while (!metrics.failed() && !options.replay &&
           (options.publishers == 0 || run.publishers_done < options.publishers) &&
           (options.duration <= 0 || now_ns() - start < duration_ns)) {
        reporter.tick();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    run.stop_publishing = true;
    // A replay reads for as long as it takes (the drain's quiet timeout still ends a stall).
    const auto stop_deadline =
        Clock::now() + (options.replay ? std::chrono::hours(1) : kStopTimeout);
    while (!metrics.failed() && run.publishers_done < options.publishers &&
           Clock::now() < stop_deadline) {
        reporter.tick();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // Draining: until everything confirmed (or sent, without confirms) is received, or nothing
    // has come for --drain-timeout seconds. Unroutable messages never arrive (without confirms
    // only AMQP knows of them: basic.return).
    std::uint64_t expected = options.transport != Transport::http && options.confirm == 0
                                 ? metrics.sent.load() - metrics.unroutable.load()
                                 : metrics.confirmed.load() - metrics.unroutable.load();
    if (options.replay) {
        expected = replay * options.consumers;
    } else if (options.publishers == 0) {
        expected = UINT64_MAX; // someone else publishes: consume until it goes quiet
    }
    std::int64_t quiet_since = now_ns();
    std::uint64_t seen = metrics.received.load();
    const auto drain_ns = static_cast<std::int64_t>(options.drain_timeout * 1e9);
    while (options.consumers > 0 && !metrics.failed() && metrics.received.load() < expected &&
           Clock::now() < stop_deadline) {
        reporter.tick();
        if (metrics.received.load() != seen) {
            seen = metrics.received.load();
            quiet_since = now_ns();
        } else if (now_ns() - quiet_since > drain_ns) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    run.stop_consuming = true;
    wait_for(
        run, [&] { return run.consumers_done == options.consumers; }, std::chrono::seconds(10));
    if (run.publishers_done < options.publishers || run.consumers_done < options.consumers) {
        if (!metrics.failed()) {
            metrics.fail("clients did not finish in time");
        }
    }
    publisher_ioc.stop();
    consumer_ioc.stop();
    publisher_thread.join();
    consumer_thread.join();

    Summary s;
    s.sent = metrics.sent;
    s.confirmed = metrics.confirmed;
    s.nacked = metrics.nacked;
    s.unroutable = metrics.unroutable;
    s.received = metrics.received;
    s.acked = metrics.acked;
    s.ack_frames = metrics.ack_frames;
    s.redelivered = metrics.redelivered;
    s.unstamped = metrics.unstamped;
    s.publish_seconds = static_cast<double>(metrics.last_send_ns.load() - start) / 1e9;
    s.receive_seconds = static_cast<double>(metrics.last_receive_ns.load() - start) / 1e9;
    s.latency = metrics.latency.total();
    s.confirm_latency = metrics.confirm_latency.total();
    s.error = metrics.error();
    if (options.json) {
        print_json(std::cout, options, s);
    } else {
        print_summary(std::cout, options, s);
    }
    if (!s.error.empty()) {
        std::cerr << "warren-perf: " << s.error << "\n";
        return 1;
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    auto parsed = parse_options(argc, argv);
    if (auto* usage = std::get_if<UsageError>(&parsed)) {
        std::cerr << "warren-perf: " << usage->message << "\nTry 'warren-perf --help'.\n";
        return 2;
    }
    if (auto* help = std::get_if<ParsedHelp>(&parsed)) {
        std::cout << help->text;
        return 0;
    }
    try {
        return run(std::get<PerfOptions>(parsed));
    } catch (const std::exception& e) {
        std::cerr << "warren-perf: " << e.what() << "\n";
        return 1;
    }
}
