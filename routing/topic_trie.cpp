#include "routing/topic_trie.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

namespace warren::routing {

struct TopicTrie::Node {
    std::unordered_map<std::string, std::unique_ptr<Node>, WordHash, WordEqual> children;
    std::unique_ptr<Node> star; // the word "*"
    std::unique_ptr<Node> hash; // the word "#"
    std::vector<BoundDestination> bindings;

    bool empty() const { return bindings.empty() && children.empty() && !star && !hash; }

    // The child for pattern word `word`, created if absent.
    Node& child_or_add(std::string_view word) {
        std::unique_ptr<Node>* slot = &star;
        if (word == "#") {
            slot = &hash;
        } else if (word != "*") {
            auto it = children.find(word);
            if (it == children.end()) {
                it = children.emplace(std::string(word), nullptr).first;
            }
            slot = &it->second;
        }
        if (!*slot) {
            *slot = std::make_unique<Node>();
        }
        return **slot;
    }

    // The child for pattern word `word`, or nullptr.
    Node* child(std::string_view word) const {
        if (word == "*") {
            return star.get();
        }
        if (word == "#") {
            return hash.get();
        }
        const auto it = children.find(word);
        return it != children.end() ? it->second.get() : nullptr;
    }

    void remove_child(std::string_view word) {
        if (word == "*") {
            star.reset();
        } else if (word == "#") {
            hash.reset();
        } else if (const auto it = children.find(word); it != children.end()) {
            children.erase(it);
        }
    }

    std::size_t count() const {
        std::size_t n = 0;
        for (const auto& [word, next] : children) {
            n += 1 + next->count();
        }
        for (const Node* next : {star.get(), hash.get()}) {
            n += next ? 1 + next->count() : 0;
        }
        return n;
    }
};

TopicTrie::TopicTrie() : root_(std::make_unique<Node>()) {}
TopicTrie::~TopicTrie() = default;
TopicTrie::TopicTrie(TopicTrie&&) noexcept = default;
TopicTrie& TopicTrie::operator=(TopicTrie&&) noexcept = default;

bool TopicTrie::insert(std::string_view binding_key, const Destination& destination,
                       const boost::json::object& arguments) {
    TopicWords words;
    split_topic_key(binding_key, words);
    Node* node = root_.get();
    for (const HashedWord& w : words) {
        node = &node->child_or_add(w.text);
    }
    if (!add_unique(node->bindings, destination, arguments)) {
        return false;
    }
    ++binding_count_;
    return true;
}

bool TopicTrie::erase(std::string_view binding_key, const Destination& destination,
                      const boost::json::object& arguments) {
    TopicWords words;
    split_topic_key(binding_key, words);
    boost::container::small_vector<Node*, 16> path{root_.get()};
    for (const HashedWord& w : words) {
        Node* child = path.back()->child(w.text);
        if (child == nullptr) {
            return false;
        }
        path.push_back(child);
    }
    if (!remove_one(path.back()->bindings, destination, arguments)) {
        return false;
    }
    --binding_count_;
    // Prune from the leaf up: path[i] is the child of path[i - 1] reached by words[i - 1].
    for (std::size_t i = path.size() - 1; i > 0 && path[i]->empty(); --i) {
        path[i - 1]->remove_child(words[i - 1].text);
    }
    return true;
}

struct TopicTrie::Matcher {
    const TopicWords& words;
    std::vector<const Destination*>& out;
    // For each '#' node entered so far: the lowest key position it has been explored from.
    boost::container::small_vector<std::pair<const Node*, std::size_t>, 8> hash_from;

    // `node` has consumed words [0, i).
    void visit(const Node& node, std::size_t i) {
        if (node.hash) {
            enter_hash(*node.hash, i);
        }
        if (i == words.size()) {
            for (const BoundDestination& b : node.bindings) {
                out.push_back(&b.destination);
            }
            return;
        }
        if (!node.children.empty()) {
            const auto it = node.children.find(words[i]);
            if (it != node.children.end()) {
                visit(*it->second, i + 1);
            }
        }
        if (node.star) {
            visit(*node.star, i + 1);
        }
    }

    // '#' consumes words [from, j) for every j >= from. Positions explored by an earlier entry
    // from a lower position are not explored again.
    void enter_hash(const Node& hash, std::size_t from) {
        std::size_t to = words.size() + 1;
        const auto seen = std::find_if(hash_from.begin(), hash_from.end(),
                                       [&](const auto& e) { return e.first == &hash; });
        if (seen == hash_from.end()) {
            hash_from.emplace_back(&hash, from);
        } else if (seen->second <= from) {
            return;
        } else {
            to = seen->second;
            seen->second = from;
        }
        for (std::size_t j = from; j < to; ++j) {
            visit(hash, j);
        }
    }
};

void TopicTrie::match(std::string_view routing_key, std::vector<const Destination*>& out) const {
    TopicWords words;
    split_topic_key(routing_key, words);
    match(words, out);
}

void TopicTrie::match(const TopicWords& key, std::vector<const Destination*>& out) const {
    Matcher{key, out, {}}.visit(*root_, 0);
}

bool TopicTrie::contains(const TopicWords& binding_key, const Destination& destination,
                         const boost::json::object& arguments) const {
    const Node* node = root_.get();
    for (const HashedWord& w : binding_key) {
        node = node->child(w.text);
        if (node == nullptr) {
            return false;
        }
    }
    return std::any_of(node->bindings.begin(), node->bindings.end(), [&](const auto& b) {
        return b.destination == destination && b.arguments == arguments;
    });
}

std::size_t TopicTrie::node_count() const {
    return root_->count();
}

} // namespace warren::routing
