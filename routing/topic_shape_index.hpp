#pragma once

// TopicShapeIndex: topic binding keys with at most one '#', grouped by shape (tuple space search,
// as packet classifiers do). A shape is a binding key with its literal words blanked out: "a.*.c"
// and "x.*.z" share the shape L*L, "a.b.#" and "k.l.#" share LL#. For a given routing key a shape
// fixes which key word each of its literal words must equal (words before the '#' count from
// the start, words after it from the end), so one hash probe per shape finds every binding of
// that shape that matches: routing costs O(shapes), independent of the number of bindings and
// without the scattered node visits of a trie walk.
//
// The probe table is open addressing over 64-byte records, one cache line each, holding all a
// matching probe reads (full hash, shape, the literal words and the destinations when they
// fit): a hit costs one cache miss, and match() prefetches the records of every shape
// before it verifies any, so those misses overlap. A Bloom filter small enough to stay in cache
// keeps most probes that would find nothing from touching the table at all. For each key length
// up to kPlannedLengths the word positions every shape hashes are precomputed (a Plan), so a
// probe costs a few multiplies and no per-word index arithmetic.
//
// The number of shapes is the owner's to bound: TopicExchange sends binding keys of new shapes to
// its TopicTrie once it holds enough of them here.
// Lifetime and threads: owned by TopicExchange; no locks, the owner serializes all calls.

#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "routing/destination_pool.hpp"
#include "routing/huge_page_allocator.hpp"
#include "routing/topic_words.hpp"

namespace warren::routing {

class TopicShapeIndex {
public:
    // Whether a binding key can be held here: at most one '#'.
    static bool accepts(const TopicWords& binding_key);

    // Whether a binding key of the same shape is held (then adding it adds no shape).
    bool has_shape_of(const TopicWords& binding_key) const;
    std::size_t shape_count() const { return live_shapes_.size(); }
    std::size_t binding_count() const { return binding_count_; }

    // false when the identical binding exists already. The key must be accepted().
    bool insert(const TopicWords& binding_key, const Destination& destination,
                const boost::json::object& arguments);
    // false when there was no such binding.
    bool erase(const TopicWords& binding_key, const Destination& destination,
               const boost::json::object& arguments);
    bool contains(const TopicWords& binding_key, const Destination& destination,
                  const boost::json::object& arguments) const;

    // Appends the destination of every binding whose key matches, each binding once. Pointers
    // stay valid until the next insert/erase.
    void match(const TopicWords& key, std::vector<const Destination*>& out) const;

private:
    struct Shape {
        std::string signature;                                     // 'L', '*' or '#' per word
        std::uint32_t length = 0;                                  // words, '#' included
        std::int64_t hash_at = -1;                                 // index of the '#', or -1
        boost::container::small_vector<std::uint32_t, 8> literals; // indices of literal words
        std::uint64_t seed = 0;
        std::size_t entries = 0;
    };
    // What match() computes for one shape and one key length: which key word each literal is.
    static constexpr std::size_t kPlannedLengths = 17; // keys of 0..16 words
    struct Plan {
        std::uint64_t seed = 0;
        std::uint32_t shape = 0;
        std::uint32_t literals = 0;
        std::uint32_t runs = 0;                  // runs of adjacent literal words
        std::uint8_t word[kPlannedLengths] = {}; // key word of each literal
        // Run r spans key words run_first[r]..run_last[r]: in a key as split_topic_key made it,
        // one stretch of the key, compared with the entry's words in one go.
        std::uint8_t run_first[kPlannedLengths] = {};
        std::uint8_t run_last[kPlannedLengths] = {};
    };
    // One per (shape, literal words): the bindings whose keys spell them. Everything a probe
    // reads is in its Record (in the table); the rest is in its Entry.
    struct Entry {
        std::uint64_t hash = 0;
        std::uint32_t shape = 0;
        bool live = false;
        std::string words; // the literal words, joined by '.'
        // Binding i is (destinations[i], arguments[i]); destinations are ids in pool_.
        std::vector<DestinationPool::Id> destinations;
        std::vector<boost::json::object> arguments;
    };
    static constexpr std::uint32_t kEmpty = 0xffffffffu;     // Record::shape of a free record
    static constexpr std::uint32_t kTombstone = 0xfffffffeu; // ... of an erased one
    static constexpr std::size_t kPayload = 44;
    using Id = DestinationPool::Id;
    struct alignas(64) Record {
        std::uint64_t hash = 0;
        std::uint32_t shape = kEmpty;
        std::uint32_t entry = 0; // index in entries_
        std::uint16_t words_size = 0;
        bool inline_words = false;            // the words are at the start of the payload
        std::uint8_t inline_destinations = 0; // their ids after them; 0: the entry's are read
        char payload[kPayload] = {};
    };
    static_assert(sizeof(Record) == 64);
    // 'L', '*' or '#' per word of a binding key.
    static std::string signature(const TopicWords& binding_key);
    // The hash of a shape's literal words, word(i) being the i-th literal's HashedWord.
    template <class WordAt> static std::uint64_t hash_of(const Shape& shape, WordAt word);
    // Whether `joined` is the shape's literal words joined by '.'.
    template <class WordAt>
    static bool spells(std::string_view joined, std::size_t count, WordAt word);
    // Whether the record's words are the plan's runs of `key` joined by '.'.
    bool spells_runs(const Record& record, const Plan& plan, const TopicWords& key) const;
    // The record of the entry of `shape` whose literal words are word(0..), or -1.
    template <class WordAt>
    std::int64_t find_slot(std::uint32_t shape, std::uint64_t hash, WordAt word) const;
    // The record of the entry a binding key belongs to, or -1.
    std::int64_t find_slot(const TopicWords& binding_key) const;
    // Index in entry.destinations of the binding (destination, arguments), or -1.
    std::int64_t find_binding(const Entry& entry, const Destination& destination,
                              const boost::json::object& arguments) const;
    std::string_view words_of(const Record& record) const;
    // Brings a record up to date with its entry (after its destinations changed).
    void refresh(Record& record) const;
    std::uint32_t add_shape(const TopicWords& binding_key, std::string sig);
    void remove_shape(std::uint32_t shape);
    void rebuild_plans();
    void add_slot(std::uint32_t entry);
    bool may_contain(std::uint64_t hash) const;
    void rebuild_slots();
    void append(const Record& record, std::vector<const Destination*>& out) const {
        if (record.inline_destinations == 0) {
            append_all(record, out);
            return;
        }
        const char* p = record.payload + (record.inline_words ? record.words_size : 0);
        for (std::uint8_t i = 0; i < record.inline_destinations; ++i, p += sizeof(Id)) {
            Id id = 0;
            std::memcpy(&id, p, sizeof id);
            out.push_back(pool_.get(id));
        }
    }
    void append_all(const Record& record, std::vector<const Destination*>& out) const;

    std::unordered_map<std::string, std::uint32_t> shape_ids_; // signature -> index in shapes_
    std::vector<Shape> shapes_;                                // by id; ids are reused
    std::vector<std::uint32_t> free_shape_ids_;
    std::vector<std::uint32_t> live_shapes_; // what match() iterates for long keys
    // plans_[n]: one Plan per live shape a key of n words may match.
    std::vector<std::vector<Plan>> plans_ = std::vector<std::vector<Plan>>(kPlannedLengths);

    std::vector<Entry> entries_; // by index; indices are reused
    std::vector<std::uint32_t> free_entries_;
    std::vector<Record, HugePageAllocator<Record>>
        slots_; // a power of two in size, at most half used (tombstones count)
    std::size_t used_slots_ = 0;
    // A blocked Bloom filter over entry hashes (two bits in one word), 4 bits per slot. Bits are
    // not cleared on erase; rebuild_slots() starts afresh once erasures pile up.
    std::vector<std::uint64_t> bloom_;
    std::size_t erased_since_rebuild_ = 0;

    DestinationPool pool_;
    std::size_t binding_count_ = 0;
};

} // namespace warren::routing
