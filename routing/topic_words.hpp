#pragma once

// Topic keys as words. RabbitMQ's split rule (rabbit_db_topic_exchange:split_topic_key): "" has
// zero words; otherwise every '.' separates two words, which may be empty ("a..b" is a,"",b; "a."
// is a,""). A key is split once per route; each word carries its hash so that every index lookup
// reuses it, through the transparent WordHash / WordEqual below.

#include <cstddef>
#include <string_view>

#include <boost/container/small_vector.hpp>

#include "routing/string_hash.hpp"

namespace warren::routing {

struct HashedWord {
    std::string_view text;
    std::size_t hash;
};

// Inline capacity covers realistic keys; longer ones spill to the heap.
using TopicWords = boost::container::small_vector<HashedWord, 16>;

// Splits `key` by RabbitMQ's rule into `words` (cleared first).
void split_topic_key(std::string_view key, TopicWords& words);

// For std::unordered_map<std::string, T, WordHash, WordEqual>: find(HashedWord) neither builds a
// std::string nor hashes the word again.
struct WordHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return hash_string(s); }
    std::size_t operator()(const HashedWord& w) const noexcept { return w.hash; }
};

struct WordEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
    bool operator()(const HashedWord& a, std::string_view b) const noexcept { return a.text == b; }
    bool operator()(std::string_view a, const HashedWord& b) const noexcept { return a == b.text; }
};

} // namespace warren::routing
