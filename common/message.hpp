#pragma once

// Message and Properties: the value types that flow from a publisher through routing to queues.
// A message is immutable once published and shared (MessagePtr) by every queue it reaches, so a
// fanout to many queues keeps one copy of the body. Headers are an AMQP field table, which warren
// represents as JSON (its wire format everywhere); the AMQP type letters that JSON does not carry
// ride along in header_types so that consumers get the types publishers sent.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/json/object.hpp>

namespace warren {

struct Properties {
    std::optional<std::string> content_type;
    std::optional<std::string> content_encoding;
    boost::json::object headers;
    // Internal, never shown over HTTP or WebSocket: the AMQP type letters of the header values
    // that JSON alone would not give back, keyed by JSON Pointer into `headers` ("/price" ->
    // "D2", "/x-death/0/time" -> "T"; amqp/codec/field_table.hpp has the format). Empty for
    // headers published over HTTP or WebSocket, which go out with the default letters (integers
    // as long, numbers as double, as RabbitMQ does). Whoever changes a header may leave its
    // record: a changed value keeps its letter while it fits it, else it takes the default.
    boost::json::object header_types;
    std::optional<std::uint8_t> delivery_mode; // 1 transient, 2 persistent
    std::optional<std::uint8_t> priority;
    std::optional<std::string> correlation_id;
    std::optional<std::string> reply_to;
    std::optional<std::string> expiration; // milliseconds, as a decimal string (AMQP)
    std::optional<std::string> message_id;
    std::optional<std::int64_t> timestamp; // seconds since the epoch
    std::optional<std::string> type;
    std::optional<std::string> user_id;
    std::optional<std::string> app_id;

    bool persistent() const { return delivery_mode && *delivery_mode == 2; }
    friend bool operator==(const Properties&, const Properties&) = default;
};

struct Message {
    std::string exchange;    // the exchange it was published to ("" = default exchange)
    std::string routing_key; // as published
    Properties properties;
    std::shared_ptr<const std::string> body; // binary-safe bytes, never null

    std::size_t body_size() const { return body ? body->size() : 0; }
};

using MessagePtr = std::shared_ptr<const Message>;

inline MessagePtr make_message(std::string exchange, std::string routing_key, Properties properties,
                               std::string body) {
    return std::make_shared<const Message>(
        Message{std::move(exchange), std::move(routing_key), std::move(properties),
                std::make_shared<const std::string>(std::move(body))});
}

} // namespace warren
