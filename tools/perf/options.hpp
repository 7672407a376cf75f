#pragma once

// PerfOptions: warren-perf's command line (tools/perf/README.md), parsed into one value. The
// defaults follow RabbitMQ PerfTest where it has the same knob: one publisher, one consumer,
// unlimited rate, transient messages; a durable queue "warren-perf" fed through the default
// exchange (routing key = queue name), so nothing needs binding. The protocol (--protocol, alias
// --transport) is the publishers' for ws and http (consumers are WebSocket then); amqp is AMQP
// 0-9-1 for everything, declares included, so the same run measures warren's AMQP listener or a
// RabbitMQ node.
//
// Thread: any; no state.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace warren::perf {

enum class Transport { http, ws, amqp };

struct PerfOptions {
    std::string url = "http://127.0.0.1:15672";
    std::string user = "guest";
    std::string password = "guest";
    std::string vhost = "/";
    // --protocol amqp: the broker's AMQP listener (--amqp-url, parsed; a user:pass@ or a path in
    // it has already replaced user, password or vhost). amqp_url is shown without credentials.
    std::string amqp_url = "amqp://127.0.0.1:5672";
    std::string amqp_host = "127.0.0.1";
    std::string amqp_port = "5672";
    std::size_t publishers = 1;
    std::size_t consumers = 1;
    Transport transport = Transport::ws;
    std::size_t size = 256;      // payload bytes (at least the 16-byte time stamp)
    double rate = 0;             // messages/s over all publishers; 0 = as fast as possible
    double duration = 10;        // seconds of publishing; 0 = until --pmessages are sent
    std::uint64_t pmessages = 0; // per publisher; 0 = no limit
    std::uint32_t prefetch = 1000;
    bool persistent = false;
    std::size_t confirm = 1000; // WebSocket/AMQP publisher window; 0 = no confirms asked
    std::string queue = "warren-perf";
    std::string exchange;                   // "" = the default exchange
    std::optional<std::string> routing_key; // default: the queue name
    std::size_t batch = 1;                  // HTTP: messages per request (>1: batch extension)
    bool auto_ack = false;
    std::uint32_t ack_every = 1; // manual acks: deliveries per multiple-ack (1 = at once)
    double drain_timeout = 5;    // seconds without deliveries after which consuming stops
    bool json = false;
    // Issue 16's costs: a group key per message (header "g", N keys in turn; the queue is
    // declared with x-group-by), a unique message_id per message, and a dedup window of N keys
    // on the queue (x-message-deduplication, x-cache-size).
    std::uint64_t groups = 0;
    bool message_ids = false;
    std::uint64_t dedup_window = 0;
    // Issue 17's streams: the queue declared as a stream, where consumers start reading it
    // ("first", "last", "next" or an offset), and a replay: no publishers, the consumers read
    // the stream from stream_offset (default first) to its last message as of the start.
    bool stream = false;
    std::string stream_offset = "next";
    bool replay = false;

    const std::string& key() const { return routing_key ? *routing_key : queue; }
};

struct ParsedHelp {
    std::string text;
};

// The options, the usage text (--help), or a usage error as a one-line message.
struct UsageError {
    std::string message;
};
using ParseResult = std::variant<PerfOptions, ParsedHelp, UsageError>;
ParseResult parse_options(int argc, const char* const* argv);

const char* to_string(Transport transport);

} // namespace warren::perf
