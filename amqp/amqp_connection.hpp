#pragma once

// AmqpConnection: one AMQP 0-9-1 client (DESIGN.md section 8) over a Transport, on the broker's
// thread (threading model A, as the WebSocket sessions). Three coroutines:
// - the reader takes what the socket holds, cuts every whole frame (amqp/codec) and acts on it
//   at once: the handshake (protocol header, start/start-ok with PLAIN or AMQPLAIN, tune, open),
//   then each channel's methods and content (AmqpChannel);
// - the writer hands everything queued (one buffer of whole frames) to one socket write;
// - the heartbeat loop sends a heartbeat when nothing else went out for half the negotiated
//   interval, and drops a client that sent nothing for two intervals.
// Errors close as RabbitMQ does: a channel error closes the channel (channel.close with the
// reply code and "NAME - text"), a connection error the connection (connection.close, then the
// socket once the client answers or after a timeout). A malformed frame never reaches the
// broker: it is a FRAME_ERROR or SYNTAX_ERROR.
//
// The connection's own server::Session owns its exclusive queues and lists it; each channel has
// a Session of its own under it (SessionInfo::parent) for its consumers and delivery tags.
//
// Lifetime: shared_ptr, kept by its coroutines and pending commit callbacks (weak). The Broker
// must outlive it. Thread: the connection's executor, which is the broker's.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "amqp/codec/frame.hpp"
#include "amqp/codec/methods.hpp"
#include "common/transport.hpp"
#include "server/broker.hpp"
#include "server/principal.hpp"
#include "server/session.hpp"

namespace warren::amqp {

class AmqpChannel;

struct AmqpLimits {
    std::uint32_t frame_max = 131072; // proposed in connection.tune (RabbitMQ's default)
    std::uint16_t channel_max = 2047; // likewise
    std::uint16_t heartbeat_s = 60;   // likewise; the client's tune-ok decides
    std::uint64_t max_message_size = 16u << 20;
    std::size_t outbox_bytes = 1u << 20; // deliveries pause past this many bytes queued
    std::chrono::steady_clock::duration handshake_timeout = std::chrono::seconds(10);
    std::chrono::steady_clock::duration close_timeout = std::chrono::seconds(3);
};

class AmqpConnection : public std::enable_shared_from_this<AmqpConnection> {
public:
    AmqpConnection(Transport transport, server::Broker& broker, const AmqpLimits& limits);
    ~AmqpConnection();
    AmqpConnection(const AmqpConnection&) = delete;
    AmqpConnection& operator=(const AmqpConnection&) = delete;

    // Serves the client until the connection ends. Never throws for network errors.
    boost::asio::awaitable<void> run();
    // Server shutdown: connection.close 320 CONNECTION_FORCED. On the connection's executor.
    void close();

    // For channels (amqp_channel.cpp).
    server::Broker& broker() { return broker_; }
    const server::Principal& principal() const { return principal_; }
    const std::string& vhost() const { return vhost_; }
    std::uint32_t frame_max() const { return frame_max_; }
    const AmqpLimits& limits() const { return limits_; }
    std::uint64_t session_id() const { return session_->id(); }
    const std::string& name() const { return name_; }
    bool wants_cancel_notify() const { return cancel_notify_; }
    // A channel is publishing: under a resource alarm, connection.blocked goes out (once).
    void on_publishing();
    // Where frames for the client go; the writer sends them in order.
    std::string& outbox() { return outbox_; }
    void wake_writer();
    // Deliveries may be queued while the outbox is under its bound.
    bool accepting_deliveries() const { return !stopped_ && outbox_.size() < limits_.outbox_bytes; }
    // A connection-level error: connection.close with `code`, for the method it names.
    void connection_error(std::uint16_t code, const std::string& text, std::uint16_t class_id = 0,
                          std::uint16_t method_id = 0);

private:
    enum class State { header, start_ok, tune_ok, open, running, closing };

    boost::asio::awaitable<void> read_loop();
    boost::asio::awaitable<void> write_loop();
    boost::asio::awaitable<void> heartbeat_loop();
    void spawn(boost::asio::awaitable<void> loop, const char* what);
    // Handles the bytes read so far; false when the connection is to end.
    bool on_bytes();
    void on_frame(const Frame& frame);
    void on_connection_method(Method& method);
    void on_start_ok(ConnectionStartOk& start_ok);
    void on_tune_ok(const ConnectionTuneOk& tune_ok);
    void on_open(const ConnectionOpen& open);

    void on_channel_frame(const Frame& frame);
    void send_method(std::uint16_t channel, const Method& method);
    void stop();

    Transport transport_;
    server::Broker& broker_;
    AmqpLimits limits_;
    std::string name_; // "127.0.0.1:5000 -> 127.0.0.1:5672"
    boost::asio::ip::tcp::endpoint remote_;
    server::Principal principal_;
    std::string vhost_;
    std::unique_ptr<server::Session> session_;
    std::map<std::uint16_t, std::unique_ptr<AmqpChannel>> channels_;
    State state_ = State::header;
    // Bytes read: [read_begin_, read_end_) not yet handled, of read_capacity_.
    std::unique_ptr<char[]> read_buffer_;
    std::size_t read_capacity_ = 0;
    std::size_t read_begin_ = 0;
    std::size_t read_end_ = 0;
    std::string outbox_;
    std::uint32_t frame_max_ = kFrameMinSize; // until tune-ok
    std::uint16_t channel_max_ = 0;
    std::uint16_t heartbeat_s_ = 0;
    bool cancel_notify_ = false;      // the client's capability consumer_cancel_notify
    bool blocked_notify_ = false;     // the client's capability connection.blocked
    std::vector<std::string> alarms_; // the resource alarms in effect (if blocked_notify_)
    bool blocked_sent_ = false;
    boost::json::object client_properties_; // start-ok's, for /api/connections
    std::chrono::steady_clock::time_point last_received_;
    std::chrono::steady_clock::time_point last_sent_;
    boost::asio::steady_timer writer_wake_;
    boost::asio::steady_timer heartbeat_timer_;
    boost::asio::steady_timer close_timer_;
    bool writer_waiting_ = false;
    bool stop_after_write_ = false; // the last frames are queued: close once they are out
    bool stopped_ = false;
};

} // namespace warren::amqp
