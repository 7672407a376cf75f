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
#include "tools/perf/wire.hpp"
#include "tools/perf/ws_connection.hpp"

namespace warren::perf {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kAckPeriod = std::chrono::milliseconds(10);
constexpr auto kCloseTimeout = std::chrono::seconds(5);

// Lifetime: shared by its two coroutines (and their completions).
class WsConsumer : public std::enable_shared_from_this<WsConsumer> {
public:
    WsConsumer(asio::any_io_executor executor, RunState& run, std::size_t index)
        : run_(run), index_(index), ws_(executor, "consumer"), wake_(executor) {
        ack_every_ = std::max<std::uint32_t>(1, run.options.ack_every);
    }

    asio::awaitable<void> run();
    void abort() { ws_.abort(); }

private:
    asio::awaitable<void> subscribe();
    asio::awaitable<void> read_loop();
    void on_frame(std::string_view frame);

    RunState& run_;
    std::size_t index_;
    WsConnection ws_;
    asio::steady_timer wake_; // the writer's: an ack is due
    bool writer_waiting_ = false;
    std::uint32_t ack_every_ = 1;
    std::uint64_t last_tag_ = 0;    // the newest delivery not yet acked
    std::uint64_t unacked_ = 0;     // deliveries since the last ack
    std::uint64_t ack_frames_ = 0;  // queued since the last flush (--ack-every 1)
    std::uint64_t acks_queued_ = 0; // deliveries those frames ack
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
    auto self = shared_from_this();
    asio::co_spawn(ws_.get_executor(), read_loop(), [self](std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                self->run_.metrics.fail("consumer " + std::to_string(self->index_) + ": " +
                                        e.what());
            }
            self->abort();
        }
    });
    ++run_.consumers_ready;
    // The writer: acks, until told to stop; then the last ack and a clean close, so that the
    // broker has handled every ack before the socket goes. With --ack-every 1 the reader queues
    // one ack frame per delivery (PerfTest's default) and the writer sends those queued so far
    // in one socket write; with N > 1 it sends one multiple-ack once N deliveries are pending.
    Metrics& metrics = run_.metrics;
    for (;;) {
        const bool stopping = run_.stop_consuming.load() || metrics.failed();
        if (ack_frames_ > 0) {
            const std::uint64_t frames = std::exchange(ack_frames_, 0);
            const std::uint64_t count = std::exchange(acks_queued_, 0);
            co_await ws_.flush();
            metrics.acked.fetch_add(count, std::memory_order_relaxed);
            metrics.ack_frames.fetch_add(frames, std::memory_order_relaxed);
            continue; // more may have come meanwhile
        }
        if (unacked_ > 0 && !run_.options.auto_ack) {
            const std::uint64_t count = std::exchange(unacked_, 0);
            ws_.queue_text(R"({"op":"ack","tag":)" + std::to_string(last_tag_) +
                           R"(,"multiple":true})");
            co_await ws_.flush();
            metrics.acked.fetch_add(count, std::memory_order_relaxed);
            metrics.ack_frames.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        if (stopping) {
            break;
        }
        co_await ws_.flush(); // pongs
        writer_waiting_ = true;
        wake_.expires_after(kAckPeriod);
        co_await wake_.async_wait(kTuple);
        writer_waiting_ = false;
    }
    co_await ws_.close(kCloseTimeout);
}

asio::awaitable<void> WsConsumer::read_loop() {
    auto self = shared_from_this();
    // A named callable, not a temporary in the co_await expression (GCC 12 coroutine bugs).
    std::function<void(std::string_view)> handle = [this](std::string_view frame) {
        on_frame(frame);
    };
    co_await ws_.read_frames(std::move(handle));
}

void WsConsumer::on_frame(std::string_view frame) {
    Metrics& metrics = run_.metrics;
    if (auto delivery = scan_message(frame)) {
        const std::int64_t now = now_ns();
        metrics.received.fetch_add(1, std::memory_order_relaxed);
        metrics.last_receive_ns.store(now, std::memory_order_relaxed);
        if (delivery->redelivered) {
            metrics.redelivered.fetch_add(1, std::memory_order_relaxed);
        }
        if (delivery->stamp) {
            metrics.latency.record(now - *delivery->stamp);
        } else {
            metrics.unstamped.fetch_add(1, std::memory_order_relaxed);
        }
        if (run_.options.auto_ack) {
            return;
        }
        if (ack_every_ == 1) {
            char ack[64];
            const int n = std::snprintf(ack, sizeof ack, R"({"op":"ack","tag":%llu})",
                                        static_cast<unsigned long long>(delivery->tag));
            ws_.queue_text(std::string_view(ack, static_cast<std::size_t>(n)));
            ++ack_frames_;
            ++acks_queued_;
        } else {
            last_tag_ = std::max(last_tag_, delivery->tag);
            ++unacked_;
        }
        if ((ack_frames_ > 0 || unacked_ >= ack_every_) && writer_waiting_) {
            wake_.cancel();
        }
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
    asio::co_spawn(executor, consumer->run(), [consumer, &run, index](std::exception_ptr error) {
        if (error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                run.metrics.fail("consumer " + std::to_string(index) + ": " + e.what());
            }
            consumer->abort();
        }
        ++run.consumers_done;
    });
}

} // namespace warren::perf
