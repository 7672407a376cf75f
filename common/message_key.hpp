#pragma once

// MessageKey: which part of a message names its key. Message groups (x-group-by), the
// consistent-hash exchange (hash-header / hash-property) and deduplication
// (x-deduplication-header) all pick one value out of a message the same way, so they share
// one parser and one reader: a group, a hash and a duplicate agree on what "the key" is.

#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "common/message.hpp"

namespace warren {

struct MessageKey {
    enum class Source { routing_key, header, property };
    Source source = Source::routing_key;
    std::string name; // the header or property name; empty for routing_key

    friend bool operator==(const MessageKey&, const MessageKey&) = default;
};

// The properties a key may name: the string-valued ones a publisher sets per message.
bool is_key_property(std::string_view name);

// "routing_key", "header:<name>" or "property:<name>" (x-group-by's form). Errors are
// bad_request reasons that say which forms exist.
Result<MessageKey> parse_message_key(std::string_view text);
std::string to_string(const MessageKey& key);

// The message's key, or nothing when the message does not carry it (no such header, a null
// header, an unset property). A header that is not a string keys by its JSON text, so 42 and
// "42" are different keys, as they are different values.
std::optional<std::string> key_of(const Message& message, const MessageKey& key);
// The same from a message's parts, as routing sees them (properties may be null: no property).
std::optional<std::string> key_of(std::string_view routing_key, const boost::json::object& headers,
                                  const Properties* properties, const MessageKey& key);

} // namespace warren
