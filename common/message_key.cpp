#include "common/message_key.hpp"

#include <array>

#include <boost/json/serialize.hpp>

namespace warren {
namespace {

constexpr std::array<std::string_view, 5> kKeyProperties = {"message_id", "correlation_id", "type",
                                                            "user_id", "app_id"};

const std::optional<std::string>* property_field(const Properties& p, std::string_view name) {
    if (name == "message_id") {
        return &p.message_id;
    }
    if (name == "correlation_id") {
        return &p.correlation_id;
    }
    if (name == "type") {
        return &p.type;
    }
    if (name == "user_id") {
        return &p.user_id;
    }
    if (name == "app_id") {
        return &p.app_id;
    }
    return nullptr;
}

} // namespace

bool is_key_property(std::string_view name) {
    for (auto known : kKeyProperties) {
        if (known == name) {
            return true;
        }
    }
    return false;
}

Result<MessageKey> parse_message_key(std::string_view text) {
    constexpr std::string_view kHeader = "header:";
    constexpr std::string_view kProperty = "property:";
    if (text == "routing_key") {
        return MessageKey{MessageKey::Source::routing_key, {}};
    }
    if (text.starts_with(kHeader) && text.size() > kHeader.size()) {
        return MessageKey{MessageKey::Source::header, std::string(text.substr(kHeader.size()))};
    }
    if (text.starts_with(kProperty)) {
        auto name = text.substr(kProperty.size());
        if (is_key_property(name)) {
            return MessageKey{MessageKey::Source::property, std::string(name)};
        }
        return make_error(Errc::bad_request,
                          "unknown property '" + std::string(name) +
                              "': expected message_id, correlation_id, type, user_id or app_id");
    }
    return make_error(Errc::bad_request, "expected 'routing_key', 'header:<name>' or "
                                         "'property:<name>'");
}

std::string to_string(const MessageKey& key) {
    switch (key.source) {
    case MessageKey::Source::routing_key:
        return "routing_key";
    case MessageKey::Source::header:
        return "header:" + key.name;
    case MessageKey::Source::property:
        return "property:" + key.name;
    }
    return "routing_key";
}

std::optional<std::string> key_of(const Message& message, const MessageKey& key) {
    return key_of(message.routing_key, message.properties.headers, &message.properties, key);
}

std::optional<std::string> key_of(std::string_view routing_key, const boost::json::object& headers,
                                  const Properties* properties, const MessageKey& key) {
    switch (key.source) {
    case MessageKey::Source::routing_key:
        return std::string(routing_key);
    case MessageKey::Source::header: {
        const auto* value = headers.if_contains(key.name);
        if (value == nullptr || value->is_null()) {
            return std::nullopt;
        }
        if (value->is_string()) {
            return std::string(value->get_string());
        }
        return boost::json::serialize(*value);
    }
    case MessageKey::Source::property: {
        if (properties == nullptr) {
            return std::nullopt;
        }
        if (key.name == "timestamp") { // hash-property only (RabbitMQ's plugin offers it)
            if (!properties->timestamp) {
                return std::nullopt;
            }
            return std::to_string(*properties->timestamp);
        }
        const auto* field = property_field(*properties, key.name);
        if (field == nullptr || !field->has_value()) {
            return std::nullopt;
        }
        return **field;
    }
    }
    return std::nullopt;
}

} // namespace warren
