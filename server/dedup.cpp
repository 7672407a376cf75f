#include "server/dedup.hpp"

#include <utility>

#include <boost/json/serialize.hpp>

namespace warren::server {
namespace {

Error invalid(std::string_view key, std::string_view where, std::string_view why) {
    return make_error(Errc::bad_request, "invalid arg '" + std::string(key) + "' for " +
                                             std::string(where) + ": " + std::string(why));
}

std::optional<std::int64_t> as_integer(const boost::json::value& v) {
    if (v.is_int64()) {
        return v.get_int64();
    }
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
        return static_cast<std::int64_t>(v.get_uint64());
    }
    if (v.is_double()) {
        const double d = v.get_double();
        if (d >= -9.0e15 && d <= 9.0e15 && static_cast<double>(static_cast<std::int64_t>(d)) == d) {
            return static_cast<std::int64_t>(d);
        }
    }
    return std::nullopt;
}

} // namespace

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
                return invalid(k, where, "expected true or false");
            }
            enabled = value.get_bool();
        } else if (k == "x-deduplication-header") {
            if (!value.is_string() || value.get_string().empty()) {
                return invalid(k, where, "expected a header name");
            }
            settings.header = std::string(value.get_string());
            tuned = true;
            tuned_by = k;
        } else if (k == "x-cache-ttl") {
            auto n = as_integer(value);
            if (!n || *n < 1) {
                return invalid(k, where, "expected a positive number of milliseconds");
            }
            settings.ttl = *n;
            tuned = true;
            tuned_by = k;
        } else if (k == "x-cache-size") {
            auto n = as_integer(value);
            if (!n || *n < 1) {
                return invalid(k, where, "expected a positive integer");
            }
            settings.max_keys = static_cast<std::uint64_t>(*n);
            tuned = true;
            tuned_by = k;
        }
    }
    if (!enabled) {
        if (tuned) {
            return invalid(tuned_by, where, "x-message-deduplication must be true as well");
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

std::optional<DedupWindow::Seen> DedupWindow::find(const std::string& key, Millis now) {
    auto it = keys_.find(key);
    if (it == keys_.end() || it->second.expires_at <= now) {
        return std::nullopt;
    }
    return Seen{it->second.routed};
}

DedupWindow::Claim DedupWindow::claim(std::string key, std::uint64_t seq, Millis now) {
    if (claimed_ != nullptr) {
        return Claim{std::nullopt, false};
    }
    auto [it, inserted] = keys_.try_emplace(std::move(key));
    if (!inserted && it->second.expires_at > now) {
        return Claim{Seen{it->second.routed}, false};
    }
    // New, or back after it expired (its old mark in order_ is stale now).
    it->second = Slot{seq, now + settings_.ttl, true};
    order_.push_back(Order{seq, it->second.expires_at, &it->first});
    claimed_ = &*it;
    return Claim{std::nullopt, true};
}

const std::string& DedupWindow::finish(bool routed, Millis now) {
    auto* claimed = std::exchange(claimed_, nullptr);
    claimed->second.routed = routed;
    expire(now);
    trim();
    return claimed->first; // never evicted here: it is the newest, and max_keys >= 1
}

// Not erased: an older mark of the same key may still be in order_ and points at its node.
// Expired at once, it is a stranger to find() and claim(), and leaves with its mark.
void DedupWindow::undo() {
    std::exchange(claimed_, nullptr)->second.expires_at = 0;
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
    insert(std::move(key), seq, routed, expires_at);
}

void DedupWindow::insert(std::string key, std::uint64_t seq, bool routed, Millis expires_at) {
    auto [it, inserted] = keys_.insert_or_assign(std::move(key), Slot{seq, expires_at, routed});
    order_.push_back(Order{seq, expires_at, &it->first});
    (void)inserted; // a key seen again after it expired: the new slot replaces the old
    trim();
}

void DedupWindow::trim() {
    while (keys_.size() > settings_.max_keys) {
        evict_oldest();
    }
}

void DedupWindow::expire(Millis now) {
    while (!order_.empty() && order_.front().expires_at <= now) {
        evict_oldest();
    }
}

void DedupWindow::evict_oldest() {
    const Order oldest = order_.front();
    order_.pop_front();
    // The key may have been remembered again since (a newer seq): then this is a stale mark.
    if (auto it = keys_.find(*oldest.key); it != keys_.end() && it->second.seq == oldest.seq) {
        keys_.erase(it);
    }
    forgotten_below_ = std::max(forgotten_below_, oldest.seq + 1);
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
