#pragma once

// WsOutbox: the bytes a WebSocket session has yet to write, whole frames (header and payload)
// end to end in one buffer, bounded in bytes. Frames are appended as they are made; the writer
// takes everything waiting at once and writes it with one socket write, so a burst of deliveries
// and confirms costs one system call. What the writer took stays counted until written().
//
// Deliveries are pulled (server::DeliverySink): the session takes one only while the outbox is
// under its bound, and once the writer has brought it below the low-water mark (half the bound)
// the session calls Connection::resume() so the queues deliver again. Replies (confirms, errors,
// pongs) are not refused, but the session stops reading the socket while the outbox is over
// twice the bound, so a client that never reads cannot make the server buffer without limit.
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
#include <string_view>

#include <boost/json/value.hpp>

#include "common/error.hpp"
#include "common/ws_frame.hpp"

namespace warren::web {

class WsOutbox {
public:
    explicit WsOutbox(std::size_t bound) : bound_(bound == 0 ? 1 : bound) {}

    // One final text frame with `payload`.
    void push_text(std::string_view payload);
    // A control frame (ping, pong, close); at most 125 bytes of payload.
    void push_control(ws_frame::Opcode op, std::string_view payload = {});
    // A buffer to render a frame's payload into before push_text(scratch()): cleared here, its
    // capacity kept, so a frame per message allocates nothing.
    std::string& scratch() {
        scratch_.clear();
        return scratch_;
    }

    // Nothing waits for a write (one may be in flight).
    bool empty() const { return pending_.empty(); }
    // Nothing waits and nothing is being written.
    bool idle() const { return pending_.empty() && writing_.empty(); }
    // Everything waiting, for one socket write; valid (and counted) until written().
    std::string_view take();
    void written();

    std::size_t bytes() const { return pending_.size() + writing_.size(); }
    std::size_t bound() const { return bound_; }

    // Room for another delivery.
    bool has_room() const { return bytes() < bound_; }
    // Deliveries were refused since the last call and the outbox is now below the low-water
    // mark: time to resume the consumers (true once per episode).
    bool take_resume();
    // Too much waiting to be written: stop reading requests until it drains.
    bool reader_should_pause() const { return bytes() > 2 * bound_; }
    bool below_low_water() const { return bytes() <= bound_ / 2; }

private:
    void appended();

    std::size_t bound_;
    bool starved_ = false; // reached the bound: deliveries stopped
    std::string pending_;  // frames not yet handed to the socket
    std::string writing_;  // the frames in the socket write now
    std::string scratch_;
};

class ConfirmQueue {
public:
    // A confirm answered once its commit completes (complete_through); returns its sequence.
    // `id`: the publish frame's id, echoed in an error frame.
    // duplicate: a deduplicated publish, confirmed with "duplicate":true.
    std::uint64_t push_pending(boost::json::value confirm, bool routed,
                               std::optional<Error> error = std::nullopt,
                               boost::json::value id = nullptr, bool duplicate = false);
    // A confirm (or a publish's error) that is due at once, in order behind the pending ones.
    void push_ready(boost::json::value confirm, bool routed,
                    std::optional<Error> error = std::nullopt, boost::json::value id = nullptr,
                    bool duplicate = false);
    // The commit covering every confirm up to `seq` finished (commits finish in order, so one
    // flush after a burst of publishes answers them all); a failure turns those confirms into
    // error frames.
    void complete_through(std::uint64_t seq, const Result<void>& committed);
    // The frames now due, in publish order, appended to `out`; how many.
    std::size_t take_ready(WsOutbox& out);

    std::size_t size() const { return entries_.size(); }

private:
    struct Entry {
        std::uint64_t seq = 0;
        bool ready = false;
        boost::json::value confirm;
        bool routed = false;
        bool duplicate = false;
        std::optional<Error> error;
        boost::json::value id;
    };
    std::uint64_t next_seq_ = 1;
    std::deque<Entry> entries_;
};

} // namespace warren::web
