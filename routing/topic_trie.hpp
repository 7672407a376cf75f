#pragma once

// TopicTrie: the binding keys of a topic exchange as a trie of words, so that routing walks only
// the branches a key can match instead of testing every binding.
//
// Keys split as topic_words.hpp describes. In a binding key the word "*" matches exactly one word
// and "#" zero or more; any other word (including "a*" or "") matches itself only. TopicExchange
// keeps most binding keys in a TopicShapeIndex and the rest here (see topic_exchange.hpp); the
// trie alone can hold any binding key.
//
// Matching is a depth-first walk. A '#' node may be entered at many key positions; each '#' node
// remembers the lowest position it has been explored from during one match, so every (node,
// position) pair is visited at most once: the walk costs O(reached nodes x words) even for keys
// like "#.a.#.a.#", where a naive backtracking matcher is exponential, and each binding is
// reported at most once per match.
//
// Lifetime and threads: owned by TopicExchange; no locks, the owner serializes all calls. match()
// is const and keeps its scratch state on the stack.

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "routing/bound_destination.hpp"
#include "routing/topic_words.hpp"

namespace warren::routing {

class TopicTrie {
public:
    TopicTrie();
    ~TopicTrie();
    TopicTrie(TopicTrie&&) noexcept;
    TopicTrie& operator=(TopicTrie&&) noexcept;

    // false when the identical binding (key, destination, arguments) exists already.
    bool insert(std::string_view binding_key, const Destination& destination,
                const boost::json::object& arguments);
    // false when there was no such binding. Prunes the nodes it leaves empty.
    bool erase(std::string_view binding_key, const Destination& destination,
               const boost::json::object& arguments);

    // Appends the destination of every binding whose key matches `routing_key`, each binding
    // once. Pointers stay valid until the next insert/erase.
    void match(std::string_view routing_key, std::vector<const Destination*>& out) const;
    // The same for a key already split.
    void match(const TopicWords& key, std::vector<const Destination*>& out) const;
    // Whether the identical binding is held.
    bool contains(const TopicWords& binding_key, const Destination& destination,
                  const boost::json::object& arguments) const;

    std::size_t binding_count() const { return binding_count_; }
    // Nodes below the root; 0 once every binding is erased (tests check the pruning).
    std::size_t node_count() const;

private:
    struct Node;
    struct Matcher;
    std::unique_ptr<Node> root_;
    std::size_t binding_count_ = 0;
};

} // namespace warren::routing
