#pragma once

// TopicExchange: binding keys with '*' (one word) and '#' (zero or more words). Binding arguments
// are part of a binding's identity but play no part in matching.
//
// Two indexes, each binding in exactly one: a TopicShapeIndex for keys with at most one '#'
// (nearly all real ones: "orders.*.eu", "logs.#", "#.error") while they come in at most
// kMaxShapes shapes, and a TopicTrie for the rest. Routing a key costs one probe per shape plus a
// walk of the (usually empty) trie, instead of a trie walk over every binding.
// Lifetime and threads: owned by Router's exchange entry; no locks, the owner serializes calls.

#include "routing/exchange.hpp"
#include "routing/topic_shape_index.hpp"
#include "routing/topic_trie.hpp"

namespace warren::routing {

class TopicExchange final : public Exchange {
public:
    // Beyond this many shapes a probe per shape stops paying off: new shapes go to the trie.
    static constexpr std::size_t kMaxShapes = 32;

    ExchangeType type() const override { return ExchangeType::topic; }
    bool bind(const Destination& destination, std::string_view binding_key,
              const boost::json::object& arguments) override;
    bool unbind(const Destination& destination, std::string_view binding_key,
                const boost::json::object& arguments) override;
    void collect(std::string_view routing_key, const boost::json::object& headers,
                 std::vector<const Destination*>& out) const override;

    // How the bindings are split between the two indexes (tests and benchmarks).
    std::size_t shape_index_bindings() const { return shapes_.binding_count(); }
    std::size_t trie_bindings() const { return trie_.binding_count(); }

private:
    TopicShapeIndex shapes_;
    TopicTrie trie_;
};

} // namespace warren::routing
