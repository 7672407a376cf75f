// A stream queue's dispatch and settlement (Queue members; the log itself is StreamLog). A stream
// delivers each consumer from its own reader's position, never removes what it delivers, and
// counts acks only as credit and as progress of a named consumer's stored offset.

#include "server/queue.hpp"
#include "server/stream_log.hpp"

namespace warren::server {

// The next consumer in round-robin order with credit whose reader has something.
bool Queue::dispatch_stream_one() {
    const std::size_t n = consumers_.size();
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t index = (round_robin_ + i) % n;
        Consumer& consumer = *consumers_[index];
        if (!consumer.has_credit()) {
            continue;
        }
        if (auto entry = stream_->next_for(consumer.id)) {
            round_robin_ = (index + 1) % n;
            if (consumer.options.auto_ack) {
                stream_->acked(consumer.id, entry->seq); // delivered is settled
            } else {
                stream_->held(consumer.id);
            }
            deliver(consumer, std::move(*entry));
            return true;
        }
    }
    return false;
}

void Queue::on_stream_acked(std::uint64_t consumer_id, const std::vector<QueueEntry>& entries) {
    release(find_consumer(consumer_id), entries.size());
    for (const auto& entry : entries) {
        stream_->acked(consumer_id, entry.seq);
    }
    stats_.ack += entries.size();
    dispatch();
}

// A nack or a closed connection: no effect on the log (a named consumer's offset stays before
// what it returned, so that comes again).
void Queue::on_stream_returned(std::uint64_t consumer_id, std::size_t count) {
    release(find_consumer(consumer_id), count);
    stream_->returned(consumer_id, count);
    dispatch();
}

} // namespace warren::server
