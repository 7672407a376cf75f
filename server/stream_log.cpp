#include "server/stream_log.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "server/core.hpp"
#include "server/message_decoder.hpp"
#include "server/queue.hpp"
#include "server/vhost.hpp"

namespace warren::server {
namespace {

// A stored entry back as a QueueEntry (what a reader delivers: message_id 0, nothing to settle
// in the store).
std::optional<QueueEntry> entry_from(MessageDecoder& decoder, storage::StoredEntry stored) {
    auto message = decoder.decode(std::move(stored.message));
    if (!message) {
        return std::nullopt;
    }
    QueueEntry entry{std::move(*message), stored.entry.seq, 0, kNever, 0};
    entry.timestamp = stored.entry.timestamp;
    return entry;
}

} // namespace

StreamLog::StreamLog(Queue& queue, StreamArguments arguments)
    : queue_(queue), arguments_(arguments) {}

StreamLog::~StreamLog() {
    count_cache(-static_cast<std::int64_t>(cache_bytes_));
}

// The cache counts toward the broker's memory budget (--memory-budget) like a queue's ready
// messages do.
void StreamLog::count_cache(std::int64_t delta) {
    cache_bytes_ = static_cast<std::uint64_t>(static_cast<std::int64_t>(cache_bytes_) + delta);
    queue_.vhost().core().account_memory(delta);
}

bool StreamLog::stored() const {
    return queue_.persists();
}

std::uint64_t StreamLog::next_offset() const {
    return queue_.next_seq() - 1;
}

void StreamLog::append(QueueEntry entry) {
    const std::uint64_t size = entry.bytes();
    if (segments_.empty() || segments_.back().bytes + size > arguments_.segment_bytes) {
        segments_.push_back(
            {queue_.id(), entry.seq, entry.seq, entry.timestamp, entry.timestamp, 0, 0});
    }
    auto& segment = segments_.back();
    segment.last_seq = entry.seq;
    segment.last_timestamp = entry.timestamp;
    ++segment.messages;
    segment.bytes += size;
    if (messages_ == 0) {
        first_seq_ = entry.seq;
    }
    ++messages_;
    bytes_ += size;
    if (entry.message_id != 0) {
        queue_.vhost().core().journal().batch().entries.push_back(
            {queue_.id(), entry.seq, entry.message_id, INT64_MAX, 0,
             static_cast<std::uint32_t>(size), entry.timestamp});
        journal_segment(segment);
    }
    entry.message_id = 0; // what the cache hands out is never settled in the store
    count_cache(static_cast<std::int64_t>(size));
    cache_.push_back(std::move(entry));
    trim_cache();
}

void StreamLog::trim_cache() {
    if (!stored()) {
        return; // nothing to read back from: the cache is the log (retention trims it)
    }
    // Past the memory budget the tail shrinks to a sliver: readers at the tail then read pages
    // from the store like any reader behind, and memory goes to what cannot be read back.
    const bool pressed = queue_.vhost().core().over_memory_budget();
    const std::size_t max_entries = pressed ? kPressedCacheEntries : kCacheEntries;
    const std::uint64_t max_bytes = pressed ? kPressedCacheBytes : kCacheBytes;
    while (cache_.size() > max_entries || (cache_bytes_ > max_bytes && cache_.size() > 1)) {
        count_cache(-static_cast<std::int64_t>(cache_.front().bytes()));
        cache_.pop_front();
    }
}

void StreamLog::journal_segment(const storage::StreamSegmentRecord& segment) {
    auto& puts = queue_.vhost().core().journal().batch().put_segments;
    // One row per segment per batch: a later put of the same segment replaces it anyway.
    if (!puts.empty() && puts.back().queue_id == segment.queue_id &&
        puts.back().first_seq == segment.first_seq) {
        puts.back() = segment;
        return;
    }
    puts.push_back(segment);
}

void StreamLog::journal_offset(const std::string& name, std::uint64_t offset) {
    if (!stored()) {
        return;
    }
    auto& puts = queue_.vhost().core().journal().batch().put_stream_offsets;
    for (auto& put : puts) {
        if (put.queue_id == queue_.id() && put.consumer == name) {
            put.offset = offset;
            return;
        }
    }
    puts.push_back({queue_.id(), name, offset});
}

void StreamLog::restore(std::vector<storage::StreamSegmentRecord> segments,
                        std::uint64_t next_seq) {
    segments_.assign(segments.begin(), segments.end());
    messages_ = 0;
    bytes_ = 0;
    for (const auto& s : segments_) {
        messages_ += s.messages;
        bytes_ += s.bytes;
    }
    first_seq_ = segments_.empty() ? next_seq : segments_.front().first_seq;
}

void StreamLog::restore_offset(std::string name, std::uint64_t offset) {
    offsets_.restore(std::move(name), offset);
}

std::uint64_t StreamLog::seq_for(const StreamStart& start) const {
    const std::uint64_t next = queue_.next_seq();
    switch (start.kind) {
    case StreamStart::Kind::first:
        return first_seq_;
    case StreamStart::Kind::last:
        return messages_ == 0 ? next : next - 1;
    case StreamStart::Kind::next:
        return next;
    case StreamStart::Kind::offset:
        return std::clamp<std::uint64_t>(start.value + 1, first_seq_, next);
    case StreamStart::Kind::timestamp: {
        // The first segment that ends at or after the time; the reader skips what is older.
        const auto t = static_cast<Millis>(start.value);
        for (const auto& s : segments_) {
            if (s.last_timestamp >= t) {
                return std::max(s.first_seq, first_seq_);
            }
        }
        return next;
    }
    }
    return next;
}

StreamLog::Reader* StreamLog::find(std::uint64_t consumer_id) {
    for (auto& r : readers_) {
        if (r.consumer_id == consumer_id) {
            return &r;
        }
    }
    return nullptr;
}

Result<void> StreamLog::add_reader(std::uint64_t consumer_id, const ConsumeOptions& options) {
    Reader reader;
    reader.consumer_id = consumer_id;
    reader.name = options.stream_consumer;
    reader.start = options.stream_start;
    reader.start_if_new = options.stream_start_if_new;
    if (!reader.name.empty()) {
        // One active reader per name: a second one waits.
        reader.active = may_activate(reader.name);
        offsets_.add(reader.name);
    }
    readers_.push_back(std::move(reader));
    if (readers_.back().active) {
        position(readers_.back());
    }
    return {};
}

// Where an active reader starts: its explicit start, else after its name's stored offset, else
// at the next message.
void StreamLog::position(Reader& reader) {
    ++reader.generation;
    reader.buffer.clear();
    reader.reading = false;
    reader.skip_before = 0;
    reader.positioned = true;
    const auto stored = reader.name.empty() ? std::nullopt : offsets_.stored(reader.name);
    if (reader.start && !(reader.start_if_new && stored)) {
        reader.next_seq = seq_for(*reader.start);
        if (reader.start->kind == StreamStart::Kind::timestamp) {
            reader.skip_before = static_cast<Millis>(reader.start->value);
        }
    } else if (stored) {
        reader.next_seq = std::max(*stored + 2, first_seq_);
    } else {
        reader.next_seq = queue_.next_seq();
    }
    // Everything before where a name starts counts as done: its stored offset moves only
    // through what it acks from here.
    if (!reader.name.empty() && offsets_.start_at(reader.name, reader.next_seq - 1)) {
        journal_offset(reader.name, *offsets_.stored(reader.name));
    }
}

void StreamLog::remove_reader(std::uint64_t consumer_id) {
    auto it = std::find_if(readers_.begin(), readers_.end(),
                           [&](const Reader& r) { return r.consumer_id == consumer_id; });
    if (it == readers_.end()) {
        return;
    }
    const bool was_active = it->active;
    const std::string name = it->name;
    if (!name.empty() && it->held > 0) {
        departed_[consumer_id] = Departed{name, it->held};
    }
    readers_.erase(it);
    if (was_active && !name.empty()) {
        activate_standby(name);
    }
}

// A name has one active reader, and none while a reader of it that left still holds
// deliveries: they may yet be acked, and a successor starting before they are settled would get
// them again (a group's partition moves only after its in-flight messages are settled).
bool StreamLog::may_activate(const std::string& name) const {
    const bool active = std::any_of(readers_.begin(), readers_.end(),
                                    [&](const Reader& r) { return r.active && r.name == name; });
    const bool holding = std::any_of(departed_.begin(), departed_.end(),
                                     [&](const auto& d) { return d.second.name == name; });
    return !active && !holding;
}

// The first standby of the name takes over where the name stopped (after its stored offset: what
// the leaver returned unacked comes again), once may_activate allows.
void StreamLog::activate_standby(const std::string& name) {
    if (!may_activate(name)) {
        return;
    }
    for (auto& r : readers_) {
        if (r.name == name) {
            r.active = true;
            if (!r.start_if_new) {
                r.start.reset(); // a standby goes on where the name stopped
            }
            position(r);
            return;
        }
    }
}

std::optional<QueueEntry> StreamLog::next_for(std::uint64_t consumer_id) {
    Reader* reader = find(consumer_id);
    if (reader == nullptr || !reader->active) {
        return std::nullopt;
    }
    while (true) {
        if (reader->next_seq < first_seq_) {
            // Retention passed it (it was not reading the segment then): on from the oldest.
            reader->next_seq = first_seq_;
            reader->buffer.clear();
            ++reader->generation;
            reader->reading = false;
        }
        if (reader->next_seq >= queue_.next_seq()) {
            return std::nullopt; // at the tail: new appends wake the queue
        }
        std::optional<QueueEntry> entry;
        const std::uint64_t cache_first = cache_.empty() ? queue_.next_seq() : cache_.front().seq;
        if (reader->next_seq >= cache_first) {
            entry = cache_[reader->next_seq - cache_first];
        } else if (!reader->buffer.empty()) {
            entry = std::move(reader->buffer.front());
            reader->buffer.pop_front();
        } else {
            read_for(*reader);
            return std::nullopt;
        }
        reader->next_seq = entry->seq + 1;
        if (reader->buffer.size() < 2 * kReadBatch && reader->read_from() < cache_first) {
            // Read ahead a page: the pager reads the next while the core delivers this one.
            read_for(*reader);
        }
        if (entry->timestamp < reader->skip_before) {
            continue;
        }
        reader->skip_before = 0; // appends only move forward in time
        return entry;
    }
}

void StreamLog::read_for(Reader& reader) {
    if (reader.reading) {
        return;
    }
    Journal& journal = queue_.vhost().core().journal();
    storage::Store* store = journal.store();
    if (store == nullptr) {
        return;
    }
    reader.reading = true;
    std::weak_ptr<Queue> weak = queue_.weak_from_this();
    const std::uint64_t consumer_id = reader.consumer_id;
    const std::uint64_t generation = reader.generation;
    const std::uint64_t from = reader.read_from();
    // Commit first: what the reader wants may still be in the journal's pending batch.
    journal.flush([weak, consumer_id, generation, from, store](Result<void> committed) {
        auto queue = weak.lock();
        if (!queue || queue->deleted() || queue->stream() == nullptr) {
            return;
        }
        if (!committed) {
            queue->stream()->on_read(consumer_id, generation, committed.error());
            return;
        }
        store->read_entries(queue->id(), from, kReadBatch,
                            [weak, consumer_id, generation](auto page) {
                                auto q = weak.lock();
                                if (q && !q->deleted() && q->stream() != nullptr) {
                                    q->stream()->on_read(consumer_id, generation, std::move(page));
                                }
                            });
    });
}

void StreamLog::on_read(std::uint64_t consumer_id, std::uint64_t generation,
                        Result<std::vector<storage::StoredEntry>> page) {
    Reader* reader = find(consumer_id);
    if (reader == nullptr || reader->generation != generation) {
        return;
    }
    reader->reading = false;
    if (!page) {
        spdlog::error("stream '{}': read failed: {}", queue_.name(), page.error().reason);
        return;
    }
    const std::uint64_t cache_first = cache_.empty() ? queue_.next_seq() : cache_.front().seq;
    const std::uint64_t after = reader->read_from(); // a read ahead goes on after the buffer
    MessageDecoder decoder;
    for (auto& stored : *page) {
        if (stored.entry.seq < after || stored.entry.seq >= cache_first) {
            continue; // behind the reader or its buffer, or the cache has it
        }
        if (auto entry = entry_from(decoder, std::move(stored))) {
            reader->buffer.push_back(std::move(*entry));
        }
    }
    if (reader->buffer.empty()) {
        // Nothing stored between the reader and the cache (retention took it): go to the cache.
        reader->next_seq = std::max(reader->next_seq, cache_first);
    } else if (reader->buffer.front().seq > reader->next_seq) {
        reader->next_seq = reader->buffer.front().seq; // a gap: those entries are gone
    }
    auto self = queue_.shared_from_this();
    queue_.dispatch();
}

void StreamLog::held(std::uint64_t consumer_id) {
    if (Reader* reader = find(consumer_id)) {
        ++reader->held;
    }
}

void StreamLog::settle_held(std::uint64_t consumer_id, std::uint64_t count) {
    if (Reader* reader = find(consumer_id)) {
        reader->held -= std::min(reader->held, count);
        return;
    }
    if (auto it = departed_.find(consumer_id); it != departed_.end()) {
        it->second.held -= std::min(it->second.held, count);
        if (it->second.held == 0) {
            const std::string name = std::move(it->second.name);
            departed_.erase(it);
            activate_standby(name); // the queue dispatches after every settlement
        }
    }
}

void StreamLog::returned(std::uint64_t consumer_id, std::uint64_t count) {
    settle_held(consumer_id, count);
}

void StreamLog::acked(std::uint64_t consumer_id, std::uint64_t seq) {
    std::string name;
    if (const Reader* reader = find(consumer_id)) {
        name = reader->name;
    } else if (auto it = departed_.find(consumer_id); it != departed_.end()) {
        name = it->second.name;
    }
    if (!name.empty()) {
        // First: a standby the settlement activates starts after it.
        if (offsets_.ack(name, seq - 1)) {
            journal_offset(name, *offsets_.stored(name));
        }
    }
    settle_held(consumer_id, 1);
}

bool StreamLog::in_use(const storage::StreamSegmentRecord& segment) const {
    return std::any_of(readers_.begin(), readers_.end(), [&](const Reader& r) {
        return r.active && r.positioned && r.next_seq >= segment.first_seq &&
               r.next_seq <= segment.last_seq;
    });
}

void StreamLog::drop_oldest_segment() {
    const auto segment = segments_.front();
    segments_.pop_front();
    messages_ -= std::min(messages_, segment.messages);
    bytes_ -= std::min(bytes_, segment.bytes);
    first_seq_ = segments_.empty() ? queue_.next_seq() : segments_.front().first_seq;
    while (!cache_.empty() && cache_.front().seq < first_seq_) {
        count_cache(-static_cast<std::int64_t>(cache_.front().bytes()));
        cache_.pop_front();
    }
    if (stored()) {
        auto& batch = queue_.vhost().core().journal().batch();
        batch.deleted_segments.push_back(segment);
        batch.purged.push_back({queue_.id(), segment.first_seq, segment.last_seq});
    }
}

Millis StreamLog::enforce_retention(Millis now) {
    // Never the last segment (appends go there), never one a reader is in. The limits first:
    // this runs on every append, and asking the readers is the part that costs.
    while (segments_.size() > 1) {
        const bool too_old =
            arguments_.max_age && segments_.front().last_timestamp < now - *arguments_.max_age;
        const bool too_big = arguments_.max_bytes && bytes_ > *arguments_.max_bytes;
        if ((!too_old && !too_big) || in_use(segments_.front())) {
            break;
        }
        drop_oldest_segment();
    }
    if (arguments_.max_age && segments_.size() > 1) {
        return segments_.front().last_timestamp + *arguments_.max_age + 1;
    }
    return kNever;
}

void StreamLog::read(const StreamStart& start, std::size_t count,
                     std::function<void(Result<StreamPage>)> done) {
    const std::uint64_t from = seq_for(start); // the position is taken now
    const Millis skip_before =
        start.kind == StreamStart::Kind::timestamp ? static_cast<Millis>(start.value) : 0;
    std::weak_ptr<Queue> weak = queue_.weak_from_this();
    // Only what is committed is shown: an answer must not show a message whose publish could
    // still fail.
    queue_.vhost().core().journal().flush(
        [weak, from, count, skip_before, done = std::move(done)](Result<void> committed) mutable {
            auto queue = weak.lock();
            if (!queue || queue->deleted() || queue->stream() == nullptr) {
                done(make_error(Errc::not_found, "the stream was deleted meanwhile"));
                return;
            }
            if (!committed) {
                done(committed.error());
                return;
            }
            queue->stream()->read_committed(from, count, skip_before, std::move(done));
        });
}

void StreamLog::read_committed(std::uint64_t from, std::size_t count, Millis skip_before,
                               std::function<void(Result<StreamPage>)> done) {
    from = std::max(from, first_seq_);
    const std::uint64_t end = queue_.next_seq();
    const std::uint64_t cache_first = cache_.empty() ? end : cache_.front().seq;
    storage::Store* store = queue_.vhost().core().journal().store();
    if (from >= cache_first || store == nullptr || !stored()) {
        StreamPage page;
        std::uint64_t seq = std::max(from, cache_first);
        for (; seq < end && page.entries.size() < count; ++seq) {
            const QueueEntry& e = cache_[seq - cache_first];
            if (e.timestamp >= skip_before) {
                page.entries.push_back(e);
            }
        }
        page.next_offset = seq - 1; // the offset of the first entry not looked at
        done(std::move(page));
        return;
    }
    store->read_entries(queue_.id(), from, count,
                        [from, skip_before, done = std::move(done)](
                            Result<std::vector<storage::StoredEntry>> stored) mutable {
                            if (!stored) {
                                done(stored.error());
                                return;
                            }
                            StreamPage page;
                            page.next_offset = from - 1;
                            MessageDecoder decoder;
                            for (auto& s : *stored) {
                                page.next_offset = s.entry.seq; // offset + 1: the next one
                                if (s.entry.timestamp < skip_before) {
                                    continue;
                                }
                                if (auto entry = entry_from(decoder, std::move(s))) {
                                    page.entries.push_back(std::move(*entry));
                                }
                            }
                            done(std::move(page));
                        });
}

std::optional<StreamConsumerView> StreamLog::consumer_offset(std::string_view name) const {
    return offsets_.view(name, next_offset());
}

void StreamLog::set_offset(const std::string& name, std::uint64_t offset) {
    offsets_.set(name, offset);
    journal_offset(name, offset);
}

std::vector<StreamConsumerView> StreamLog::consumer_offsets() const {
    return offsets_.views(next_offset());
}

} // namespace warren::server
