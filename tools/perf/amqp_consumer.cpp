// The AMQP consumer (clients.hpp).

#include <memory>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "tools/perf/amqp_connection.hpp"
#include "tools/perf/amqp_wire.hpp"
#include "tools/perf/clients.hpp"

namespace warren::perf {

namespace asio = boost::asio;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kAckPeriod = std::chrono::milliseconds(10);
constexpr auto kCloseTimeout = std::chrono::seconds(5);

// Lifetime: shared by its two coroutines (and their completions).
class AmqpConsumer : public std::enable_shared_from_this<AmqpConsumer> {
public:
    AmqpConsumer(asio::any_io_executor executor, RunState& run, std::size_t index)
        : run_(run), index_(index), amqp_(executor, "consumer"), wake_(executor) {
        ack_every_ = std::max<std::uint32_t>(1, run.options.ack_every);
    }

    asio::awaitable<void> run();
    void abort() { amqp_.abort(); }

private:
    asio::awaitable<void> subscribe();
    asio::awaitable<void> read_loop();
    void on_frame(const amqp::Frame& frame);
    void on_method(const amqp::Frame& frame);
    // The delivery whose content is now whole.
    void on_delivery();

    RunState& run_;
    std::size_t index_;
    AmqpConnection amqp_;
    asio::steady_timer wake_; // the writer's: an ack is due
    bool writer_waiting_ = false;
    std::uint32_t ack_every_ = 1;
    // The delivery being read: its method (decoded in place, the strings' capacity kept), then
    // its content header, then body frames until body_left_ is 0.
    amqp::BasicDeliver deliver_;
    enum class Expect { method, header, body } expect_ = Expect::method;
    std::uint64_t body_left_ = 0;
    std::string stamp_;             // the body's first bytes, up to the stamp's 16
    std::uint64_t last_tag_ = 0;    // the newest delivery not yet acked
    std::uint64_t unacked_ = 0;     // deliveries since the last ack (--ack-every > 1)
    std::uint64_t ack_frames_ = 0;  // queued since the last flush (--ack-every 1)
    std::uint64_t acks_queued_ = 0; // deliveries those frames ack
};

asio::awaitable<void> AmqpConsumer::subscribe() {
    const PerfOptions& options = run_.options;
    // Per consumer (global = false), as PerfTest's -q; RabbitMQ needs it for a stream.
    amqp::BasicQos qos;
    qos.prefetch_count = static_cast<std::uint16_t>(options.prefetch);
    const amqp::Method qos_ok = co_await amqp_.call(qos);
    if (!std::holds_alternative<amqp::BasicQosOk>(qos_ok)) {
        throw ConnectError("basic.qos answered with " + std::string(amqp::name_of(qos_ok)));
    }
    amqp::BasicConsume consume;
    consume.queue = options.queue;
    consume.consumer_tag = "warren-perf-" + std::to_string(index_);
    consume.no_ack = options.auto_ack;
    if (options.stream) {
        if (options.stream_offset == "first" || options.stream_offset == "last" ||
            options.stream_offset == "next") {
            consume.arguments["x-stream-offset"] = options.stream_offset;
        } else {
            consume.arguments["x-stream-offset"] = std::stoll(options.stream_offset);
        }
    }
    const amqp::Method consume_ok = co_await amqp_.call(consume);
    if (!std::holds_alternative<amqp::BasicConsumeOk>(consume_ok)) {
        throw ConnectError("basic.consume on queue '" + options.queue + "' answered with " +
                           std::string(amqp::name_of(consume_ok)));
    }
}

asio::awaitable<void> AmqpConsumer::run() {
    co_await amqp_.open(run_.target, run_.options);
    co_await subscribe();
    auto self = shared_from_this();
    asio::co_spawn(amqp_.get_executor(), read_loop(), [self](std::exception_ptr error) {
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
    // The writer: acks, until told to stop; then the last ack and a clean close (connection.close
    // and its close-ok), so that the broker has handled every ack before the socket goes. With
    // --ack-every 1 the reader queues one basic.ack per delivery (PerfTest's default) and the
    // writer sends those queued so far in one socket write; with N > 1 it sends one basic.ack
    // with multiple once N deliveries are pending, or every 10 ms.
    Metrics& metrics = run_.metrics;
    for (;;) {
        const bool stopping = run_.stop_consuming.load() || metrics.failed();
        if (ack_frames_ > 0) {
            const std::uint64_t frames = std::exchange(ack_frames_, 0);
            const std::uint64_t count = std::exchange(acks_queued_, 0);
            co_await amqp_.flush();
            metrics.acked.fetch_add(count, std::memory_order_relaxed);
            metrics.ack_frames.fetch_add(frames, std::memory_order_relaxed);
            continue; // more may have come meanwhile
        }
        if (unacked_ > 0 && !run_.options.auto_ack) {
            const std::uint64_t count = std::exchange(unacked_, 0);
            amqp_.queue_method(amqp::BasicAck{last_tag_, true});
            co_await amqp_.flush();
            metrics.acked.fetch_add(count, std::memory_order_relaxed);
            metrics.ack_frames.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        if (stopping) {
            break;
        }
        co_await amqp_.flush(); // heartbeats the reader answered
        writer_waiting_ = true;
        wake_.expires_after(kAckPeriod);
        co_await wake_.async_wait(kTuple);
        writer_waiting_ = false;
    }
    co_await amqp_.close(kCloseTimeout);
}

asio::awaitable<void> AmqpConsumer::read_loop() {
    auto self = shared_from_this();
    // A named callable, not a temporary in the co_await expression (GCC 12 coroutine bugs).
    std::function<void(const amqp::Frame&)> handle = [this](const amqp::Frame& frame) {
        on_frame(frame);
    };
    co_await amqp_.read_frames(std::move(handle));
}

void AmqpConsumer::on_frame(const amqp::Frame& frame) {
    switch (expect_) {
    case Expect::method:
        if (frame.type != amqp::FrameType::method) {
            throw ConnectError("a content frame from the broker with no basic.deliver before it");
        }
        on_method(frame);
        return;
    case Expect::header: {
        const auto size =
            frame.type == amqp::FrameType::header ? content_body_size(frame.payload) : std::nullopt;
        if (!size) {
            throw ConnectError("basic.deliver not followed by its content header");
        }
        body_left_ = *size;
        stamp_.clear();
        expect_ = Expect::body;
        break;
    }
    case Expect::body:
        if (frame.type != amqp::FrameType::body || frame.payload.size() > body_left_) {
            throw ConnectError("a delivery's body frames do not add up to its size");
        }
        if (stamp_.size() < kStampBytes) {
            stamp_.append(frame.payload.substr(0, kStampBytes - stamp_.size()));
        }
        body_left_ -= frame.payload.size();
        break;
    }
    if (body_left_ == 0) {
        expect_ = Expect::method;
        on_delivery();
    }
}

void AmqpConsumer::on_method(const amqp::Frame& frame) {
    std::uint16_t class_id = 0;
    std::uint16_t method_id = 0;
    if (method_ids(frame.payload, class_id, method_id) && class_id == amqp::BasicDeliver::kClass &&
        method_id == amqp::BasicDeliver::kMethod) {
        // The hot path: decoded into the kept struct, no Method variant per message.
        amqp::WireReader reader(frame.payload.substr(4));
        deliver_.fields(reader);
        if (reader.failed()) {
            throw ConnectError("a basic.deliver that does not decode: " + reader.reason());
        }
        expect_ = Expect::header;
        return;
    }
    auto decoded = amqp::decode_method(frame.payload);
    if (!decoded.method) {
        throw ConnectError("a method from the broker that does not decode: " + decoded.error.text);
    }
    if (std::holds_alternative<amqp::BasicCancel>(*decoded.method)) {
        throw ConnectError("the broker cancelled the consumer of queue '" + run_.options.queue +
                           "' (deleted?)");
    }
    throw ConnectError("unexpected " + std::string(amqp::name_of(*decoded.method)) +
                       " from the broker");
}

void AmqpConsumer::on_delivery() {
    Metrics& metrics = run_.metrics;
    const std::int64_t now = now_ns();
    metrics.received.fetch_add(1, std::memory_order_relaxed);
    metrics.last_receive_ns.store(now, std::memory_order_relaxed);
    if (deliver_.redelivered) {
        metrics.redelivered.fetch_add(1, std::memory_order_relaxed);
    }
    if (const auto stamp = read_stamp(stamp_)) {
        metrics.latency.record(now - *stamp);
    } else {
        metrics.unstamped.fetch_add(1, std::memory_order_relaxed);
    }
    if (run_.options.auto_ack) {
        return;
    }
    if (ack_every_ == 1) {
        amqp_.queue_method(amqp::BasicAck{deliver_.delivery_tag, false});
        ++ack_frames_;
        ++acks_queued_;
    } else {
        last_tag_ = std::max(last_tag_, deliver_.delivery_tag);
        ++unacked_;
    }
    if ((ack_frames_ > 0 || unacked_ >= ack_every_) && writer_waiting_) {
        wake_.cancel();
    }
}

} // namespace

void start_amqp_consumer(asio::any_io_executor executor, RunState& run, std::size_t index) {
    auto consumer = std::make_shared<AmqpConsumer>(executor, run, index);
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
