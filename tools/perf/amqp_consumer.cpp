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
#include "tools/perf/consumer_acks.hpp"
#include "tools/perf/spawn_client.hpp"

namespace warren::perf {

namespace asio = boost::asio;

namespace {

// Lifetime: shared by its two coroutines (and their completions).
class AmqpConsumer : public std::enable_shared_from_this<AmqpConsumer> {
public:
    AmqpConsumer(asio::any_io_executor executor, RunState& run, std::size_t index)
        : run_(run), index_(index), amqp_(executor, "consumer"),
          acks_(executor, run, [this](std::uint64_t tag, bool multiple) {
              amqp_.queue_method(amqp::BasicAck{tag, multiple});
          }) {}

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
    ConsumerAcks acks_;
    // The delivery being read: its method (decoded in place, the strings' capacity kept), then
    // its content header, then body frames until body_left_ is 0.
    amqp::BasicDeliver deliver_;
    enum class Expect { method, header, body } expect_ = Expect::method;
    std::uint64_t body_left_ = 0;
    std::string stamp_; // the body's first bytes, up to the stamp's 16
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
    spawn_client(amqp_.get_executor(), read_loop(), run_.metrics,
                 "consumer " + std::to_string(index_), [self = shared_from_this()](bool failed) {
                     if (failed) {
                         self->abort();
                     }
                 });
    ++run_.consumers_ready;
    co_await acks_.write_loop(amqp_);
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
    acks_.on_delivery(deliver_.delivery_tag, deliver_.redelivered, read_stamp(stamp_));
}

} // namespace

void start_amqp_consumer(asio::any_io_executor executor, RunState& run, std::size_t index) {
    auto consumer = std::make_shared<AmqpConsumer>(executor, run, index);
    spawn_client(executor, consumer->run(), run.metrics, "consumer " + std::to_string(index),
                 [consumer, &run](bool failed) {
                     if (failed) {
                         consumer->abort();
                     }
                     ++run.consumers_done;
                 });
}

} // namespace warren::perf
