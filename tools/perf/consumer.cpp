// The WebSocket consumer (clients.hpp).

#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tools/perf/clients.hpp"
#include "tools/perf/wire.hpp"

namespace warren::perf {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
namespace websocket = beast::websocket;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kAckPeriod = std::chrono::milliseconds(10);

std::string_view text_of(const beast::flat_buffer& buffer) {
    const auto data = buffer.data();
    return {static_cast<const char*>(data.data()), data.size()};
}

// Lifetime: shared by its two coroutines (and their completions).
class WsConsumer : public std::enable_shared_from_this<WsConsumer> {
public:
    WsConsumer(asio::any_io_executor executor, RunState& run, std::size_t index)
        : run_(run), index_(index), ws_(executor), wake_(executor) {
        ack_every_ = std::max<std::uint32_t>(1, run.options.ack_every);
    }

    asio::awaitable<void> run();
    void abort() { beast::get_lowest_layer(ws_).close(); }

private:
    asio::awaitable<void> subscribe();
    asio::awaitable<void> read_loop();
    void on_frame(std::string_view frame);

    RunState& run_;
    std::size_t index_;
    WsStream ws_;
    asio::steady_timer wake_; // the writer's: an ack is due
    std::uint32_t ack_every_ = 1;
    std::uint64_t last_tag_ = 0; // the newest delivery not yet acked
    std::uint64_t unacked_ = 0;  // deliveries since the last ack
    bool closing_ = false;
};

asio::awaitable<void> WsConsumer::subscribe() {
    const PerfOptions& options = run_.options;
    json::object op{{"op", "subscribe"},
                    {"id", "perf-" + std::to_string(index_)},
                    {"vhost", options.vhost},
                    {"queue", options.queue},
                    {"prefetch", options.prefetch},
                    {"ack", options.auto_ack ? "auto" : "manual"}};
    const std::string frame = json::serialize(op);
    auto [write_ec, written] = co_await ws_.async_write(asio::buffer(frame), kTuple);
    (void)written;
    if (write_ec) {
        throw ConnectError("consumer connection lost: " + write_ec.message());
    }
    beast::flat_buffer buffer;
    auto [read_ec, read] = co_await ws_.async_read(buffer, kTuple);
    (void)read;
    if (read_ec) {
        throw ConnectError("consumer connection lost: " + read_ec.message());
    }
    const std::string_view answer = text_of(buffer);
    if (!answer.starts_with(R"({"type":"subscribed")")) {
        throw ConnectError("cannot subscribe to queue '" + options.queue +
                           "': " + std::string(answer));
    }
}

asio::awaitable<void> WsConsumer::run() {
    co_await connect_ws(run_.target, ws_);
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
    // The writer: acks (one multiple-ack at a time), until told to stop; then the last ack and
    // a clean close, so that the broker has handled every ack before the socket goes.
    Metrics& metrics = run_.metrics;
    for (;;) {
        const bool stopping = run_.stop_consuming.load() || metrics.failed();
        if (unacked_ > 0 && !run_.options.auto_ack) {
            const std::uint64_t count = unacked_;
            std::string frame =
                R"({"op":"ack","tag":)" + std::to_string(last_tag_) + R"(,"multiple":true})";
            unacked_ = 0;
            auto [ec, n] = co_await ws_.async_write(asio::buffer(frame), kTuple);
            (void)n;
            if (ec) {
                throw ConnectError("consumer connection lost: " + ec.message());
            }
            metrics.acked.fetch_add(count, std::memory_order_relaxed);
            metrics.ack_frames.fetch_add(1, std::memory_order_relaxed);
            continue; // more may have come meanwhile
        }
        if (stopping) {
            break;
        }
        wake_.expires_after(kAckPeriod);
        co_await wake_.async_wait(kTuple);
    }
    closing_ = true;
    co_await ws_.async_close(websocket::close_code::normal, kTuple);
}

asio::awaitable<void> WsConsumer::read_loop() {
    auto self = shared_from_this();
    // A named callable, not a temporary in the co_await expression (GCC 12 coroutine bugs).
    std::function<void(std::string_view)> handle = [this](std::string_view frame) {
        on_frame(frame);
    };
    co_await read_frames(ws_, closing_, "consumer", std::move(handle));
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
        if (!run_.options.auto_ack) {
            last_tag_ = std::max(last_tag_, delivery->tag);
            if (++unacked_ >= ack_every_) {
                wake_.cancel();
            }
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
