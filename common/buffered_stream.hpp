#pragma once

// BufferedStream<NextLayer>: a stream layer under Beast's WebSocket stream that makes a busy
// socket cost few system calls. Beast writes one frame per call and reads through a 1.5 KiB
// buffer, so a WebSocket carrying a delivery, a confirm or an ack per message paid a sendmsg per
// frame and a recvmsg per few frames: together most of the broker's core thread in the
// end-to-end profile.
//
// Reads: each socket read takes what the socket has, up to 64 KiB (the buffer starts at 4 KiB and
// doubles while reads fill it, so an idle connection keeps little); Beast's small reads are
// served from it.
//
// Writes: a write is copied into `pending` and completes at once (posted, never inline). The
// bytes go to the socket in one write when
//   - nobody holds the layer corked (a writer corks it while it has more frames to hand over, so
//     they go out together), or
//   - `pending` has reached the limit (a large burst still streams out while corked).
// Only one socket write is in flight; what arrives meanwhile waits in `pending` for the next.
//
// Bounded memory: once `pending` reaches the limit while a socket write is in flight, the
// caller's write does not complete until that write finishes and takes `pending` over. Beast has
// at most one write outstanding, so `pending` never holds more than the limit plus one frame,
// and a peer that stops reading stops the writer.
//
// Frames stay whole and in order: everything Beast writes (data, ping, pong, close) comes through
// here in Beast's order. The first socket error is kept and every later write fails with it.
// Beast tears the connection down through async_teardown below, which first drains `pending`
// (a close frame must reach the peer before the TCP shutdown).
//
// Lifetime: the buffers, the next layer and the flags live in a shared State that each pending
// socket operation and posted flush keep alive; destroying the layer closes the next layer,
// which ends a write the peer never reads. Thread: the connection's executor; every completion
// is posted to it (the handlers given to this layer run there).

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <boost/system/error_code.hpp>

namespace warren {

template <class NextLayer> class BufferedStream {
public:
    using executor_type = typename NextLayer::executor_type;
    using next_layer_type = NextLayer;
    using Handler =
        boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;
    using DrainHandler = boost::asio::any_completion_handler<void(boost::system::error_code)>;

    static constexpr std::size_t kDefaultWriteLimit = 64 * 1024;
    static constexpr std::size_t kFirstReadChunk = 4 * 1024;
    static constexpr std::size_t kMaxReadChunk = 64 * 1024;

    // Constructs the next layer from `args`.
    template <class... Args>
    explicit BufferedStream(Args&&... args)
        : state_(std::make_shared<State>(std::forward<Args>(args)...)) {}
    ~BufferedStream() {
        if (state_) {
            // A socket write to a peer that never reads would keep the State (and the socket)
            // alive for ever: closing the socket ends it.
            state_->next.close();
        }
    }
    BufferedStream(BufferedStream&&) noexcept = default;
    BufferedStream& operator=(BufferedStream&&) = delete;

    executor_type get_executor() { return state_->next.get_executor(); }
    NextLayer& next_layer() { return state_->next; }

    void set_write_limit(std::size_t bytes) { state_->limit = bytes == 0 ? 1 : bytes; }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const MutableBuffers& into) {
                State& s = *state_;
                if (s.read_begin < s.read_end) {
                    const std::size_t n = boost::asio::buffer_copy(
                        into, boost::asio::buffer(s.read.data() + s.read_begin,
                                                  s.read_end - s.read_begin));
                    s.read_begin += n;
                    complete(state_, Handler(std::move(handler)), {}, n);
                    return;
                }
                if (s.read.empty()) {
                    s.read.resize(kFirstReadChunk);
                } else if (s.read_end == s.read.size() && s.read.size() < kMaxReadChunk) {
                    s.read.resize(2 * s.read.size()); // the last read filled it: more is coming
                }
                auto executor = s.next.get_executor();
                s.next.async_read_some(
                    boost::asio::buffer(s.read),
                    boost::asio::bind_executor(
                        executor, [state = state_, into, handler = std::move(handler)](
                                      boost::system::error_code ec, std::size_t got) mutable {
                            std::size_t n = 0;
                            state->read_begin = 0;
                            state->read_end = got;
                            if (got > 0) {
                                n = boost::asio::buffer_copy(
                                    into, boost::asio::buffer(state->read.data(), got));
                                state->read_begin = n;
                            }
                            std::move(handler)(n > 0 ? boost::system::error_code() : ec, n);
                        }));
            },
            token, buffers);
    }

    template <class ConstBuffers, class Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const ConstBuffers& data) {
                const std::size_t before = state_->pending.size();
                for (auto it = boost::asio::buffer_sequence_begin(data);
                     it != boost::asio::buffer_sequence_end(data); ++it) {
                    const boost::asio::const_buffer b(*it);
                    state_->pending.append(static_cast<const char*>(b.data()), b.size());
                }
                accept(Handler(std::move(handler)), state_->pending.size() - before);
            },
            token, buffers);
    }

    // While corked, small writes wait in `pending`; uncork() hands them to the socket at once.
    // Calls nest.
    void cork() { ++state_->corked; }
    void uncork() {
        if (state_->corked > 0 && --state_->corked == 0 && may_write(*state_)) {
            start_write(state_);
        }
    }

    // Completes once everything accepted so far is written (or writing failed), cork or not.
    template <class Token> auto async_drain(Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
            [this](auto handler) { drain(DrainHandler(std::move(handler))); }, token);
    }

    // Bytes accepted and not yet handed to the socket (tests, stats).
    std::size_t pending_bytes() const { return state_->pending.size(); }

private:
    struct State {
        template <class... Args>
        explicit State(Args&&... args) : next(std::forward<Args>(args)...) {}
        NextLayer next;
        std::size_t limit = kDefaultWriteLimit;
        std::string read; // read ahead: [read_begin, read_end) not yet given to the reader
        std::size_t read_begin = 0;
        std::size_t read_end = 0;
        std::string pending; // accepted, waiting for the next socket write
        std::string writing; // in the socket write now
        bool write_in_flight = false;
        bool flush_posted = false;
        int corked = 0;
        boost::system::error_code error; // the first socket error, for every later write
        std::optional<Handler> held;     // a write past the limit, completed when room comes
        std::size_t held_bytes = 0;
        std::optional<DrainHandler> drained;
    };

    void accept(Handler handler, std::size_t bytes) {
        State& s = *state_;
        if (s.error) {
            s.pending.clear();
            complete(state_, std::move(handler), s.error, 0);
            return;
        }
        if (s.pending.size() >= s.limit && s.write_in_flight) {
            // Full: the caller waits until the socket write in flight finishes and takes these
            // bytes.
            s.held.emplace(std::move(handler));
            s.held_bytes = bytes;
            return;
        }
        complete(state_, std::move(handler), {}, bytes);
        schedule(state_);
    }

    void drain(DrainHandler handler) {
        State& s = *state_;
        if (s.error || (!s.write_in_flight && s.pending.empty())) {
            post_drained(state_, std::move(handler));
            return;
        }
        s.drained.emplace(std::move(handler));
        schedule(state_);
    }

    // Whether `pending` may go to the socket now.
    static bool may_write(const State& s) {
        return !s.write_in_flight && !s.pending.empty() &&
               (s.corked == 0 || s.drained || s.pending.size() >= s.limit);
    }

    static void schedule(const std::shared_ptr<State>& state) {
        State& s = *state;
        if (!may_write(s) || s.flush_posted) {
            return;
        }
        if (s.corked > 0 || s.pending.size() >= s.limit) {
            start_write(state); // full, or a drain asked for it
            return;
        }
        // Not at once: the writes that complete in this turn of the event loop (a confirm for
        // each publish in the frames just read, a pong) join this socket write.
        s.flush_posted = true;
        boost::asio::post(s.next.get_executor(), [state] {
            state->flush_posted = false;
            if (may_write(*state)) {
                start_write(state);
            }
        });
    }

    static void start_write(const std::shared_ptr<State>& state) {
        State& s = *state;
        s.write_in_flight = true;
        s.writing.clear();
        s.writing.swap(s.pending);
        if (s.held) {
            // Its bytes are in the socket write now: room for the next.
            Handler held = std::move(*s.held);
            s.held.reset();
            complete(state, std::move(held), {}, s.held_bytes);
        }
        boost::asio::async_write(
            s.next, boost::asio::buffer(s.writing),
            boost::asio::bind_executor(
                s.next.get_executor(),
                [state](boost::system::error_code ec, std::size_t) { on_written(state, ec); }));
    }

    static void on_written(const std::shared_ptr<State>& state, boost::system::error_code ec) {
        State& s = *state;
        s.write_in_flight = false;
        // A burst may have grown the buffers; an idle connection keeps no more than the limit.
        if (s.writing.capacity() > 2 * s.limit) {
            std::string().swap(s.writing);
        }
        if (ec && !s.error) {
            s.error = ec;
        }
        if (s.error) {
            s.pending.clear();
            if (s.held) {
                Handler held = std::move(*s.held);
                s.held.reset();
                complete(state, std::move(held), s.error, 0);
            }
        } else {
            schedule(state);
        }
        if (s.drained && (s.error || (!s.write_in_flight && s.pending.empty()))) {
            DrainHandler handler = std::move(*s.drained);
            s.drained.reset();
            post_drained(state, std::move(handler));
        }
    }

    static void complete(const std::shared_ptr<State>& state, Handler handler,
                         boost::system::error_code ec, std::size_t bytes) {
        boost::asio::post(
            state->next.get_executor(),
            [handler = std::move(handler), ec, bytes]() mutable { std::move(handler)(ec, bytes); });
    }

    static void post_drained(const std::shared_ptr<State>& state, DrainHandler handler) {
        boost::asio::post(state->next.get_executor(),
                          [handler = std::move(handler), ec = state->error]() mutable {
                              std::move(handler)(ec);
                          });
    }

    std::shared_ptr<State> state_;
};

// Beast closes the connection through these (found by ADL): pending bytes first, then the next
// layer's own teardown.
template <class NextLayer>
void teardown(boost::beast::role_type role, BufferedStream<NextLayer>& stream,
              boost::system::error_code& ec) {
    using boost::beast::websocket::teardown;
    teardown(role, stream.next_layer(), ec);
}

template <class NextLayer, class TeardownHandler>
void async_teardown(boost::beast::role_type role, BufferedStream<NextLayer>& stream,
                    TeardownHandler&& handler) {
    stream.async_drain([&stream, role, handler = std::forward<TeardownHandler>(handler)](
                           boost::system::error_code) mutable {
        using boost::beast::websocket::async_teardown;
        async_teardown(role, stream.next_layer(), std::move(handler));
    });
}

} // namespace warren
