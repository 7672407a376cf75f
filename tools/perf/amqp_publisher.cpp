// The AMQP publisher (clients.hpp).

#include <deque>
#include <memory>

#include <boost/asio/co_spawn.hpp>

#include "tools/perf/amqp_connection.hpp"
#include "tools/perf/amqp_wire.hpp"
#include "tools/perf/clients.hpp"
#include "tools/perf/pacer.hpp"
#include "tools/perf/spawn_client.hpp"

namespace warren::perf {

namespace asio = boost::asio;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kPoll = std::chrono::milliseconds(20);
constexpr auto kConfirmWait = std::chrono::seconds(30); // for the last confirms after the end
constexpr std::uint64_t kFramesPerWrite = 32;           // at full speed, publishes per write
constexpr auto kCloseTimeout = std::chrono::seconds(5);
constexpr std::int64_t kSettled = -1; // in_flight_: confirmed or nacked, not yet popped

// Lifetime: shared by its two coroutines (and their completions).
class AmqpPublisher : public std::enable_shared_from_this<AmqpPublisher> {
public:
    AmqpPublisher(asio::any_io_executor executor, RunState& run, std::size_t index)
        : run_(run), index_(index), amqp_(executor, "publisher"), wake_(executor) {}

    asio::awaitable<void> write_loop();
    // After a failure: the socket goes, so that a pending read ends too.
    void abort() { amqp_.abort(); }

private:
    asio::awaitable<void> read_loop();
    void on_frame(const amqp::Frame& frame);
    // basic.ack / basic.nack for `tag` (and every earlier one with `multiple`).
    void on_confirm(std::uint64_t tag, bool multiple, bool nack);
    void settle(std::int64_t& sent_at, bool nack, std::int64_t now);

    RunState& run_;
    std::size_t index_;
    AmqpConnection amqp_;
    asio::steady_timer wake_; // the writer waits on it for window room
    bool writer_waiting_ = false;
    Template template_;
    // Send times of the publishes not yet popped, by delivery tag from oldest_tag_; a settled
    // one is kSettled. Brokers confirm mostly in order, but a single (not multiple) ack may
    // come before an older one's, so entries are settled in place and popped from the front.
    std::deque<std::int64_t> in_flight_;
    std::size_t unconfirmed_ = 0;                 // entries of in_flight_ not settled
    std::uint64_t next_tag_ = 1;                  // the delivery tag of the next publish
    std::uint64_t oldest_tag_ = 1;                // the delivery tag of in_flight_.front()
    std::uint64_t serial_ = first_serial(index_); // the next message's number (id, group)
    std::uint64_t skip_body_ = 0;                 // body bytes of a basic.return still to come
    bool skip_header_ = false;                    // a basic.return's content header is next
};

asio::awaitable<void> AmqpPublisher::write_loop() {
    const PerfOptions& options = run_.options;
    co_await amqp_.open(run_.target, options);
    const std::size_t window = options.confirm;
    if (window > 0) {
        const amqp::Method answer = co_await amqp_.call(amqp::ConfirmSelect{});
        if (!std::holds_alternative<amqp::ConfirmSelectOk>(answer)) {
            throw ConnectError("confirm.select answered with " +
                               std::string(amqp::name_of(answer)));
        }
    }
    template_ = amqp_publish(options, amqp_.frame_max());
    spawn_client(amqp_.get_executor(), read_loop(), run_.metrics,
                 "publisher " + std::to_string(index_), [self = shared_from_this()](bool) {});
    ++run_.publishers_ready;
    while (!run_.go && !run_.stop_publishing) {
        wake_.expires_after(std::chrono::milliseconds(5));
        co_await wake_.async_wait(kTuple);
    }
    Pacer pacer(amqp_.get_executor(), options.rate / static_cast<double>(options.publishers),
                run_.start_ns);
    Metrics& metrics = run_.metrics;
    std::string& out = amqp_.outbox();
    std::uint64_t sent = 0;
    // Publishes sent back to back leave in one socket write, at most kFramesPerWrite of them
    // (a steady stream for the broker rather than rare bursts); paced by --rate, one per write.
    std::uint64_t queued = 0;
    while (!run_.stop_publishing && !metrics.failed() &&
           (options.pmessages == 0 || sent < options.pmessages)) {
        if (window > 0 && unconfirmed_ >= window) {
            co_await amqp_.flush();
            queued = 0;
            writer_waiting_ = true;
            wake_.expires_after(kPoll); // on_confirm cancels it when a confirm makes room
            co_await wake_.async_wait(kTuple);
            writer_waiting_ = false;
            continue;
        }
        if (queued > 0 && (options.rate > 0 || queued >= kFramesPerWrite)) {
            co_await amqp_.flush();
            queued = 0;
        }
        co_await pacer.wait(1);
        const std::int64_t now = now_ns();
        const std::size_t at = out.size();
        out += template_.text;
        template_.fill(out.data() + at, now, serial_++);
        if (window > 0) {
            in_flight_.push_back(now);
            ++unconfirmed_;
            ++next_tag_;
        }
        ++sent;
        ++queued;
        metrics.sent.fetch_add(1, std::memory_order_relaxed);
        metrics.last_send_ns.store(now, std::memory_order_relaxed);
    }
    co_await amqp_.flush();
    // The last confirms, then a clean close (the reader ends on its close-ok).
    const auto deadline = std::chrono::steady_clock::now() + kConfirmWait;
    while (unconfirmed_ > 0 && !metrics.failed() && std::chrono::steady_clock::now() < deadline) {
        co_await amqp_.flush(); // heartbeats the reader answered
        writer_waiting_ = true;
        wake_.expires_after(kPoll);
        co_await wake_.async_wait(kTuple);
        writer_waiting_ = false;
    }
    co_await amqp_.close(kCloseTimeout);
}

asio::awaitable<void> AmqpPublisher::read_loop() {
    auto self = shared_from_this();
    // A named callable, not a temporary in the co_await expression (GCC 12 coroutine bugs).
    std::function<void(const amqp::Frame&)> handle = [this](const amqp::Frame& frame) {
        on_frame(frame);
    };
    co_await amqp_.read_frames(std::move(handle));
}

void AmqpPublisher::on_frame(const amqp::Frame& frame) {
    // A basic.return's content: counted with the return, its bytes dropped.
    if (frame.type == amqp::FrameType::header && skip_header_) {
        const auto size = content_body_size(frame.payload);
        if (!size) {
            throw ConnectError("a content header too short to read");
        }
        skip_header_ = false;
        skip_body_ = *size;
        return;
    }
    if (frame.type == amqp::FrameType::body && skip_body_ >= frame.payload.size()) {
        skip_body_ -= frame.payload.size();
        return;
    }
    if (frame.type != amqp::FrameType::method || skip_header_ || skip_body_ > 0) {
        throw ConnectError("unexpected content frame from the broker");
    }
    auto decoded = amqp::decode_method(frame.payload);
    if (!decoded.method) {
        throw ConnectError("a method from the broker that does not decode: " + decoded.error.text);
    }
    if (const auto* ack = std::get_if<amqp::BasicAck>(&*decoded.method)) {
        on_confirm(ack->delivery_tag, ack->multiple, false);
    } else if (const auto* nack = std::get_if<amqp::BasicNack>(&*decoded.method)) {
        on_confirm(nack->delivery_tag, nack->multiple, true);
    } else if (std::holds_alternative<amqp::BasicReturn>(*decoded.method)) {
        // Unroutable (mandatory): the broker still confirms it, after this.
        run_.metrics.unroutable.fetch_add(1, std::memory_order_relaxed);
        skip_header_ = true;
    } else {
        throw ConnectError("unexpected " + std::string(amqp::name_of(*decoded.method)) +
                           " from the broker");
    }
}

void AmqpPublisher::on_confirm(std::uint64_t tag, bool multiple, bool nack) {
    if (tag >= next_tag_ || (!multiple && tag < oldest_tag_)) {
        throw ConnectError(std::string(nack ? "basic.nack" : "basic.ack") + " for delivery tag " +
                           std::to_string(tag) + ", not in flight");
    }
    const std::int64_t now = now_ns();
    if (multiple) {
        for (std::uint64_t t = oldest_tag_; t <= tag; ++t) {
            std::int64_t& sent_at = in_flight_[t - oldest_tag_];
            if (sent_at != kSettled) {
                settle(sent_at, nack, now);
            }
        }
    } else {
        std::int64_t& sent_at = in_flight_[tag - oldest_tag_];
        if (sent_at == kSettled) {
            throw ConnectError("a second confirm for delivery tag " + std::to_string(tag));
        }
        settle(sent_at, nack, now);
    }
    while (!in_flight_.empty() && in_flight_.front() == kSettled) {
        in_flight_.pop_front();
        ++oldest_tag_;
    }
    // The writer waits for room in the window (or, at the end, for the last confirm).
    if (writer_waiting_ && (unconfirmed_ < run_.options.confirm || unconfirmed_ == 0)) {
        wake_.cancel();
    }
}

void AmqpPublisher::settle(std::int64_t& sent_at, bool nack, std::int64_t now) {
    Metrics& metrics = run_.metrics;
    if (nack) {
        // The broker could not take it (a nack is no delivery promise): counted, not expected.
        metrics.nacked.fetch_add(1, std::memory_order_relaxed);
    } else {
        metrics.confirmed.fetch_add(1, std::memory_order_relaxed);
        metrics.confirm_latency.record(now - sent_at);
    }
    sent_at = kSettled;
    --unconfirmed_;
}

} // namespace

void start_amqp_publisher(asio::any_io_executor executor, RunState& run, std::size_t index) {
    auto publisher = std::make_shared<AmqpPublisher>(executor, run, index);
    spawn_client(executor, publisher->write_loop(), run.metrics,
                 "publisher " + std::to_string(index), [publisher, &run](bool failed) {
                     if (failed) {
                         publisher->abort();
                     }
                     ++run.publishers_done;
                 });
}

} // namespace warren::perf
