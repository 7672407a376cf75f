#pragma once

// WriteCoalescer: a stream layer between Beast's WebSocket stream and the Transport that gathers
// many small writes into one socket write. Beast writes one frame per call and waits for it; a
// busy WebSocket (a delivery and a confirm per message) would cost one sendmsg per frame, which
// was 43 % of the core thread in the end-to-end profile. Here a write is copied into `pending`
// and completes at once (posted, never inline); the bytes go to the socket in one write when
//   - nobody holds the layer corked (the session's writer corks it while it drains its outbox,
//     so everything drained goes out together), or
//   - `pending` has reached the limit (a large burst still streams out while corked).
// Only one socket write is in flight; what arrives meanwhile waits in `pending` for the next.
//
// Bounded memory: once `pending` reaches the limit while a socket write is in flight, the
// caller's write does not complete until that write finishes and takes `pending` over. Beast has
// at most one write outstanding, so `pending` never holds more than the limit plus one frame,
// and a client that stops reading stops the writer, as before.
//
// Frames stay whole and in order: everything Beast writes (data, ping, pong, close) comes through
// here in Beast's order. The first socket error is kept and every later write fails with it.
// Beast tears the connection down through async_teardown below, which first drains `pending`
// (a close frame must reach the peer before the TCP shutdown).
//
// Lifetime: the buffers, the Transport and the flags live in a shared State that each pending
// socket write and posted flush keep alive; destroying the layer closes the socket, which ends a
// write the peer never reads. Thread: the connection's executor, like the Transport.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/system/error_code.hpp>

#include "web/transport.hpp"

namespace warren::web {

class WriteCoalescer {
public:
    using executor_type = Transport::executor_type;
    using next_layer_type = Transport;
    using Handler =
        boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;
    using DrainHandler = boost::asio::any_completion_handler<void(boost::system::error_code)>;

    static constexpr std::size_t kDefaultLimit = 64 * 1024;

    explicit WriteCoalescer(Transport transport, std::size_t limit = kDefaultLimit);
    ~WriteCoalescer();
    WriteCoalescer(WriteCoalescer&&) noexcept = default;
    WriteCoalescer& operator=(WriteCoalescer&&) = delete;

    executor_type get_executor() { return state_->transport.get_executor(); }
    Transport& next_layer() { return state_->transport; }

    template <class MutableBuffers, class Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return state_->transport.async_read_some(buffers, std::forward<Token>(token));
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

    // While corked, small writes wait in `pending` for uncork(). Calls nest.
    void cork() { ++state_->corked; }
    void uncork();

    // Completes once everything accepted so far is written (or writing failed), cork or not.
    template <class Token> auto async_drain(Token&& token) {
        return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
            [this](auto handler) { drain(DrainHandler(std::move(handler))); }, token);
    }

    // Bytes accepted and not yet handed to the socket (tests, stats).
    std::size_t pending_bytes() const { return state_->pending.size(); }

private:
    struct State {
        State(Transport t, std::size_t l) : transport(std::move(t)), limit(l) {}
        Transport transport;
        std::size_t limit;
        std::string pending; // accepted, waiting for the next socket write
        std::string writing; // in the socket write now
        bool write_in_flight = false;
        bool flush_posted = false;
        int corked = 0;
        boost::system::error_code error; // the first socket error, for every later write
        std::optional<Handler> held;     // a write past the limit, completed when room comes
        std::size_t held_bytes = 0;
        std::optional<boost::asio::any_completion_handler<void(boost::system::error_code)>> drained;
        bool draining = false;
    };

    void accept(Handler handler, std::size_t bytes);
    void drain(DrainHandler handler);
    static void schedule(const std::shared_ptr<State>& state);
    static void start_write(const std::shared_ptr<State>& state);
    static void on_written(const std::shared_ptr<State>& state, boost::system::error_code ec);
    static void complete(const std::shared_ptr<State>& state, Handler handler,
                         boost::system::error_code ec, std::size_t bytes);
    static void post_drained(const std::shared_ptr<State>& state, DrainHandler handler);

    std::shared_ptr<State> state_;
};

// Beast closes the connection through these (found by ADL): pending bytes first, then the
// Transport's own teardown.
void teardown(boost::beast::role_type role, WriteCoalescer& stream, boost::system::error_code& ec);

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, WriteCoalescer& stream,
                    TeardownHandler&& handler) {
    stream.async_drain([&stream, role, handler = std::forward<TeardownHandler>(handler)](
                           boost::system::error_code) mutable {
        async_teardown(role, stream.next_layer(), std::move(handler));
    });
}

} // namespace warren::web
