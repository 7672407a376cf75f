// The WebSocket publisher (clients.hpp).

#include <deque>
#include <memory>

#include <boost/asio/co_spawn.hpp>
#include <boost/json/parse.hpp>

#include "tools/perf/clients.hpp"
#include "tools/perf/pacer.hpp"
#include "tools/perf/spawn_client.hpp"
#include "tools/perf/wire.hpp"
#include "tools/perf/ws_connection.hpp"

namespace warren::perf {

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr auto kPoll = std::chrono::milliseconds(20);
constexpr auto kConfirmWait = std::chrono::seconds(30); // for the last confirms after the end
constexpr std::uint64_t kFramesPerWrite = 32;           // at full speed, frames per socket write
constexpr auto kCloseTimeout = std::chrono::seconds(5);

// Lifetime: shared by its two coroutines (and their completions).
class WsPublisher : public std::enable_shared_from_this<WsPublisher> {
public:
    WsPublisher(asio::any_io_executor executor, RunState& run, std::size_t index)
        : run_(run), index_(index), ws_(executor, "publisher"), wake_(executor),
          template_(ws_publish(run.options)) {}

    asio::awaitable<void> write_loop();
    // After a failure: the socket goes, so that a pending read ends too.
    void abort() { ws_.abort(); }

private:
    asio::awaitable<void> read_loop();
    void on_frame(std::string_view frame);
    void on_confirm(std::uint64_t seq, bool routed, bool refused);

    RunState& run_;
    std::size_t index_;
    WsConnection ws_;
    asio::steady_timer wake_; // the writer waits on it for window room
    Template template_;
    std::string frame_;                           // the frame being made, its capacity kept
    std::deque<std::int64_t> in_flight_;          // send times of unconfirmed messages, in order
    std::uint64_t next_seq_ = 1;                  // the confirm number of the next publish
    std::uint64_t oldest_seq_ = 1;                // the confirm number of in_flight_.front()
    std::uint64_t serial_ = first_serial(index_); // the next message's number (id, group)
};

asio::awaitable<void> WsPublisher::write_loop() {
    co_await ws_.connect(run_.target);
    spawn_client(ws_.get_executor(), read_loop(), run_.metrics,
                 "publisher " + std::to_string(index_), [self = shared_from_this()](bool) {});
    ++run_.publishers_ready;
    while (!run_.go && !run_.stop_publishing) {
        wake_.expires_after(std::chrono::milliseconds(5));
        co_await wake_.async_wait(kTuple);
    }
    const PerfOptions& options = run_.options;
    const std::size_t window = options.confirm;
    Pacer pacer(ws_.get_executor(), options.rate / static_cast<double>(options.publishers),
                run_.start_ns);
    Metrics& metrics = run_.metrics;
    std::uint64_t sent = 0;
    // Frames sent back to back leave in one socket write, at most kFramesPerWrite of them (so
    // the broker sees a steady stream rather than rare bursts); paced by --rate, one per write.
    std::uint64_t queued_frames = 0;
    while (!run_.stop_publishing && !metrics.failed() &&
           (options.pmessages == 0 || sent < options.pmessages)) {
        if (window > 0 && in_flight_.size() >= window) {
            co_await ws_.flush();
            queued_frames = 0;
            wake_.expires_after(kPoll); // read_loop cancels it when a confirm makes room
            co_await wake_.async_wait(kTuple);
            continue;
        }
        if (queued_frames > 0 && (options.rate > 0 || queued_frames >= kFramesPerWrite)) {
            co_await ws_.flush();
            queued_frames = 0;
        }
        co_await pacer.wait(1);
        const std::int64_t now = now_ns();
        std::string& frame = frame_;
        frame = template_.text;
        template_.fill(frame.data(), now, serial_++);
        if (window > 0) {
            frame += ",\"confirm\":";
            frame += std::to_string(next_seq_++);
            in_flight_.push_back(now);
        }
        frame += '}';
        ws_.queue_text(frame);
        ++sent;
        ++queued_frames;
        metrics.sent.fetch_add(1, std::memory_order_relaxed);
        metrics.last_send_ns.store(now, std::memory_order_relaxed);
    }
    co_await ws_.flush();
    // The last confirms, then a clean close (the reader ends on it).
    const auto deadline = std::chrono::steady_clock::now() + kConfirmWait;
    while (!in_flight_.empty() && !metrics.failed() &&
           std::chrono::steady_clock::now() < deadline) {
        wake_.expires_after(kPoll);
        co_await wake_.async_wait(kTuple);
    }
    co_await ws_.close(kCloseTimeout);
}

asio::awaitable<void> WsPublisher::read_loop() {
    auto self = shared_from_this();
    // A named callable, not a temporary in the co_await expression (GCC 12 coroutine bugs).
    std::function<void(std::string_view)> handle = [this](std::string_view frame) {
        on_frame(frame);
    };
    co_await ws_.read_frames(std::move(handle));
}

void WsPublisher::on_frame(std::string_view frame) {
    if (auto confirm = scan_confirm(frame)) {
        on_confirm(confirm->seq, confirm->routed, false);
        return;
    }
    boost::system::error_code ec;
    json::value v = json::parse(frame, ec);
    const json::object* o = ec ? nullptr : v.if_object();
    const json::value* type = o ? o->if_contains("type") : nullptr;
    if (!type || !type->is_string()) {
        throw ConnectError("unexpected frame from the broker: " + std::string(frame));
    }
    const json::value* confirm = o->if_contains("confirm");
    const json::value* routed = o->if_contains("routed");
    if (confirm && confirm->is_uint64()) {
        const bool refused = *type == "error";
        on_confirm(confirm->as_uint64(), routed && routed->is_bool() && routed->as_bool(), refused);
    } else if (confirm && confirm->is_int64() && confirm->as_int64() > 0) {
        on_confirm(static_cast<std::uint64_t>(confirm->as_int64()),
                   routed && routed->is_bool() && routed->as_bool(), *type == "error");
    } else if (*type == "error") {
        throw ConnectError("the broker refused a publish: " + std::string(frame));
    }
}

void WsPublisher::on_confirm(std::uint64_t seq, bool routed, bool refused) {
    if (in_flight_.empty() || seq != oldest_seq_) {
        throw ConnectError("confirm " + std::to_string(seq) + " out of order (expected " +
                           std::to_string(oldest_seq_) + ")");
    }
    Metrics& metrics = run_.metrics;
    if (refused) {
        metrics.nacked.fetch_add(1, std::memory_order_relaxed);
    } else {
        metrics.confirmed.fetch_add(1, std::memory_order_relaxed);
        if (!routed) {
            metrics.unroutable.fetch_add(1, std::memory_order_relaxed);
        }
        metrics.confirm_latency.record(now_ns() - in_flight_.front());
    }
    in_flight_.pop_front();
    ++oldest_seq_;
    if (in_flight_.size() + 1 == run_.options.confirm || in_flight_.empty()) {
        wake_.cancel(); // the writer waits for room (or, at the end, for the last confirm)
    }
}

} // namespace

void start_ws_publisher(asio::any_io_executor executor, RunState& run, std::size_t index) {
    auto publisher = std::make_shared<WsPublisher>(executor, run, index);
    spawn_client(executor, publisher->write_loop(), run.metrics,
                 "publisher " + std::to_string(index), [publisher, &run](bool failed) {
                     if (failed) {
                         publisher->abort();
                     }
                     ++run.publishers_done;
                 });
}

} // namespace warren::perf
