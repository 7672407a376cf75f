#include "routing/topic_exchange.hpp"

namespace warren::routing {

bool TopicExchange::bind(const Destination& destination, std::string_view binding_key,
                         const boost::json::object& arguments) {
    TopicWords words;
    split_topic_key(binding_key, words);
    // Where a binding goes depends on the shapes present when it is made, so an identical one
    // may sit in either index.
    if (shapes_.contains(words, destination, arguments) ||
        trie_.contains(words, destination, arguments)) {
        return false;
    }
    if (TopicShapeIndex::accepts(words) &&
        (shapes_.shape_count() < kMaxShapes || shapes_.has_shape_of(words))) {
        return shapes_.insert(words, destination, arguments);
    }
    return trie_.insert(binding_key, destination, arguments);
}

bool TopicExchange::unbind(const Destination& destination, std::string_view binding_key,
                           const boost::json::object& arguments) {
    TopicWords words;
    split_topic_key(binding_key, words);
    return shapes_.erase(words, destination, arguments) ||
           trie_.erase(binding_key, destination, arguments);
}

void TopicExchange::collect(std::string_view routing_key, const boost::json::object& /*headers*/,
                            std::vector<const Destination*>& out) const {
    TopicWords words;
    split_topic_key(routing_key, words);
    shapes_.match(words, out);
    if (trie_.binding_count() != 0) {
        trie_.match(words, out);
    }
}

} // namespace warren::routing
