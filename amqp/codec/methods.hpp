#pragma once

// The AMQP 0-9-1 methods (spec section 1, with RabbitMQ's extensions: exchange.bind/unbind,
// basic.nack, confirm.select, connection.blocked/unblocked/update-secret), one struct each: its
// class and method ids and its fields in wire order. `fields(v)` lists them once for both
// directions: WireReader fills them (decode_method), WireWriter writes them (append_method).
// Reserved fields are read and dropped, and written as zero.
//
// Thread: any; pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "amqp/codec/wire.hpp"

namespace warren::amqp {

struct ConnectionStart {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 10;
    static constexpr std::string_view kName = "connection.start";
    std::uint8_t version_major{0};
    std::uint8_t version_minor{9};
    FieldTable server_properties;
    std::string mechanisms;
    std::string locales;
    template <class V> void fields(V& v) {
        v.octet(version_major);
        v.octet(version_minor);
        v.table(server_properties);
        v.longstr(mechanisms);
        v.longstr(locales);
    }
};

struct ConnectionStartOk {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 11;
    static constexpr std::string_view kName = "connection.start-ok";
    FieldTable client_properties;
    std::string mechanism;
    std::string response;
    std::string locale;
    template <class V> void fields(V& v) {
        v.table(client_properties);
        v.shortstr(mechanism);
        v.longstr(response);
        v.shortstr(locale);
    }
};

struct ConnectionSecure {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 20;
    static constexpr std::string_view kName = "connection.secure";
    std::string challenge;
    template <class V> void fields(V& v) { v.longstr(challenge); }
};

struct ConnectionSecureOk {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 21;
    static constexpr std::string_view kName = "connection.secure-ok";
    std::string response;
    template <class V> void fields(V& v) { v.longstr(response); }
};

struct ConnectionTune {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 30;
    static constexpr std::string_view kName = "connection.tune";
    std::uint16_t channel_max{0};
    std::uint32_t frame_max{0};
    std::uint16_t heartbeat{0};
    template <class V> void fields(V& v) {
        v.short_(channel_max);
        v.long_(frame_max);
        v.short_(heartbeat);
    }
};

struct ConnectionTuneOk {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 31;
    static constexpr std::string_view kName = "connection.tune-ok";
    std::uint16_t channel_max{0};
    std::uint32_t frame_max{0};
    std::uint16_t heartbeat{0};
    template <class V> void fields(V& v) {
        v.short_(channel_max);
        v.long_(frame_max);
        v.short_(heartbeat);
    }
};

struct ConnectionOpen {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 40;
    static constexpr std::string_view kName = "connection.open";
    std::string virtual_host;
    template <class V> void fields(V& v) {
        v.shortstr(virtual_host);
        v.reserved_shortstr();
        v.reserved_bit();
    }
};

struct ConnectionOpenOk {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 41;
    static constexpr std::string_view kName = "connection.open-ok";
    template <class V> void fields(V& v) { v.reserved_shortstr(); }
};

struct ConnectionClose {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 50;
    static constexpr std::string_view kName = "connection.close";
    std::uint16_t reply_code{0};
    std::string reply_text;
    std::uint16_t class_id{0};
    std::uint16_t method_id{0};
    template <class V> void fields(V& v) {
        v.short_(reply_code);
        v.shortstr(reply_text);
        v.short_(class_id);
        v.short_(method_id);
    }
};

struct ConnectionCloseOk {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 51;
    static constexpr std::string_view kName = "connection.close-ok";
    template <class V> void fields(V&) {}
};

struct ConnectionBlocked {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 60;
    static constexpr std::string_view kName = "connection.blocked";
    std::string reason;
    template <class V> void fields(V& v) { v.shortstr(reason); }
};

struct ConnectionUnblocked {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 61;
    static constexpr std::string_view kName = "connection.unblocked";
    template <class V> void fields(V&) {}
};

struct ConnectionUpdateSecret {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 70;
    static constexpr std::string_view kName = "connection.update-secret";
    std::string new_secret;
    std::string reason;
    template <class V> void fields(V& v) {
        v.longstr(new_secret);
        v.shortstr(reason);
    }
};

struct ConnectionUpdateSecretOk {
    static constexpr std::uint16_t kClass = 10;
    static constexpr std::uint16_t kMethod = 71;
    static constexpr std::string_view kName = "connection.update-secret-ok";
    template <class V> void fields(V&) {}
};

struct ChannelOpen {
    static constexpr std::uint16_t kClass = 20;
    static constexpr std::uint16_t kMethod = 10;
    static constexpr std::string_view kName = "channel.open";
    template <class V> void fields(V& v) { v.reserved_shortstr(); }
};

struct ChannelOpenOk {
    static constexpr std::uint16_t kClass = 20;
    static constexpr std::uint16_t kMethod = 11;
    static constexpr std::string_view kName = "channel.open-ok";
    template <class V> void fields(V& v) { v.reserved_longstr(); }
};

struct ChannelFlow {
    static constexpr std::uint16_t kClass = 20;
    static constexpr std::uint16_t kMethod = 20;
    static constexpr std::string_view kName = "channel.flow";
    bool active{false};
    template <class V> void fields(V& v) { v.bit(active); }
};

struct ChannelFlowOk {
    static constexpr std::uint16_t kClass = 20;
    static constexpr std::uint16_t kMethod = 21;
    static constexpr std::string_view kName = "channel.flow-ok";
    bool active{false};
    template <class V> void fields(V& v) { v.bit(active); }
};

struct ChannelClose {
    static constexpr std::uint16_t kClass = 20;
    static constexpr std::uint16_t kMethod = 40;
    static constexpr std::string_view kName = "channel.close";
    std::uint16_t reply_code{0};
    std::string reply_text;
    std::uint16_t class_id{0};
    std::uint16_t method_id{0};
    template <class V> void fields(V& v) {
        v.short_(reply_code);
        v.shortstr(reply_text);
        v.short_(class_id);
        v.short_(method_id);
    }
};

struct ChannelCloseOk {
    static constexpr std::uint16_t kClass = 20;
    static constexpr std::uint16_t kMethod = 41;
    static constexpr std::string_view kName = "channel.close-ok";
    template <class V> void fields(V&) {}
};

struct ExchangeDeclare {
    static constexpr std::uint16_t kClass = 40;
    static constexpr std::uint16_t kMethod = 10;
    static constexpr std::string_view kName = "exchange.declare";
    std::string exchange;
    std::string type;
    bool passive{false};
    bool durable{false};
    bool auto_delete{false};
    bool internal{false};
    bool no_wait{false};
    FieldTable arguments;
    template <class V> void fields(V& v) {
        v.reserved_short();
        v.shortstr(exchange);
        v.shortstr(type);
        v.bit(passive);
        v.bit(durable);
        v.bit(auto_delete);
        v.bit(internal);
        v.bit(no_wait);
        v.table(arguments);
    }
};

struct ExchangeDeclareOk {
    static constexpr std::uint16_t kClass = 40;
    static constexpr std::uint16_t kMethod = 11;
    static constexpr std::string_view kName = "exchange.declare-ok";
    template <class V> void fields(V&) {}
};

struct ExchangeDelete {
    static constexpr std::uint16_t kClass = 40;
    static constexpr std::uint16_t kMethod = 20;
    static constexpr std::string_view kName = "exchange.delete";
    std::string exchange;
    bool if_unused{false};
    bool no_wait{false};
    template <class V> void fields(V& v) {
        v.reserved_short();
        v.shortstr(exchange);
        v.bit(if_unused);
        v.bit(no_wait);
    }
};

struct ExchangeDeleteOk {
    static constexpr std::uint16_t kClass = 40;
    static constexpr std::uint16_t kMethod = 21;
    static constexpr std::string_view kName = "exchange.delete-ok";
    template <class V> void fields(V&) {}
};

struct ExchangeBind {
    static constexpr std::uint16_t kClass = 40;
    static constexpr std::uint16_t kMethod = 30;
    static constexpr std::string_view kName = "exchange.bind";
    std::string destination;
    std::string source;
    std::string routing_key;
    bool no_wait{false};
    FieldTable arguments;
    template <class V> void fields(V& v) {
        v.reserved_short();
        v.shortstr(destination);
        v.shortstr(source);
        v.shortstr(routing_key);
        v.bit(no_wait);
        v.table(arguments);
    }
};

struct ExchangeBindOk {
    static constexpr std::uint16_t kClass = 40;
    static constexpr std::uint16_t kMethod = 31;
    static constexpr std::string_view kName = "exchange.bind-ok";
    template <class V> void fields(V&) {}
};

struct ExchangeUnbind {
    static constexpr std::uint16_t kClass = 40;
    static constexpr std::uint16_t kMethod = 40;
    static constexpr std::string_view kName = "exchange.unbind";
    std::string destination;
    std::string source;
    std::string routing_key;
    bool no_wait{false};
    FieldTable arguments;
    template <class V> void fields(V& v) {
        v.reserved_short();
        v.shortstr(destination);
        v.shortstr(source);
        v.shortstr(routing_key);
        v.bit(no_wait);
        v.table(arguments);
    }
};

struct ExchangeUnbindOk {
    static constexpr std::uint16_t kClass = 40;
    static constexpr std::uint16_t kMethod = 51;
    static constexpr std::string_view kName = "exchange.unbind-ok";
    template <class V> void fields(V&) {}
};

struct QueueDeclare {
    static constexpr std::uint16_t kClass = 50;
    static constexpr std::uint16_t kMethod = 10;
    static constexpr std::string_view kName = "queue.declare";
    std::string queue;
    bool passive{false};
    bool durable{false};
    bool exclusive{false};
    bool auto_delete{false};
    bool no_wait{false};
    FieldTable arguments;
    template <class V> void fields(V& v) {
        v.reserved_short();
        v.shortstr(queue);
        v.bit(passive);
        v.bit(durable);
        v.bit(exclusive);
        v.bit(auto_delete);
        v.bit(no_wait);
        v.table(arguments);
    }
};

struct QueueDeclareOk {
    static constexpr std::uint16_t kClass = 50;
    static constexpr std::uint16_t kMethod = 11;
    static constexpr std::string_view kName = "queue.declare-ok";
    std::string queue;
    std::uint32_t message_count{0};
    std::uint32_t consumer_count{0};
    template <class V> void fields(V& v) {
        v.shortstr(queue);
        v.long_(message_count);
        v.long_(consumer_count);
    }
};

struct QueueBind {
    static constexpr std::uint16_t kClass = 50;
    static constexpr std::uint16_t kMethod = 20;
    static constexpr std::string_view kName = "queue.bind";
    std::string queue;
    std::string exchange;
    std::string routing_key;
    bool no_wait{false};
    FieldTable arguments;
    template <class V> void fields(V& v) {
        v.reserved_short();
        v.shortstr(queue);
        v.shortstr(exchange);
        v.shortstr(routing_key);
        v.bit(no_wait);
        v.table(arguments);
    }
};

struct QueueBindOk {
    static constexpr std::uint16_t kClass = 50;
    static constexpr std::uint16_t kMethod = 21;
    static constexpr std::string_view kName = "queue.bind-ok";
    template <class V> void fields(V&) {}
};

struct QueuePurge {
    static constexpr std::uint16_t kClass = 50;
    static constexpr std::uint16_t kMethod = 30;
    static constexpr std::string_view kName = "queue.purge";
    std::string queue;
    bool no_wait{false};
    template <class V> void fields(V& v) {
        v.reserved_short();
        v.shortstr(queue);
        v.bit(no_wait);
    }
};

struct QueuePurgeOk {
    static constexpr std::uint16_t kClass = 50;
    static constexpr std::uint16_t kMethod = 31;
    static constexpr std::string_view kName = "queue.purge-ok";
    std::uint32_t message_count{0};
    template <class V> void fields(V& v) { v.long_(message_count); }
};

struct QueueDelete {
    static constexpr std::uint16_t kClass = 50;
    static constexpr std::uint16_t kMethod = 40;
    static constexpr std::string_view kName = "queue.delete";
    std::string queue;
    bool if_unused{false};
    bool if_empty{false};
    bool no_wait{false};
    template <class V> void fields(V& v) {
        v.reserved_short();
        v.shortstr(queue);
        v.bit(if_unused);
        v.bit(if_empty);
        v.bit(no_wait);
    }
};

struct QueueDeleteOk {
    static constexpr std::uint16_t kClass = 50;
    static constexpr std::uint16_t kMethod = 41;
    static constexpr std::string_view kName = "queue.delete-ok";
    std::uint32_t message_count{0};
    template <class V> void fields(V& v) { v.long_(message_count); }
};

struct QueueUnbind {
    static constexpr std::uint16_t kClass = 50;
    static constexpr std::uint16_t kMethod = 50;
    static constexpr std::string_view kName = "queue.unbind";
    std::string queue;
    std::string exchange;
    std::string routing_key;
    FieldTable arguments;
    template <class V> void fields(V& v) {
        v.reserved_short();
        v.shortstr(queue);
        v.shortstr(exchange);
        v.shortstr(routing_key);
        v.table(arguments);
    }
};

struct QueueUnbindOk {
    static constexpr std::uint16_t kClass = 50;
    static constexpr std::uint16_t kMethod = 51;
    static constexpr std::string_view kName = "queue.unbind-ok";
    template <class V> void fields(V&) {}
};

struct BasicQos {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 10;
    static constexpr std::string_view kName = "basic.qos";
    std::uint32_t prefetch_size{0};
    std::uint16_t prefetch_count{0};
    bool global{false};
    template <class V> void fields(V& v) {
        v.long_(prefetch_size);
        v.short_(prefetch_count);
        v.bit(global);
    }
};

struct BasicQosOk {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 11;
    static constexpr std::string_view kName = "basic.qos-ok";
    template <class V> void fields(V&) {}
};

struct BasicConsume {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 20;
    static constexpr std::string_view kName = "basic.consume";
    std::string queue;
    std::string consumer_tag;
    bool no_local{false};
    bool no_ack{false};
    bool exclusive{false};
    bool no_wait{false};
    FieldTable arguments;
    template <class V> void fields(V& v) {
        v.reserved_short();
        v.shortstr(queue);
        v.shortstr(consumer_tag);
        v.bit(no_local);
        v.bit(no_ack);
        v.bit(exclusive);
        v.bit(no_wait);
        v.table(arguments);
    }
};

struct BasicConsumeOk {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 21;
    static constexpr std::string_view kName = "basic.consume-ok";
    std::string consumer_tag;
    template <class V> void fields(V& v) { v.shortstr(consumer_tag); }
};

struct BasicCancel {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 30;
    static constexpr std::string_view kName = "basic.cancel";
    std::string consumer_tag;
    bool no_wait{false};
    template <class V> void fields(V& v) {
        v.shortstr(consumer_tag);
        v.bit(no_wait);
    }
};

struct BasicCancelOk {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 31;
    static constexpr std::string_view kName = "basic.cancel-ok";
    std::string consumer_tag;
    template <class V> void fields(V& v) { v.shortstr(consumer_tag); }
};

struct BasicPublish {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 40;
    static constexpr std::string_view kName = "basic.publish";
    std::string exchange;
    std::string routing_key;
    bool mandatory{false};
    bool immediate{false};
    template <class V> void fields(V& v) {
        v.reserved_short();
        v.shortstr(exchange);
        v.shortstr(routing_key);
        v.bit(mandatory);
        v.bit(immediate);
    }
};

struct BasicReturn {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 50;
    static constexpr std::string_view kName = "basic.return";
    std::uint16_t reply_code{0};
    std::string reply_text;
    std::string exchange;
    std::string routing_key;
    template <class V> void fields(V& v) {
        v.short_(reply_code);
        v.shortstr(reply_text);
        v.shortstr(exchange);
        v.shortstr(routing_key);
    }
};

struct BasicDeliver {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 60;
    static constexpr std::string_view kName = "basic.deliver";
    std::string consumer_tag;
    std::uint64_t delivery_tag{0};
    bool redelivered{false};
    std::string exchange;
    std::string routing_key;
    template <class V> void fields(V& v) {
        v.shortstr(consumer_tag);
        v.longlong(delivery_tag);
        v.bit(redelivered);
        v.shortstr(exchange);
        v.shortstr(routing_key);
    }
};

struct BasicGet {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 70;
    static constexpr std::string_view kName = "basic.get";
    std::string queue;
    bool no_ack{false};
    template <class V> void fields(V& v) {
        v.reserved_short();
        v.shortstr(queue);
        v.bit(no_ack);
    }
};

struct BasicGetOk {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 71;
    static constexpr std::string_view kName = "basic.get-ok";
    std::uint64_t delivery_tag{0};
    bool redelivered{false};
    std::string exchange;
    std::string routing_key;
    std::uint32_t message_count{0};
    template <class V> void fields(V& v) {
        v.longlong(delivery_tag);
        v.bit(redelivered);
        v.shortstr(exchange);
        v.shortstr(routing_key);
        v.long_(message_count);
    }
};

struct BasicGetEmpty {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 72;
    static constexpr std::string_view kName = "basic.get-empty";
    template <class V> void fields(V& v) { v.reserved_shortstr(); }
};

struct BasicAck {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 80;
    static constexpr std::string_view kName = "basic.ack";
    std::uint64_t delivery_tag{0};
    bool multiple{false};
    template <class V> void fields(V& v) {
        v.longlong(delivery_tag);
        v.bit(multiple);
    }
};

struct BasicReject {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 90;
    static constexpr std::string_view kName = "basic.reject";
    std::uint64_t delivery_tag{0};
    bool requeue{true};
    template <class V> void fields(V& v) {
        v.longlong(delivery_tag);
        v.bit(requeue);
    }
};

struct BasicRecoverAsync {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 100;
    static constexpr std::string_view kName = "basic.recover-async";
    bool requeue{false};
    template <class V> void fields(V& v) { v.bit(requeue); }
};

struct BasicRecover {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 110;
    static constexpr std::string_view kName = "basic.recover";
    bool requeue{false};
    template <class V> void fields(V& v) { v.bit(requeue); }
};

struct BasicRecoverOk {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 111;
    static constexpr std::string_view kName = "basic.recover-ok";
    template <class V> void fields(V&) {}
};

struct BasicNack {
    static constexpr std::uint16_t kClass = 60;
    static constexpr std::uint16_t kMethod = 120;
    static constexpr std::string_view kName = "basic.nack";
    std::uint64_t delivery_tag{0};
    bool multiple{false};
    bool requeue{true};
    template <class V> void fields(V& v) {
        v.longlong(delivery_tag);
        v.bit(multiple);
        v.bit(requeue);
    }
};

struct ConfirmSelect {
    static constexpr std::uint16_t kClass = 85;
    static constexpr std::uint16_t kMethod = 10;
    static constexpr std::string_view kName = "confirm.select";
    bool no_wait{false};
    template <class V> void fields(V& v) { v.bit(no_wait); }
};

struct ConfirmSelectOk {
    static constexpr std::uint16_t kClass = 85;
    static constexpr std::uint16_t kMethod = 11;
    static constexpr std::string_view kName = "confirm.select-ok";
    template <class V> void fields(V&) {}
};

struct TxSelect {
    static constexpr std::uint16_t kClass = 90;
    static constexpr std::uint16_t kMethod = 10;
    static constexpr std::string_view kName = "tx.select";
    template <class V> void fields(V&) {}
};

struct TxSelectOk {
    static constexpr std::uint16_t kClass = 90;
    static constexpr std::uint16_t kMethod = 11;
    static constexpr std::string_view kName = "tx.select-ok";
    template <class V> void fields(V&) {}
};

struct TxCommit {
    static constexpr std::uint16_t kClass = 90;
    static constexpr std::uint16_t kMethod = 20;
    static constexpr std::string_view kName = "tx.commit";
    template <class V> void fields(V&) {}
};

struct TxCommitOk {
    static constexpr std::uint16_t kClass = 90;
    static constexpr std::uint16_t kMethod = 21;
    static constexpr std::string_view kName = "tx.commit-ok";
    template <class V> void fields(V&) {}
};

struct TxRollback {
    static constexpr std::uint16_t kClass = 90;
    static constexpr std::uint16_t kMethod = 30;
    static constexpr std::string_view kName = "tx.rollback";
    template <class V> void fields(V&) {}
};

struct TxRollbackOk {
    static constexpr std::uint16_t kClass = 90;
    static constexpr std::uint16_t kMethod = 31;
    static constexpr std::string_view kName = "tx.rollback-ok";
    template <class V> void fields(V&) {}
};

using Method = std::variant<
    ConnectionStart, ConnectionStartOk, ConnectionSecure, ConnectionSecureOk, ConnectionTune,
    ConnectionTuneOk, ConnectionOpen, ConnectionOpenOk, ConnectionClose, ConnectionCloseOk,
    ConnectionBlocked, ConnectionUnblocked, ConnectionUpdateSecret, ConnectionUpdateSecretOk,
    ChannelOpen, ChannelOpenOk, ChannelFlow, ChannelFlowOk, ChannelClose, ChannelCloseOk,
    ExchangeDeclare, ExchangeDeclareOk, ExchangeDelete, ExchangeDeleteOk, ExchangeBind,
    ExchangeBindOk, ExchangeUnbind, ExchangeUnbindOk, QueueDeclare, QueueDeclareOk, QueueBind,
    QueueBindOk, QueuePurge, QueuePurgeOk, QueueDelete, QueueDeleteOk, QueueUnbind, QueueUnbindOk,
    BasicQos, BasicQosOk, BasicConsume, BasicConsumeOk, BasicCancel, BasicCancelOk, BasicPublish,
    BasicReturn, BasicDeliver, BasicGet, BasicGetOk, BasicGetEmpty, BasicAck, BasicReject,
    BasicRecoverAsync, BasicRecover, BasicRecoverOk, BasicNack, ConfirmSelect, ConfirmSelectOk,
    TxSelect, TxSelectOk, TxCommit, TxCommitOk, TxRollback, TxRollbackOk>;

// Why a method frame could not be decoded: the reply code that closes the connection
// (SYNTAX_ERROR for fields that do not parse, NOT_IMPLEMENTED / COMMAND_INVALID for an unknown
// class or method) and the ids it named, for connection.close.
struct MethodError {
    std::uint16_t reply_code = 0;
    std::string text;
    std::uint16_t class_id = 0;
    std::uint16_t method_id = 0;
};

struct DecodedMethod {
    std::optional<Method> method; // empty: `error` says why
    MethodError error;
};

// A method frame's payload: class id, method id, fields.
DecodedMethod decode_method(std::string_view payload);

// Appends a method frame on `channel`.
void append_method(std::string& out, std::uint16_t channel, const Method& method);

std::uint16_t class_id_of(const Method& method);
std::uint16_t method_id_of(const Method& method);
std::string_view name_of(const Method& method);

} // namespace warren::amqp
