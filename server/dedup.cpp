#include "server/dedup.hpp"

#include <utility>

#include <boost/json/serialize.hpp>

#include "server/queue_arguments.hpp"

namespace warren::server {

bool is_dedup_argument(std::string_view key) {
    return key == "x-message-deduplication" || key == "x-deduplication-header" ||
           key == "x-cache-ttl" || key == "x-cache-size";
}

Result<std::optional<DedupSettings>> parse_dedup_arguments(const boost::json::object& arguments,
                                                           std::string_view where) {
    DedupSettings settings;
    bool enabled = false;
    bool tuned = false; // one of the three others is there
    std::string_view tuned_by;
    for (const auto& argument : arguments) {
        const std::string_view k = argument.key();
        const boost::json::value& value = argument.value();
        if (k == "x-message-deduplication") {
            if (!value.is_bool()) {
                return invalid_argument(k, where, "expected true or false");
            }
            enabled = value.get_bool();
        } else if (k == "x-deduplication-header") {
            if (!value.is_string() || value.get_string().empty()) {
                return invalid_argument(k, where, "expected a header name");
            }
            settings.header = std::string(value.get_string());
            tuned = true;
            tuned_by = k;
        } else if (k == "x-cache-ttl") {
            auto n = json_integer(value);
            if (!n || *n < 1) {
                return invalid_argument(k, where, "expected a positive number of milliseconds");
            }
            settings.ttl = *n;
            tuned = true;
            tuned_by = k;
        } else if (k == "x-cache-size") {
            auto n = json_integer(value);
            if (!n || *n < 1) {
                return invalid_argument(k, where, "expected a positive integer");
            }
            settings.max_keys = static_cast<std::uint64_t>(*n);
            tuned = true;
            tuned_by = k;
        }
    }
    if (!enabled) {
        if (tuned) {
            return invalid_argument(tuned_by, where,
                                    "x-message-deduplication must be true as well");
        }
        return std::optional<DedupSettings>{};
    }
    return std::optional<DedupSettings>{std::move(settings)};
}

std::optional<std::string> dedup_key(const Message& message, const DedupSettings& settings,
                                     std::string_view idempotency_key) {
    if (!idempotency_key.empty()) {
        return std::string(idempotency_key);
    }
    if (settings.header) {
        const auto* value = message.properties.headers.if_contains(*settings.header);
        if (value == nullptr || value->is_null()) {
            return std::nullopt;
        }
        if (value->is_string()) {
            return std::string(value->get_string());
        }
        return boost::json::serialize(*value);
    }
    return message.properties.message_id;
}

namespace {

std::uint64_t hash_key(std::string_view key) {
    return std::hash<std::string_view>{}(key);
}

} // namespace

std::size_t DedupWindow::find_slot(std::string_view key, std::uint64_t hash) const {
    if (slots_.empty()) {
        return SIZE_MAX;
    }
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const Slot& slot = slots_[i];
        if (slot.number == kEmpty) {
            return SIZE_MAX;
        }
        if (slot.hash == hash && entry(slot.number).key == key) {
            return i;
        }
    }
}

std::size_t DedupWindow::slot_of(std::uint64_t number, std::uint64_t hash) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        if (slots_[i].number == number) {
            return i;
        }
    }
}

// Linear probing's deletion without tombstones: later slots of the same run move back when the
// hole lies between their home and where they are.
void DedupWindow::erase_slot(std::size_t hole) {
    const std::size_t mask = slots_.size() - 1;
    slots_[hole] = Slot{};
    for (std::size_t j = (hole + 1) & mask; slots_[j].number != kEmpty; j = (j + 1) & mask) {
        const std::size_t home = slots_[j].hash & mask;
        const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
            slots_[hole] = slots_[j];
            slots_[j] = Slot{};
            hole = j;
        }
    }
}

void DedupWindow::place(std::uint64_t hash, std::uint64_t number) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hash & mask;
    while (slots_[i].number != kEmpty) {
        i = (i + 1) & mask;
    }
    slots_[i] = Slot{hash, number};
}

void DedupWindow::grow() {
    std::vector<Slot> old =
        std::exchange(slots_, std::vector<Slot>(std::max<std::size_t>(64, slots_.size() * 2)));
    for (const Slot& slot : old) {
        if (slot.number != kEmpty) {
            place(slot.hash, slot.number);
        }
    }
}

std::uint64_t DedupWindow::add(std::string key, std::uint64_t seq, bool routed, Millis expires_at) {
    const std::uint64_t hash = hash_key(key);
    if (const std::size_t at = find_slot(key, hash); at != SIZE_MAX) {
        entry(slots_[at].number).live = false; // an expired one, still here: replaced
        --live_;
        erase_slot(at);
    }
    if ((live_ + 1) * 2 > slots_.size()) {
        grow();
    }
    const std::uint64_t number = first_ + entries_.size();
    entries_.push_back(Entry{std::move(key), hash, seq, expires_at, routed, true});
    place(hash, number);
    ++live_;
    return number;
}

void DedupWindow::kill(std::uint64_t number) {
    Entry& e = entry(number);
    if (e.live) {
        e.live = false;
        --live_;
        erase_slot(slot_of(number, e.hash));
    }
}

std::optional<DedupWindow::Seen> DedupWindow::find(std::string_view key, Millis now) const {
    const std::size_t at = find_slot(key, hash_key(key));
    if (at == SIZE_MAX) {
        return std::nullopt;
    }
    const Entry& e = entry(slots_[at].number);
    if (e.expires_at <= now) {
        return std::nullopt;
    }
    return Seen{e.routed};
}

DedupWindow::Claim DedupWindow::claim(std::string key, std::uint64_t seq, Millis now) {
    if (claimed_) {
        return Claim{std::nullopt, false};
    }
    if (auto seen = find(key, now)) {
        return Claim{seen, false};
    }
    claimed_ = add(std::move(key), seq, true, now + settings_.ttl);
    return Claim{std::nullopt, true};
}

const std::string& DedupWindow::finish(bool routed, Millis now) {
    const std::uint64_t number = *std::exchange(claimed_, std::nullopt);
    entry(number).routed = routed;
    expire(now);
    trim();
    return entry(number).key; // never evicted here: it is the newest, and max_keys >= 1
}

void DedupWindow::undo() {
    kill(*std::exchange(claimed_, std::nullopt));
}

void DedupWindow::remember(std::string key, std::uint64_t seq, bool routed, Millis now) {
    if (claim(std::move(key), seq, now).claimed) {
        finish(routed, now);
    }
}

void DedupWindow::restore(std::string key, std::uint64_t seq, bool routed, Millis expires_at,
                          Millis now) {
    if (expires_at <= now) {
        forgotten_below_ = std::max(forgotten_below_, seq + 1);
        return;
    }
    add(std::move(key), seq, routed, expires_at);
    trim();
}

void DedupWindow::expire(Millis now) {
    while (!entries_.empty() && entries_.front().expires_at <= now) {
        evict_oldest();
    }
}

void DedupWindow::trim() {
    while (live_ > settings_.max_keys) {
        evict_oldest();
    }
}

void DedupWindow::evict_oldest() {
    const std::uint64_t seq = entries_.front().seq;
    kill(first_);
    entries_.pop_front();
    ++first_;
    forgotten_below_ = std::max(forgotten_below_, seq + 1);
}

DedupWindow::Claim Deduplication::claim(std::string key, std::uint64_t seq, Millis now) {
    auto claim = window_.claim(std::move(key), seq, now);
    if (claim.duplicate) {
        ++duplicates_;
    }
    if (claim.claimed) {
        claimed_seq_ = seq;
    }
    return claim;
}

void Deduplication::finish(bool routed, Millis now, storage::Batch* batch) {
    const std::string& key = window_.finish(routed, now);
    if (batch != nullptr) {
        batch->dedup_keys.push_back(
            storage::DedupRecord{scope_, claimed_seq_, key, now + window_.settings().ttl, routed});
    }
    // Cut what left the window, with the next stored key: the store forgets only what memory
    // has, and a window that stores nothing (transient messages) never writes.
    if (batch != nullptr && window_.forgotten_below() > cut_sent_) {
        cut_sent_ = window_.forgotten_below();
        // One cut per window per batch: a full window evicts a key per publish, and a DELETE
        // per key would cost the writer as much as the insert.
        auto& cuts = batch->dedup_cuts;
        if (!cuts.empty() && cuts.back().scope == scope_) {
            cuts.back().below_seq = cut_sent_;
        } else {
            cuts.push_back(storage::DedupCut{scope_, cut_sent_});
        }
    }
}

void Deduplication::forget_all(storage::Batch& batch) const {
    batch.dedup_cuts.push_back(storage::DedupCut{scope_, UINT64_MAX});
}

void Deduplication::restore(const storage::DedupRecord& record, Millis now) {
    window_.restore(record.key, record.seq, record.routed, record.expires_at, now);
}

std::string exchange_scope(std::string_view vhost, std::string_view exchange) {
    return "exchange:" + std::to_string(vhost.size()) + ":" + std::string(vhost) +
           std::string(exchange);
}

std::string queue_scope(std::uint64_t queue_id) {
    return "queue:" + std::to_string(queue_id);
}

} // namespace warren::server
