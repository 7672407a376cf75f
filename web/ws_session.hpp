#pragma once

// WsSession: one WebSocket client (DESIGN.md section 4) over a Transport, framed by ws_frame
// (common/ws_frame.hpp) rather than Beast's websocket::stream, which spends an asynchronous
// operation on every frame. Three coroutines on the connection's executor:
// - the reader takes whatever the socket holds (up to 64 KiB, more for a frame that needs it),
//   parses every whole frame in it and acts on the broker at once (threading model A: the broker
//   lives on this thread); the publishes of one read share one commit wait;
// - the writer hands everything in the outbox (WsOutbox: whole frames in one buffer) to one
//   socket write, so a burst of deliveries and confirms is one system call;
// - the pinger pings a quiet client and drops one that has sent nothing, not even a pong, for
//   `idle_timeout`.
// The handshake's 101 answer is written here too (ws_handshake); admission (auth, the upgrade's
// headers) happened before, in WsEndpoint.
//
// It owns a server::Session (delivery tags, unacked deliveries, exclusive queues) and one
// DeliverySink per subscription. Deliveries are pulled: a sink is ready only while the outbox is
// under its byte bound, and the writer resumes the consumers when it drains. When the reader ends
// (a close handshake, an error, an idle drop) the session stops: the Session is destroyed
// (unacked deliveries are requeued, exclusive queues deleted) and the other loops end.
//
// Closing: whoever closes first sends a close frame; the other answers with one. After a close
// the server reads on (discarding data frames) until the client's close arrives or close_timeout
// passes, then closes the connection (over TLS after a close_notify). A protocol violation
// (1002, 1007) closes the same way but reads nothing more.
//
// Lifetime: shared_ptr; each coroutine and each pending commit callback (weak) keeps it. The
// Broker must outlive it. Thread: the connection's executor, which under model A is the broker's
// thread too; close() must be called on it.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/receive_budget.hpp"
#include "common/ws_frame.hpp"
#include "server/broker.hpp"
#include "server/delivery_sink.hpp"
#include "server/session.hpp"
#include "web/api_router.hpp"
#include "web/auth.hpp"
#include "web/transport.hpp"
#include "web/ws_outbox.hpp"
#include "web/ws_protocol.hpp"

namespace warren::web {

struct WsLimits {
    std::uint64_t max_message_size = 16u << 20; // a published body; frames may be 4/3 + 64 KiB
    std::size_t outbox_bytes = 1u << 20;        // deliveries pause past this
    std::size_t max_subscriptions = 1000;       // per socket
    std::size_t max_pending_confirms = 10000;   // reading pauses past this many uncommitted
    std::chrono::steady_clock::duration ping_interval = std::chrono::seconds(20);
    std::chrono::steady_clock::duration idle_timeout = std::chrono::seconds(60);
    std::chrono::steady_clock::duration close_timeout = std::chrono::seconds(5);
    // Bytes of messages being received, server-wide (--receive-memory-limit); null: unbounded.
    ReceiveBudget* budget = nullptr;
};

class WsSession : public std::enable_shared_from_this<WsSession> {
public:
    WsSession(Transport stream, server::Broker& broker, Principal principal,
              const WsLimits& limits);
    ~WsSession();
    WsSession(const WsSession&) = delete;
    WsSession& operator=(const WsSession&) = delete;

    // Accepts the upgrade `request` (already read and authenticated) and serves the client
    // until the connection ends. Never throws for network errors.
    boost::asio::awaitable<void> run(Request request);

    // Server shutdown: begin_close(1001 going away). On the session's strand.
    void close();
    // The broker closes the connection (its user was deleted): an error frame
    // "connection_forced" with `reason`, then close 1008. On the session's strand.
    void force_close(const std::string& reason);

private:
    class Sink;
    struct Subscription {
        std::string vhost;
        std::string queue;         // a group's: its topic exchange
        bool server_named = false; // an exchange subscription's own queue
        std::unique_ptr<Sink> sink;
    };

    // What the reader does after an event: read on, wait for more bytes, or end.
    enum class Next { more_events, more_bytes, end };

    boost::asio::awaitable<bool> handshake(const Request& request);
    boost::asio::awaitable<void> read_loop();
    Next on_event(const ws_frame::Event& event);
    // Room for the next read, after the parsed bytes are dropped. False when what the socket
    // would then hold passes the server-wide receive budget (the session refuses and closes).
    bool make_room(std::size_t wanted);
    boost::asio::awaitable<void> write_loop();
    boost::asio::awaitable<void> ping_loop();
    boost::asio::awaitable<void> finish(); // after the reader: the close frame out, TLS shutdown
    void spawn(boost::asio::awaitable<void> loop, const char* what);
    // Queues a close frame with `code` behind what is queued; drops the socket after
    // close_timeout if the client has not answered.
    void begin_close(std::uint16_t code);
    void queue_close(std::string_view payload); // ours, or the answer to the client's
    void stop();
    void drop_socket();
    std::string connection_name() const;

    // Frames in (ws_session_ops.cpp).
    void handle_frame(std::string_view text);
    void on_op(ws::SubscribeOp& op);
    void on_op(ws::UnsubscribeOp& op);
    void on_op(ws::AckOp& op);
    void on_op(ws::NackOp& op);
    void on_op(ws::RejectOp& op);
    void on_op(ws::PublishOp& op);
    void on_op(ws::PingOp& op);
    // The publishes read since the last call wait for one commit together.
    void request_commit();
    void on_committed(std::uint64_t through, const Result<void>& committed);
    void flush_confirms();

    // Frames out.
    void send(std::string_view frame);
    void wake_writer();
    void wake_reader();
    void send_error(const Error& error, const boost::json::value& id = nullptr);
    bool accepting_deliveries() const;
    void on_delivery(const std::string& sub, const server::Delivery& delivery);
    void on_cancelled(const std::string& sub);
    void retire(std::map<std::string, Subscription, std::less<>>::iterator it);

    Transport stream_;
    ws_frame::FrameReader frames_;
    std::string read_buffer_;              // [read_begin_, read_end_) is read and not yet parsed
    ReceiveBudget::Reservation receiving_; // what read_buffer_ and frames_ hold past the free part
    std::size_t read_begin_ = 0;
    std::size_t read_end_ = 0;
    bool read_filled_ = false; // the last read filled the buffer: a busy socket reads more
    boost::asio::ip::tcp::endpoint remote_;
    boost::asio::ip::tcp::endpoint local_;
    server::Broker& broker_;
    Principal principal_;
    WsLimits limits_;
    std::unique_ptr<server::Session> session_;
    std::map<std::string, Subscription, std::less<>> subs_;
    std::vector<std::unique_ptr<Sink>> retired_; // sinks whose call may still be on the stack
    WsOutbox outbox_;
    ConfirmQueue confirms_;
    std::uint64_t uncommitted_through_ = 0; // the last confirm that has no commit wait yet
    boost::asio::steady_timer writer_wake_;
    boost::asio::steady_timer reader_wake_;
    boost::asio::steady_timer drained_wake_; // the writer emptied the outbox
    boost::asio::steady_timer ping_timer_;
    boost::asio::steady_timer close_timer_;
    std::chrono::steady_clock::time_point last_received_;
    bool open_ = false;           // the handshake is done
    bool closing_ = false;        // our close frame is queued (or the handshake never finished)
    bool writer_waiting_ = false; // parked on writer_wake_: only then is a wake-up needed
    bool reader_waiting_ = false; // parked on reader_wake_ (paused)
    bool write_failed_ = false;
    bool stopped_ = false; // the reader ended: everything winds down
};

// The DeliverySink of one subscription: ready once its `subscribed` frame is queued and while
// the session's outbox has room. Owned by the session (subs_, then retired_); the consumer that
// refers to it is cancelled before it goes.
class WsSession::Sink final : public server::DeliverySink {
public:
    Sink(WsSession& session, std::string id) : session_(session), id_(std::move(id)) {}
    void start() { started_ = true; }
    bool ready() const override { return started_ && session_.accepting_deliveries(); }
    void deliver(const server::Delivery& delivery) override { session_.on_delivery(id_, delivery); }
    void cancelled(std::string_view) override { session_.on_cancelled(id_); }
    void assigned(const std::vector<std::string>& partitions) override {
        if (started_) {
            session_.send(ws::render_assigned(id_, partitions));
        }
    }

private:
    WsSession& session_;
    std::string id_;
    bool started_ = false;
};

} // namespace warren::web
