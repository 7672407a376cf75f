#include "web/ws_outbox.hpp"

#include "web/ws_protocol.hpp"

namespace warren::web {

void WsOutbox::push_text(std::string_view payload) {
    ws_frame::append_header(pending_, ws_frame::Opcode::text, payload.size());
    pending_.append(payload);
    appended();
}

void WsOutbox::push_control(ws_frame::Opcode op, std::string_view payload) {
    ws_frame::append_frame(pending_, op, payload.substr(0, ws_frame::kMaxControlPayload));
    appended();
}

void WsOutbox::appended() {
    if (bytes() >= bound_) {
        starved_ = true;
    }
}

std::string_view WsOutbox::take() {
    // The buffers trade places, so both keep their capacity from one burst to the next.
    writing_.swap(pending_);
    pending_.clear();
    return writing_;
}

void WsOutbox::written() {
    writing_.clear();
    // A burst may have grown the buffer; an idle connection keeps no more than the bound.
    if (writing_.capacity() > 2 * bound_) {
        std::string().swap(writing_);
    }
}

bool WsOutbox::take_resume() {
    if (starved_ && below_low_water()) {
        starved_ = false;
        return true;
    }
    return false;
}

std::uint64_t ConfirmQueue::push_pending(boost::json::value confirm, bool routed,
                                         std::optional<Error> error, boost::json::value id,
                                         bool duplicate) {
    const std::uint64_t seq = next_seq_++;
    entries_.push_back(
        Entry{seq, false, std::move(confirm), routed, duplicate, std::move(error), std::move(id)});
    return seq;
}

void ConfirmQueue::push_ready(boost::json::value confirm, bool routed, std::optional<Error> error,
                              boost::json::value id, bool duplicate) {
    entries_.push_back(Entry{next_seq_++, true, std::move(confirm), routed, duplicate,
                             std::move(error), std::move(id)});
}

void ConfirmQueue::complete_through(std::uint64_t seq, const Result<void>& committed) {
    for (Entry& entry : entries_) {
        if (entry.seq > seq) {
            break;
        }
        if (entry.ready) {
            continue;
        }
        entry.ready = true;
        if (!committed && !entry.error) {
            entry.error = committed.error();
        }
    }
}

std::size_t ConfirmQueue::take_ready(WsOutbox& out) {
    std::size_t n = 0;
    while (!entries_.empty() && entries_.front().ready) {
        Entry& e = entries_.front();
        if (e.error) {
            out.push_text(ws::render_error(*e.error, e.id, e.confirm));
        } else {
            std::string& frame = out.scratch();
            ws::append_confirm(frame, e.confirm, e.routed, e.duplicate);
            out.push_text(frame);
        }
        entries_.pop_front();
        ++n;
    }
    return n;
}

} // namespace warren::web
