#include "web/ws_outbox.hpp"

#include "web/ws_protocol.hpp"

namespace warren::web {

void WsOutbox::push(std::string frame) {
    bytes_ += frame.size();
    frames_.push_back(std::move(frame));
    if (bytes_ >= bound_) {
        starved_ = true;
    }
}

void WsOutbox::pop() {
    bytes_ -= frames_.front().size();
    frames_.pop_front();
}

bool WsOutbox::take_resume() {
    if (starved_ && below_low_water()) {
        starved_ = false;
        return true;
    }
    return false;
}

std::uint64_t ConfirmQueue::push_pending(boost::json::value confirm, bool routed,
                                         std::optional<Error> error, boost::json::value id) {
    const std::uint64_t seq = next_seq_++;
    entries_.push_back(
        Entry{seq, false, std::move(confirm), routed, std::move(error), std::move(id)});
    return seq;
}

void ConfirmQueue::push_ready(boost::json::value confirm, bool routed, std::optional<Error> error,
                              boost::json::value id) {
    entries_.push_back(
        Entry{next_seq_++, true, std::move(confirm), routed, std::move(error), std::move(id)});
}

void ConfirmQueue::complete(std::uint64_t seq, const Result<void>& committed) {
    if (entries_.empty() || seq < entries_.front().seq) {
        return;
    }
    // Sequences are consecutive, so the entry's place is its distance from the front.
    const auto index = static_cast<std::size_t>(seq - entries_.front().seq);
    if (index >= entries_.size()) {
        return;
    }
    Entry& entry = entries_[index];
    entry.ready = true;
    if (!committed && !entry.error) {
        entry.error = committed.error();
    }
}

std::vector<std::string> ConfirmQueue::take_ready() {
    std::vector<std::string> out;
    while (!entries_.empty() && entries_.front().ready) {
        Entry& e = entries_.front();
        out.push_back(e.error ? ws::render_error(*e.error, e.id, e.confirm)
                              : ws::render_confirm(e.confirm, e.routed));
        entries_.pop_front();
    }
    return out;
}

} // namespace warren::web
