#include "web/write_coalescer.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace warren::web {

namespace asio = boost::asio;
using boost::system::error_code;

WriteCoalescer::WriteCoalescer(Transport transport, std::size_t limit)
    : state_(std::make_shared<State>(std::move(transport), limit == 0 ? 1 : limit)) {}

WriteCoalescer::~WriteCoalescer() {
    if (state_) {
        // A socket write to a peer that never reads would keep the State (and the socket) alive
        // for ever: closing the socket ends it.
        state_->transport.close();
    }
}

void WriteCoalescer::accept(Handler handler, std::size_t bytes) {
    auto& s = *state_;
    if (s.error) {
        s.pending.clear();
        complete(state_, std::move(handler), s.error, 0);
        return;
    }
    if (s.pending.size() >= s.limit && s.write_in_flight) {
        // Full: the caller waits until the socket write in flight finishes and takes these bytes.
        s.held.emplace(std::move(handler));
        s.held_bytes = bytes;
        return;
    }
    complete(state_, std::move(handler), {}, bytes);
    schedule(state_);
}

void WriteCoalescer::uncork() {
    if (state_->corked > 0 && --state_->corked == 0) {
        schedule(state_);
    }
}

void WriteCoalescer::drain(DrainHandler handler) {
    auto& s = *state_;
    if (s.error || (!s.write_in_flight && s.pending.empty())) {
        post_drained(state_, std::move(handler));
        return;
    }
    s.drained.emplace(std::move(handler));
    s.draining = true;
    schedule(state_);
}

void WriteCoalescer::schedule(const std::shared_ptr<State>& state) {
    auto& s = *state;
    if (s.write_in_flight || s.flush_posted || s.pending.empty()) {
        return;
    }
    if (s.pending.size() >= s.limit || s.draining) {
        start_write(state);
        return;
    }
    if (s.corked > 0) {
        return;
    }
    // Not at once: the writes that complete in this turn of the event loop (a confirm for each
    // publish in the frames just read, a pong) join this socket write.
    s.flush_posted = true;
    asio::post(s.transport.get_executor(), [state] {
        state->flush_posted = false;
        if (!state->write_in_flight && !state->pending.empty() &&
            (state->corked == 0 || state->draining || state->pending.size() >= state->limit)) {
            start_write(state);
        }
    });
}

void WriteCoalescer::start_write(const std::shared_ptr<State>& state) {
    auto& s = *state;
    s.write_in_flight = true;
    s.writing.clear();
    s.writing.swap(s.pending);
    if (s.held) {
        // Its bytes are in the socket write now: room for the next.
        Handler held = std::move(*s.held);
        s.held.reset();
        complete(state, std::move(held), {}, s.held_bytes);
    }
    asio::async_write(s.transport, asio::buffer(s.writing),
                      [state](error_code ec, std::size_t) { on_written(state, ec); });
}

void WriteCoalescer::on_written(const std::shared_ptr<State>& state, error_code ec) {
    auto& s = *state;
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
    } else if (!s.pending.empty()) {
        schedule(state);
        if (s.write_in_flight) {
            return; // the drain waits for this write too
        }
    }
    if (s.drained && (s.error || (!s.write_in_flight && s.pending.empty()))) {
        auto handler = std::move(*s.drained);
        s.drained.reset();
        s.draining = false;
        post_drained(state, std::move(handler));
    }
}

// Completions go through the connection's executor, which is the one every handler given to
// this layer runs on (the session's), never inline in the initiating call.
void WriteCoalescer::complete(const std::shared_ptr<State>& state, Handler handler, error_code ec,
                              std::size_t bytes) {
    asio::post(
        state->transport.get_executor(),
        [handler = std::move(handler), ec, bytes]() mutable { std::move(handler)(ec, bytes); });
}

void WriteCoalescer::post_drained(const std::shared_ptr<State>& state, DrainHandler handler) {
    asio::post(
        state->transport.get_executor(),
        [handler = std::move(handler), ec = state->error]() mutable { std::move(handler)(ec); });
}

void teardown(boost::beast::role_type role, WriteCoalescer& stream, error_code& ec) {
    teardown(role, stream.next_layer(), ec);
}

} // namespace warren::web
