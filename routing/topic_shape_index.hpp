#pragma once

// TopicShapeIndex: topic binding keys with at most one '#', grouped by shape (tuple space search,
// as packet classifiers do). A shape is a binding key with its literal words blanked out: "a.*.c"
// and "x.*.z" share the shape L*L, "a.b.#" and "k.l.#" share LL#. For a given routing key a shape
// fixes which key word each of its literal words must equal (words before the '#' count from
// the start, words after it from the end), so one hash probe per shape finds every binding of
// that shape that matches: routing costs O(shapes), independent of the number of bindings and
// without the scattered node visits of a trie walk.
//
// The probe table is open addressing with a 32-bit tag per slot, behind a Bloom filter small
// enough to stay in cache: most probes that would find nothing never touch the table.
//
// The number of shapes is the owner's to bound: TopicExchange sends binding keys of new shapes to
// its TopicTrie once it holds enough of them here.
// Lifetime and threads: owned by TopicExchange; no locks, the owner serializes all calls.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "routing/destination_pool.hpp"
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
    // One per (shape, literal words): the bindings whose keys spell them. What a matching probe
    // reads (hash, shape, words, destinations) is inline, so a hit costs the slot and this entry
    // and no further cache misses.
    struct Entry {
        std::uint64_t hash = 0;
        std::uint32_t shape = 0;
        bool live = false;
        boost::container::small_vector<char, 40> words; // the literal words, joined by '.'
        // Binding i is (destinations[i], arguments[i]); destinations point into pool_.
        boost::container::small_vector<const Destination*, 2> destinations;
        std::vector<boost::json::object> arguments;
    };
    struct Slot {
        std::uint32_t tag;   // high half of the entry's hash
        std::uint32_t entry; // kEmpty, kTombstone, or the entry's index + 1
    };
    // 'L', '*' or '#' per word of a binding key.
    static std::string signature(const TopicWords& binding_key);
    // The hash of a shape's literal words, word(i) being the i-th literal's HashedWord.
    template <class WordAt> static std::uint64_t hash_of(const Shape& shape, WordAt word);
    // Whether `joined` is the shape's literal words joined by '.'.
    template <class WordAt>
    static bool spells(std::string_view joined, std::size_t count, WordAt word);
    // The slot of the entry of `shape` whose literal words are word(0..), or -1.
    template <class WordAt>
    std::int64_t find_slot(std::uint32_t shape, std::uint64_t hash, WordAt word) const;
    // The slot of the entry a binding key belongs to, or -1.
    std::int64_t find_slot(const TopicWords& binding_key) const;
    // Index in entry.destinations of the binding (destination, arguments), or -1.
    static std::int64_t find_binding(const Entry& entry, const Destination& destination,
                                     const boost::json::object& arguments);
    std::uint32_t add_shape(const TopicWords& binding_key, std::string sig);
    void remove_shape(std::uint32_t shape);
    void add_slot(std::uint64_t hash, std::uint32_t entry);
    bool may_contain(std::uint64_t hash) const;
    void rebuild_slots();

    std::unordered_map<std::string, std::uint32_t> shape_ids_; // signature -> index in shapes_
    std::vector<Shape> shapes_;                                // by id; ids are reused
    std::vector<std::uint32_t> free_shape_ids_;
    std::vector<std::uint32_t> live_shapes_; // what match() iterates

    std::vector<Entry> entries_; // by index; indices are reused
    std::vector<std::uint32_t> free_entries_;
    std::vector<Slot> slots_; // a power of two in size, at most half used (tombstones count)
    std::size_t used_slots_ = 0;
    // A blocked Bloom filter over entry hashes (two bits in one word), 4 bits per slot. Bits are
    // not cleared on erase; rebuild_slots() starts afresh once erasures pile up.
    std::vector<std::uint64_t> bloom_;
    std::size_t erased_since_rebuild_ = 0;

    DestinationPool pool_;
    std::size_t binding_count_ = 0;
};

} // namespace warren::routing
