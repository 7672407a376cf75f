#include "routing/topic_shape_index.hpp"

#include <algorithm>
#include <cstring>

namespace warren::routing {

namespace {

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

std::string_view TopicShapeIndex::words_of(const Record& record) const {
    return record.inline_words ? std::string_view(record.payload, record.words_size)
                               : std::string_view(entries_[record.entry].words);
}

template <class WordAt>
std::int64_t TopicShapeIndex::find_slot(std::uint32_t shape, std::uint64_t hash,
                                        WordAt word) const {
    if (slots_.empty()) {
        return -1;
    }
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const Record& r = slots_[i];
        if (r.shape == kEmpty) {
            return -1;
        }
        if (r.hash == hash && r.shape == shape &&
            spells(words_of(r), shapes_[shape].literals.size(), word)) {
            return static_cast<std::int64_t>(i);
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
                                           const boost::json::object& arguments) const {
    for (std::size_t i = 0; i < entry.destinations.size(); ++i) {
        if (*pool_.get(entry.destinations[i]) == destination && entry.arguments[i] == arguments) {
            return static_cast<std::int64_t>(i);
        }
    }
    return -1;
}

bool TopicShapeIndex::contains(const TopicWords& binding_key, const Destination& destination,
                               const boost::json::object& arguments) const {
    const std::int64_t slot = find_slot(binding_key);
    return slot >= 0 && find_binding(entries_[slots_[static_cast<std::size_t>(slot)].entry],
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
        index = slots_[static_cast<std::size_t>(slot)].entry;
        Entry& entry = entries_[index];
        entry.destinations.push_back(pool_.acquire(destination));
        entry.arguments.push_back(arguments);
        refresh(slots_[static_cast<std::size_t>(slot)]);
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
            entry.words.append(word(i).text);
        }
        entry.destinations.push_back(pool_.acquire(destination));
        entry.arguments.push_back(arguments);
        add_slot(index); // may rebuild the table from the live entries: not this one yet
        entry.live = true;
        ++shapes_[shape].entries;
    }
    ++binding_count_;
    return true;
}

bool TopicShapeIndex::erase(const TopicWords& binding_key, const Destination& destination,
                            const boost::json::object& arguments) {
    const std::int64_t slot = find_slot(binding_key);
    if (slot < 0) {
        return false;
    }
    Record& s = slots_[static_cast<std::size_t>(slot)];
    Entry& entry = entries_[s.entry];
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
        free_entries_.push_back(s.entry);
        entry = Entry{};
        s = Record{};
        s.shape = kTombstone;
        if (--shapes_[shape].entries == 0) {
            remove_shape(shape);
        }
        // Clear tombstones and stale Bloom bits once they outnumber the live entries.
        const std::size_t live = entries_.size() - free_entries_.size();
        if (++erased_since_rebuild_ > std::max<std::size_t>(live, 1024)) {
            rebuild_slots();
        }
    } else {
        refresh(s);
    }
    return true;
}

void TopicShapeIndex::append_all(const Record& record, std::vector<const Destination*>& out) const {
    for (const Id id : entries_[record.entry].destinations) {
        out.push_back(pool_.get(id));
    }
}

inline bool TopicShapeIndex::spells_runs(const Record& record, const Plan& plan,
                                         const TopicWords& key) const {
    const std::string_view joined = words_of(record);
    std::size_t at = 0;
    for (std::uint32_t r = 0; r < plan.runs; ++r) {
        if (r != 0) {
            if (at == joined.size() || joined[at] != '.') {
                return false;
            }
            ++at;
        }
        const std::string_view last = key[plan.run_last[r]].text;
        const char* const begin = key[plan.run_first[r]].text.data();
        const auto size = static_cast<std::size_t>(last.data() + last.size() - begin);
        if (joined.size() - at < size || !bytes_equal(joined.data() + at, begin, size)) {
            return false;
        }
        at += size;
    }
    return at == joined.size();
}

namespace {

constexpr std::uint64_t kMix = 0x9e3779b97f4a7c15ULL;

// hash_of() over a plan's literals: unrolled, as most shapes have few.
inline std::uint64_t plan_hash(std::uint64_t h, const std::uint8_t* w, std::uint32_t count,
                               const std::uint64_t* hashes) {
    for (; count >= 4; count -= 4, w += 4) {
        h = (h ^ hashes[w[0]]) * kMix;
        h = (h ^ hashes[w[1]]) * kMix;
        h = (h ^ hashes[w[2]]) * kMix;
        h = (h ^ hashes[w[3]]) * kMix;
    }
    switch (count) {
    case 3:
        h = (h ^ hashes[w[0]]) * kMix;
        h = (h ^ hashes[w[1]]) * kMix;
        h = (h ^ hashes[w[2]]) * kMix;
        break;
    case 2:
        h = (h ^ hashes[w[0]]) * kMix;
        h = (h ^ hashes[w[1]]) * kMix;
        break;
    case 1:
        h = (h ^ hashes[w[0]]) * kMix;
        break;
    default:
        break;
    }
    return h ^ (h >> 29);
}

} // namespace

void TopicShapeIndex::match(const TopicWords& key, std::vector<const Destination*>& out) const {
    if (live_shapes_.empty()) {
        return;
    }
    const std::size_t n = key.size();
    const std::size_t mask = slots_.size() - 1;
    if (n < kPlannedLengths) {
        // First every shape's hash and Bloom test, then a prefetch of the record of each that
        // passed, then the few survivors are verified: the Bloom loads overlap one another, as
        // do the record misses, instead of queueing. The Bloom test is branch-free (each probe
        // is written, and kept by advancing the count or not): a branch on it would be
        // mispredicted for about one shape in four, and each misprediction waits for its load.
        // In batches, so that the list of survivors needs no allocation.
        constexpr std::size_t kBatch = 16;
        struct Probe {
            const Plan* plan;
            std::uint64_t hash;
        };
        Probe probes[kBatch];
        const std::vector<Plan>& plans = plans_[n];
        const std::uint64_t* const bloom = bloom_.data();
        const std::size_t bloom_mask = bloom_.size() - 1;
        std::uint64_t hashes[kPlannedLengths];
        // Whether the words are one stretch of text, as split_topic_key leaves them; then each
        // run of literal words is verified by one comparison.
        bool contiguous = true;
        for (std::size_t i = 0; i < n; ++i) {
            hashes[i] = key[i].hash;
            contiguous =
                contiguous && (i == 0 || key[i].text.data() ==
                                             key[i - 1].text.data() + key[i - 1].text.size() + 1);
        }
        const Plan* next = plans.data();
        const Plan* const end = next + plans.size();
        while (next != end) {
            const Plan* const batch_end = next + std::min<std::size_t>(kBatch, end - next);
            std::size_t count = 0;
            for (; next != batch_end; ++next) {
                const Plan& plan = *next;
                const std::uint64_t h = plan_hash(plan.seed, plan.word, plan.literals, hashes);
                const std::uint64_t b = bloom[h & bloom_mask];
                probes[count] = Probe{&plan, h};
                count += (b >> ((h >> 40) & 63)) & (b >> ((h >> 46) & 63)) & 1; // may_contain
            }
            for (std::size_t p = 0; p < count; ++p) {
                __builtin_prefetch(&slots_[probes[p].hash & mask]);
            }
            for (std::size_t p = 0; p < count; ++p) {
                const Plan& plan = *probes[p].plan;
                const std::uint64_t hash = probes[p].hash;
                for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
                    const Record& r = slots_[i];
                    if (r.shape == kEmpty) {
                        break;
                    }
                    if (r.hash == hash && r.shape == plan.shape &&
                        (contiguous ? spells_runs(r, plan, key)
                                    : spells(words_of(r), plan.literals,
                                             [&](std::size_t w) -> const HashedWord& {
                                                 return key[plan.word[w]];
                                             }))) {
                        append(r, out);
                        break;
                    }
                }
            }
        }
        return;
    }
    // Longer keys: the word positions are worked out per shape.
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
        if (!may_contain(hash)) {
            continue;
        }
        if (const std::int64_t slot = find_slot(shape_id, hash, word); slot >= 0) {
            append(slots_[static_cast<std::size_t>(slot)], out);
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
    rebuild_plans();
    return id;
}

void TopicShapeIndex::remove_shape(std::uint32_t shape) {
    shape_ids_.erase(shapes_[shape].signature);
    shapes_[shape] = Shape{};
    live_shapes_.erase(std::find(live_shapes_.begin(), live_shapes_.end(), shape));
    free_shape_ids_.push_back(shape);
    rebuild_plans();
}

void TopicShapeIndex::rebuild_plans() {
    for (std::size_t n = 0; n < kPlannedLengths; ++n) {
        std::vector<Plan>& plans = plans_[n];
        plans.clear();
        for (const std::uint32_t id : live_shapes_) {
            const Shape& shape = shapes_[id];
            if (shape.hash_at < 0 ? n != shape.length : n + 1 < shape.length) {
                continue;
            }
            // A shape that fits a key of n < kPlannedLengths words has fewer than
            // kPlannedLengths literals, each at a position below n.
            Plan plan;
            plan.seed = shape.seed;
            plan.shape = id;
            plan.literals = static_cast<std::uint32_t>(shape.literals.size());
            for (std::size_t i = 0; i < shape.literals.size(); ++i) {
                const std::uint32_t p = shape.literals[i];
                plan.word[i] = static_cast<std::uint8_t>(
                    shape.hash_at < 0 || p < shape.hash_at ? p : n + p - shape.length);
                if (i != 0 && plan.word[i] == plan.word[i - 1] + 1) {
                    plan.run_last[plan.runs - 1] = plan.word[i];
                } else {
                    plan.run_first[plan.runs] = plan.word[i];
                    plan.run_last[plan.runs] = plan.word[i];
                    ++plan.runs;
                }
            }
            plans.push_back(plan);
        }
    }
}

void TopicShapeIndex::refresh(Record& record) const {
    const Entry& entry = entries_[record.entry];
    const std::size_t words = record.inline_words ? record.words_size : 0;
    const std::size_t count = entry.destinations.size();
    if (count * sizeof(Id) > kPayload - words) {
        record.inline_destinations = 0;
        return;
    }
    record.inline_destinations = static_cast<std::uint8_t>(count);
    std::memcpy(record.payload + words, entry.destinations.data(), count * sizeof(Id));
}

void TopicShapeIndex::add_slot(std::uint32_t entry) {
    if ((used_slots_ + 1) * 2 > slots_.size()) {
        rebuild_slots();
    }
    const Entry& e = entries_[entry];
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = e.hash & mask;
    while (slots_[i].shape != kEmpty && slots_[i].shape != kTombstone) {
        i = (i + 1) & mask;
    }
    used_slots_ += slots_[i].shape == kEmpty ? 1 : 0;
    Record& r = slots_[i];
    r = Record{};
    r.hash = e.hash;
    r.shape = e.shape;
    r.entry = entry;
    r.words_size = static_cast<std::uint16_t>(std::min<std::size_t>(e.words.size(), 0xffff));
    r.inline_words = e.words.size() <= kPayload;
    if (r.inline_words) {
        std::copy(e.words.begin(), e.words.end(), r.payload);
    }
    refresh(r);
    bloom_[e.hash & (bloom_.size() - 1)] |= bloom_bits(e.hash);
}

bool TopicShapeIndex::may_contain(std::uint64_t hash) const {
    const std::uint64_t bits = bloom_bits(hash);
    return (bloom_[hash & (bloom_.size() - 1)] & bits) == bits;
}

// Re-places every live entry in a table at most three eighths full, dropping tombstones and
// stale Bloom bits.
void TopicShapeIndex::rebuild_slots() {
    const std::size_t live = entries_.size() - free_entries_.size();
    std::size_t size = 16;
    while (size * 3 < live * 8) {
        size *= 2;
    }
    slots_.assign(size, Record{});
    used_slots_ = 0;
    bloom_.assign(size / 8, 0); // 8 bits per slot
    erased_since_rebuild_ = 0;
    for (std::uint32_t i = 0; i < entries_.size(); ++i) {
        if (entries_[i].live) {
            add_slot(i);
        }
    }
}

} // namespace warren::routing
