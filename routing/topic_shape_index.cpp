#include "routing/topic_shape_index.hpp"

#include <algorithm>

namespace warren::routing {

namespace {

constexpr std::uint32_t kEmpty = 0;
constexpr std::uint32_t kTombstone = 0xffffffffu;

bool is_literal(std::string_view word) {
    return word != "*" && word != "#";
}

std::uint64_t finish(std::uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

// The Bloom filter's two bits for a hash, both in one word (chosen by the low bits).
std::uint64_t bloom_bits(std::uint64_t hash) {
    return (std::uint64_t{1} << ((hash >> 40) & 63)) | (std::uint64_t{1} << ((hash >> 46) & 63));
}

} // namespace

bool TopicShapeIndex::accepts(const TopicWords& binding_key) {
    return std::count_if(binding_key.begin(), binding_key.end(),
                         [](const HashedWord& w) { return w.text == "#"; }) <= 1;
}

std::string TopicShapeIndex::signature(const TopicWords& binding_key) {
    std::string sig;
    sig.reserve(binding_key.size());
    for (const HashedWord& w : binding_key) {
        sig += is_literal(w.text) ? 'L' : w.text[0];
    }
    return sig;
}

bool TopicShapeIndex::has_shape_of(const TopicWords& binding_key) const {
    return shape_ids_.contains(signature(binding_key));
}

// Word hashes are well mixed already: one multiply per word combines them.
template <class WordAt> std::uint64_t TopicShapeIndex::hash_of(const Shape& shape, WordAt word) {
    std::uint64_t h = shape.seed;
    for (std::size_t i = 0; i < shape.literals.size(); ++i) {
        h = (h ^ word(i).hash) * 0x9e3779b97f4a7c15ULL;
    }
    return h ^ (h >> 29);
}

template <class WordAt>
bool TopicShapeIndex::spells(std::string_view joined, std::size_t count, WordAt word) {
    std::size_t at = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (i != 0) {
            if (at == joined.size() || joined[at] != '.') {
                return false;
            }
            ++at;
        }
        const std::string_view w = word(i).text;
        if (joined.size() - at < w.size() || !bytes_equal(joined.data() + at, w.data(), w.size())) {
            return false;
        }
        at += w.size();
    }
    return at == joined.size();
}

template <class WordAt>
std::int64_t TopicShapeIndex::find_slot(std::uint32_t shape, std::uint64_t hash,
                                        WordAt word) const {
    if (slots_.empty()) {
        return -1;
    }
    const std::size_t mask = slots_.size() - 1;
    const auto tag = static_cast<std::uint32_t>(hash >> 32);
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const Slot& slot = slots_[i];
        if (slot.entry == kEmpty) {
            return -1;
        }
        if (slot.entry != kTombstone && slot.tag == tag) {
            const Entry& e = entries_[slot.entry - 1];
            if (e.hash == hash && e.shape == shape &&
                spells(std::string_view(e.words.data(), e.words.size()),
                       shapes_[shape].literals.size(), word)) {
                return static_cast<std::int64_t>(i);
            }
        }
    }
}

std::int64_t TopicShapeIndex::find_slot(const TopicWords& binding_key) const {
    const auto known = shape_ids_.find(signature(binding_key));
    if (known == shape_ids_.end()) {
        return -1;
    }
    const Shape& shape = shapes_[known->second];
    const auto word = [&](std::size_t i) -> const HashedWord& {
        return binding_key[shape.literals[i]];
    };
    return find_slot(known->second, hash_of(shape, word), word);
}

std::int64_t TopicShapeIndex::find_binding(const Entry& entry, const Destination& destination,
                                           const boost::json::object& arguments) {
    for (std::size_t i = 0; i < entry.destinations.size(); ++i) {
        if (*entry.destinations[i] == destination && entry.arguments[i] == arguments) {
            return static_cast<std::int64_t>(i);
        }
    }
    return -1;
}

bool TopicShapeIndex::contains(const TopicWords& binding_key, const Destination& destination,
                               const boost::json::object& arguments) const {
    const std::int64_t slot = find_slot(binding_key);
    return slot >= 0 && find_binding(entries_[slots_[static_cast<std::size_t>(slot)].entry - 1],
                                     destination, arguments) >= 0;
}

bool TopicShapeIndex::insert(const TopicWords& binding_key, const Destination& destination,
                             const boost::json::object& arguments) {
    if (contains(binding_key, destination, arguments)) {
        return false;
    }
    std::string sig = signature(binding_key);
    const auto known = shape_ids_.find(sig);
    const std::uint32_t shape =
        known != shape_ids_.end() ? known->second : add_shape(binding_key, std::move(sig));
    const auto word = [&](std::size_t i) -> const HashedWord& {
        return binding_key[shapes_[shape].literals[i]];
    };
    const std::uint64_t hash = hash_of(shapes_[shape], word);
    const std::int64_t slot = find_slot(shape, hash, word);
    std::uint32_t index = 0;
    if (slot >= 0) {
        index = slots_[static_cast<std::size_t>(slot)].entry - 1;
    } else {
        if (free_entries_.empty()) {
            index = static_cast<std::uint32_t>(entries_.size());
            entries_.emplace_back();
        } else {
            index = free_entries_.back();
            free_entries_.pop_back();
        }
        Entry& entry = entries_[index];
        entry.hash = hash;
        entry.shape = shape;
        for (std::size_t i = 0; i < shapes_[shape].literals.size(); ++i) {
            if (i != 0) {
                entry.words.push_back('.');
            }
            entry.words.insert(entry.words.end(), word(i).text.begin(), word(i).text.end());
        }
        add_slot(hash, index); // may rebuild the table from the live entries: not this one yet
        entry.live = true;
        ++shapes_[shape].entries;
    }
    entries_[index].destinations.push_back(pool_.acquire(destination));
    entries_[index].arguments.push_back(arguments);
    ++binding_count_;
    return true;
}

bool TopicShapeIndex::erase(const TopicWords& binding_key, const Destination& destination,
                            const boost::json::object& arguments) {
    const std::int64_t slot = find_slot(binding_key);
    if (slot < 0) {
        return false;
    }
    Slot& s = slots_[static_cast<std::size_t>(slot)];
    Entry& entry = entries_[s.entry - 1];
    const std::int64_t i = find_binding(entry, destination, arguments);
    if (i < 0) {
        return false;
    }
    pool_.release(entry.destinations[static_cast<std::size_t>(i)]);
    entry.destinations.erase(entry.destinations.begin() + i);
    entry.arguments.erase(entry.arguments.begin() + i);
    --binding_count_;
    if (entry.destinations.empty()) {
        const std::uint32_t shape = entry.shape;
        free_entries_.push_back(s.entry - 1);
        entry = Entry{};
        s.entry = kTombstone;
        if (--shapes_[shape].entries == 0) {
            remove_shape(shape);
        }
        // Clear tombstones and stale Bloom bits once they outnumber the live entries.
        const std::size_t live = entries_.size() - free_entries_.size();
        if (++erased_since_rebuild_ > std::max<std::size_t>(live, 1024)) {
            rebuild_slots();
        }
    }
    return true;
}

void TopicShapeIndex::match(const TopicWords& key, std::vector<const Destination*>& out) const {
    if (live_shapes_.empty()) {
        return;
    }
    const std::size_t n = key.size();
    const std::size_t mask = slots_.size() - 1;
    // First every shape's hash and Bloom test, prefetching the slot of each that passes; then the
    // few survivors are verified, their cache misses overlapping instead of queueing.
    struct Probe {
        std::uint32_t shape;
        std::uint64_t hash;
    };
    boost::container::small_vector<Probe, 16> probes;
    for (const std::uint32_t shape_id : live_shapes_) {
        const Shape& shape = shapes_[shape_id];
        if (shape.hash_at < 0 ? n != shape.length : n + 1 < shape.length) {
            continue;
        }
        // Literal words after the '#' are counted from the end of the key.
        const auto word = [&](std::size_t i) -> const HashedWord& {
            const std::uint32_t p = shape.literals[i];
            return key[shape.hash_at < 0 || p < shape.hash_at ? p : n + p - shape.length];
        };
        const std::uint64_t hash = hash_of(shape, word);
        if (may_contain(hash)) {
            __builtin_prefetch(&slots_[hash & mask]);
            probes.push_back(Probe{shape_id, hash});
        }
    }
    for (const Probe& probe : probes) {
        const Shape& shape = shapes_[probe.shape];
        const auto word = [&](std::size_t i) -> const HashedWord& {
            const std::uint32_t p = shape.literals[i];
            return key[shape.hash_at < 0 || p < shape.hash_at ? p : n + p - shape.length];
        };
        if (const std::int64_t slot = find_slot(probe.shape, probe.hash, word); slot >= 0) {
            const Entry& entry = entries_[slots_[static_cast<std::size_t>(slot)].entry - 1];
            for (const Destination* d : entry.destinations) {
                out.push_back(d);
            }
        }
    }
}

std::uint32_t TopicShapeIndex::add_shape(const TopicWords& binding_key, std::string sig) {
    std::uint32_t id = 0;
    if (free_shape_ids_.empty()) {
        id = static_cast<std::uint32_t>(shapes_.size());
        shapes_.emplace_back();
    } else {
        id = free_shape_ids_.back();
        free_shape_ids_.pop_back();
    }
    Shape& shape = shapes_[id];
    shape.length = static_cast<std::uint32_t>(binding_key.size());
    for (std::uint32_t i = 0; i < shape.length; ++i) {
        if (binding_key[i].text == "#") {
            shape.hash_at = i;
        } else if (is_literal(binding_key[i].text)) {
            shape.literals.push_back(i);
        }
    }
    shape.seed = finish(0x51ed270b27a4e6bdULL ^ id);
    shape.signature = sig;
    shape_ids_.emplace(std::move(sig), id);
    live_shapes_.push_back(id);
    return id;
}

void TopicShapeIndex::remove_shape(std::uint32_t shape) {
    shape_ids_.erase(shapes_[shape].signature);
    shapes_[shape] = Shape{};
    live_shapes_.erase(std::find(live_shapes_.begin(), live_shapes_.end(), shape));
    free_shape_ids_.push_back(shape);
}

void TopicShapeIndex::add_slot(std::uint64_t hash, std::uint32_t entry) {
    if ((used_slots_ + 1) * 2 > slots_.size()) {
        rebuild_slots();
    }
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = hash & mask;
    while (slots_[i].entry != kEmpty && slots_[i].entry != kTombstone) {
        i = (i + 1) & mask;
    }
    used_slots_ += slots_[i].entry == kEmpty ? 1 : 0;
    slots_[i] = Slot{static_cast<std::uint32_t>(hash >> 32), entry + 1};
    bloom_[hash & (bloom_.size() - 1)] |= bloom_bits(hash);
}

bool TopicShapeIndex::may_contain(std::uint64_t hash) const {
    const std::uint64_t bits = bloom_bits(hash);
    return !bloom_.empty() && (bloom_[hash & (bloom_.size() - 1)] & bits) == bits;
}

// Re-places every live entry in a table at most a quarter full, dropping tombstones and stale
// Bloom bits.
void TopicShapeIndex::rebuild_slots() {
    const std::size_t live = entries_.size() - free_entries_.size();
    std::size_t size = 16;
    while (size < live * 4) {
        size *= 2;
    }
    slots_.assign(size, Slot{0, kEmpty});
    used_slots_ = 0;
    bloom_.assign(size / 16, 0); // 4 bits per slot
    erased_since_rebuild_ = 0;
    for (std::uint32_t i = 0; i < entries_.size(); ++i) {
        if (entries_[i].live) {
            add_slot(entries_[i].hash, i);
        }
    }
}

} // namespace warren::routing
