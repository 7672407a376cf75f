#pragma once

// WsOutbox: the frames a WebSocket session has yet to write, bounded in bytes. Deliveries are
// pulled (server::DeliverySink): the session takes one only while the outbox is under its bound,
// and once the writer has drained it below the low-water mark (half the bound) the session calls
// Connection::resume() so the queues deliver again. Replies (confirms, errors, pongs) are not
// refused, but the session stops reading the socket while the outbox is over twice the bound,
// so a client that never reads cannot make the server buffer without limit.
//
// ConfirmQueue: publisher confirms in publish order. A confirm for a stored message waits for its
// commit; later confirms (even for transient messages, answered at once) wait behind it.
//
// Thread: the session's (the core) executor only. Pure data structures, no I/O.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "common/error.hpp"

namespace warren::web {

class WsOutbox {
public:
    explicit WsOutbox(std::size_t bound) : bound_(bound == 0 ? 1 : bound) {}

    void push(std::string frame);
    bool empty() const { return frames_.empty(); }
    // The frame being written stays in place (and counted) until pop(). References stay valid
    // across push() (std::deque).
    const std::string& front() const { return frames_.front(); }
    void pop();

    std::size_t bytes() const { return bytes_; }
    std::size_t size() const { return frames_.size(); }
    std::size_t bound() const { return bound_; }

    // Room for another delivery.
    bool has_room() const { return bytes_ < bound_; }
    // Deliveries were refused since the last call and the outbox is now below the low-water
    // mark: time to resume the consumers (true once per episode).
    bool take_resume();
    // Too much waiting to be written: stop reading requests until it drains.
    bool reader_should_pause() const { return bytes_ > 2 * bound_; }
    bool below_low_water() const { return bytes_ <= bound_ / 2; }

private:
    std::size_t bound_;
    std::size_t bytes_ = 0;
    bool starved_ = false; // reached the bound: deliveries stopped
    std::deque<std::string> frames_;
};

class ConfirmQueue {
public:
    // A confirm answered once its commit completes (complete(seq, ...)); returns its sequence.
    // `id`: the publish frame's id, echoed in an error frame.
    std::uint64_t push_pending(boost::json::value confirm, bool routed,
                               std::optional<Error> error = std::nullopt,
                               boost::json::value id = nullptr);
    // A confirm (or a publish's error) that is due at once, in order behind the pending ones.
    void push_ready(boost::json::value confirm, bool routed,
                    std::optional<Error> error = std::nullopt, boost::json::value id = nullptr);
    // The commit of `seq` finished: a failure turns the confirm into an error frame.
    void complete(std::uint64_t seq, const Result<void>& committed);
    // The frames now due, in publish order.
    std::vector<std::string> take_ready();

    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        std::uint64_t seq = 0;
        bool ready = false;
        boost::json::value confirm;
        bool routed = false;
        std::optional<Error> error;
        boost::json::value id;
    };
    std::uint64_t next_seq_ = 1;
    std::deque<Entry> entries_;
};

} // namespace warren::web
