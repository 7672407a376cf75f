// The WebSocket consumer (clients.hpp).

#include <cstdio>
#include <memory>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tools/perf/clients.hpp"
#include "tools/perf/consumer_acks.hpp"
#include "tools/perf/spawn_client.hpp"
#include "tools/perf/wire.hpp"
#include "tools/perf/ws_connection.hpp"

namespace warren::perf {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// Lifetime: shared by its two coroutines (and their completions).
class WsConsumer : public std::enable_shared_from_this<WsConsumer> {
public:
    WsConsumer(asio::any_io_executor executor, RunState& run, std::size_t index)
        : run_(run), index_(index), ws_(executor, "consumer"),
          acks_(executor, run,
                [this](std::uint64_t tag, bool multiple) { queue_ack(tag, multiple); }) {}

    asio::awaitable<void> run();
    void abort() { ws_.abort(); }

private:
    asio::awaitable<void> subscribe();
    asio::awaitable<void> read_loop();
    void on_frame(std::string_view frame);
    void queue_ack(std::uint64_t tag, bool multiple);

    RunState& run_;
    std::size_t index_;
    WsConnection ws_;
    ConsumerAcks acks_;
};

asio::awaitable<void> WsConsumer::subscribe() {
    const PerfOptions& options = run_.options;
    json::object op{{"op", "subscribe"},
                    {"id", "perf-" + std::to_string(index_)},
                    {"vhost", options.vhost},
                    {"queue", options.queue},
                    {"prefetch", options.prefetch},
                    {"ack", options.auto_ack ? "auto" : "manual"}};
    if (options.stream) {
        if (options.stream_offset == "first" || options.stream_offset == "last" ||
            options.stream_offset == "next") {
            op["offset"] = options.stream_offset;
        } else {
            op["offset"] = std::stoull(options.stream_offset);
        }
    }
    ws_.queue_text(json::serialize(op));
    co_await ws_.flush();
    const std::string answer = co_await ws_.read_text();
    if (!answer.starts_with(R"({"type":"subscribed")")) {
        throw ConnectError("cannot subscribe to queue '" + options.queue +
                           "': " + std::string(answer));
    }
}

asio::awaitable<void> WsConsumer::run() {
    co_await ws_.connect(run_.target);
    co_await subscribe();
    spawn_client(ws_.get_executor(), read_loop(), run_.metrics,
                 "consumer " + std::to_string(index_), [self = shared_from_this()](bool failed) {
                     if (failed) {
                         self->abort();
                     }
                 });
    ++run_.consumers_ready;
    co_await acks_.write_loop(ws_);
}

asio::awaitable<void> WsConsumer::read_loop() {
    auto self = shared_from_this();
    // A named callable, not a temporary in the co_await expression (GCC 12 coroutine bugs).
    std::function<void(std::string_view)> handle = [this](std::string_view frame) {
        on_frame(frame);
    };
    co_await ws_.read_frames(std::move(handle));
}

void WsConsumer::queue_ack(std::uint64_t tag, bool multiple) {
    char ack[80];
    const int n =
        std::snprintf(ack, sizeof ack, R"({"op":"ack","tag":%llu%s})",
                      static_cast<unsigned long long>(tag), multiple ? R"(,"multiple":true)" : "");
    ws_.queue_text(std::string_view(ack, static_cast<std::size_t>(n)));
}

void WsConsumer::on_frame(std::string_view frame) {
    if (auto delivery = scan_message(frame)) {
        acks_.on_delivery(delivery->tag, delivery->redelivered, delivery->stamp);
        return;
    }
    boost::system::error_code ec;
    json::value v = json::parse(frame, ec);
    const json::object* o = ec ? nullptr : v.if_object();
    const json::value* type = o ? o->if_contains("type") : nullptr;
    if (type && *type == "pong") {
        return;
    }
    // A message frame the scan could not read, an error, or "cancelled" (queue deleted).
    throw ConnectError("unexpected frame from the broker: " + std::string(frame.substr(0, 300)));
}

} // namespace

void start_consumer(asio::any_io_executor executor, RunState& run, std::size_t index) {
    auto consumer = std::make_shared<WsConsumer>(executor, run, index);
    spawn_client(executor, consumer->run(), run.metrics, "consumer " + std::to_string(index),
                 [consumer, &run](bool failed) {
                     if (failed) {
                         consumer->abort();
                     }
                     ++run.consumers_done;
                 });
}

} // namespace warren::perf
