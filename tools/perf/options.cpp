#include "tools/perf/options.hpp"

#include <optional>
#include <sstream>

#include <boost/program_options.hpp>
#include <boost/url/parse.hpp>

namespace warren::perf {

namespace po = boost::program_options;

const char* to_string(Transport transport) {
    switch (transport) {
    case Transport::http:
        return "http";
    case Transport::amqp:
        return "amqp";
    default:
        return "ws";
    }
}

namespace {

// --amqp-url: amqp://[user[:password]@]host[:port][/vhost], as RabbitMQ's URI spec has it (the
// vhost percent-encoded: /%2F is "/"; no path or a bare "/" keeps --vhost). Fills the AMQP
// fields of `o`; the message of a usage error otherwise.
std::optional<std::string> parse_amqp_url(const std::string& url, PerfOptions& o) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed) {
        return "--amqp-url '" + url + "' is not a URL";
    }
    if (parsed->scheme() == "amqps") {
        return "--amqp-url '" + url + "': amqps:// (TLS) is not supported, use amqp://";
    }
    if (parsed->scheme() != "amqp") {
        return "--amqp-url '" + url + "': only amqp:// is supported";
    }
    std::string host = parsed->host();
    if (host.empty()) {
        return "--amqp-url '" + url + "' names no host";
    }
    if (host.size() > 2 && host.front() == '[') {
        host = host.substr(1, host.size() - 2);
    }
    o.amqp_host = host;
    o.amqp_port = parsed->has_port() ? std::string(parsed->port()) : "5672";
    if (parsed->has_userinfo()) {
        o.user = parsed->user();
        if (parsed->has_password()) {
            o.password = parsed->password();
        }
    }
    const std::string path = parsed->path();
    if (path.size() > 1) {
        o.vhost = path.substr(1);
    }
    // Shown in messages: never the password.
    o.amqp_url = "amqp://" + std::string(parsed->encoded_host_and_port());
    return std::nullopt;
}

} // namespace

ParseResult parse_options(int argc, const char* const* argv) {
    PerfOptions o;
    std::string transport = "ws";
    std::string protocol;
    std::string routing_key;
    std::string message_id = "none";
    std::string queue_type = "classic";
    po::options_description desc("warren-perf: a load generator for warren (in the manner of "
                                 "RabbitMQ PerfTest)\n\nOptions");
    // clang-format off
    desc.add_options()
        ("help,h", "print this help")
        ("url", po::value(&o.url)->default_value(o.url), "the broker's base URL")
        ("user", po::value(&o.user)->default_value(o.user), "user name")
        ("password", po::value(&o.password)->default_value(o.password), "password")
        ("vhost", po::value(&o.vhost)->default_value(o.vhost), "virtual host")
        ("publishers,x", po::value(&o.publishers)->default_value(o.publishers),
         "publisher connections")
        ("consumers,y", po::value(&o.consumers)->default_value(o.consumers),
         "consumer connections (WebSocket; AMQP with --protocol amqp)")
        ("protocol", po::value(&protocol),
         "ws (publishers and consumers over WebSocket; the default), http (publishers POST, "
         "consumers WebSocket) or amqp (everything over AMQP 0-9-1, at --amqp-url)")
        ("transport", po::value(&transport)->default_value(transport),
         "the same as --protocol (its older name)")
        ("amqp-url", po::value(&o.amqp_url)->default_value(o.amqp_url),
         "--protocol amqp: the broker's AMQP listener, amqp://[user:pass@]host[:port][/vhost]")
        ("size,s", po::value(&o.size)->default_value(o.size),
         "payload bytes (at least 16: the send time stamp)")
        ("rate,r", po::value(&o.rate)->default_value(o.rate),
         "total publish rate in msg/s over all publishers, 0 = unlimited")
        ("duration,z", po::value(&o.duration)->default_value(o.duration),
         "seconds of publishing (0 = until --pmessages are sent)")
        ("pmessages,C", po::value(&o.pmessages)->default_value(o.pmessages),
         "messages per publisher, then it stops (0 = no limit)")
        ("prefetch,q", po::value(&o.prefetch)->default_value(o.prefetch),
         "consumer prefetch (AMQP: basic.qos prefetch_count, at most 65535)")
        ("persistent,f", po::bool_switch(&o.persistent), "persistent messages (delivery_mode 2)")
        ("confirm,c", po::value(&o.confirm)->default_value(o.confirm),
         "WebSocket and AMQP publishers: most unconfirmed messages in flight (0 = no confirms; "
         "AMQP: no confirm.select)")
        ("queue,u", po::value(&o.queue)->default_value(o.queue),
         "queue to declare (durable) and consume from")
        ("exchange,e", po::value(&o.exchange)->default_value(o.exchange),
         "exchange to publish to (\"\" = default exchange); the queue is bound to it")
        ("routing-key,k", po::value(&routing_key), "routing key (default: the queue name)")
        ("batch,b", po::value(&o.batch)->default_value(o.batch),
         "HTTP publishers: messages per request (batch extension when > 1)")
        ("auto-ack,a", po::bool_switch(&o.auto_ack), "consume with ack \"auto\"")
        ("ack-every", po::value(&o.ack_every)->default_value(o.ack_every),
         "manual acks: wait for N deliveries before a multiple-ack (1 = ack each delivery at "
         "once); pending acks also go every 10 ms")
        ("drain-timeout", po::value(&o.drain_timeout)->default_value(o.drain_timeout),
         "after publishing: stop consuming once nothing arrived for this many seconds")
        ("groups", po::value(&o.groups)->default_value(o.groups),
         "N > 0: each message carries header g = one of N keys in turn, and the queue is "
         "declared with x-group-by=header:g")
        ("message-id", po::value(&message_id)->default_value(message_id),
         "none, or unique: every message gets its own message_id (a dedup key)")
        ("dedup-window", po::value(&o.dedup_window)->default_value(o.dedup_window),
         "N > 0: the queue is declared with x-message-deduplication and x-cache-size N")
        ("queue-type", po::value(&queue_type)->default_value(queue_type),
         "classic, or stream: the queue is declared with x-queue-type stream (a log consumers "
         "read from --stream-offset)")
        ("stream-offset", po::value(&o.stream_offset),
         "streams: where consumers start, first, last, next or an offset (default next; first "
         "with --replay)")
        ("replay", po::bool_switch(&o.replay),
         "no publishers: each consumer reads the stream (--queue-type stream implied) from "
         "--stream-offset to its last message as of the start, as fast as it can")
        ("json", po::bool_switch(&o.json), "print the summary as one JSON object");
    // clang-format on
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return UsageError{e.what()};
    }
    if (vm.count("help")) {
        std::ostringstream out;
        out << desc;
        return ParsedHelp{out.str()};
    }
    if (vm.count("protocol")) {
        if (!vm["transport"].defaulted() && transport != protocol) {
            return UsageError{"--protocol " + protocol + " and --transport " + transport +
                              " disagree (--transport is --protocol's older name)"};
        }
        transport = protocol;
    }
    if (transport == "http") {
        o.transport = Transport::http;
    } else if (transport == "ws") {
        o.transport = Transport::ws;
    } else if (transport == "amqp") {
        o.transport = Transport::amqp;
    } else {
        return UsageError{"--protocol must be ws, http or amqp, not '" + transport + "'"};
    }
    if (o.transport == Transport::amqp) {
        if (auto error = parse_amqp_url(o.amqp_url, o)) {
            return UsageError{*error};
        }
        if (o.prefetch > 65535) {
            return UsageError{"--prefetch is basic.qos prefetch_count in AMQP: at most 65535"};
        }
        if (o.replay) {
            return UsageError{"--replay reads the stream's extent from warren's HTTP API "
                              "(/api/streams): not with --protocol amqp"};
        }
    } else if (!vm["amqp-url"].defaulted()) {
        return UsageError{"--amqp-url applies to --protocol amqp"};
    }
    if (message_id == "unique") {
        o.message_ids = true;
    } else if (message_id != "none") {
        return UsageError{"--message-id must be none or unique, not '" + message_id + "'"};
    }
    if (vm.count("routing-key")) {
        o.routing_key = routing_key;
    }
    if (queue_type == "stream") {
        o.stream = true;
    } else if (queue_type != "classic") {
        return UsageError{"--queue-type must be classic or stream, not '" + queue_type + "'"};
    }
    if (o.replay) {
        if (vm.count("publishers") && !vm["publishers"].defaulted() && o.publishers > 0) {
            return UsageError{"--replay publishes nothing: drop --publishers"};
        }
        o.stream = true;
        o.publishers = 0;
        if (!vm.count("stream-offset")) {
            o.stream_offset = "first";
        }
        if (o.stream_offset == "next") {
            return UsageError{"--replay reads what is there: --stream-offset next reads nothing"};
        }
    }
    if (vm.count("stream-offset") && !o.stream) {
        return UsageError{"--stream-offset applies to --queue-type stream"};
    }
    if (o.stream_offset != "first" && o.stream_offset != "last" && o.stream_offset != "next" &&
        (o.stream_offset.empty() ||
         o.stream_offset.find_first_not_of("0123456789") != std::string::npos)) {
        return UsageError{"--stream-offset must be first, last, next or an offset, not '" +
                          o.stream_offset + "'"};
    }
    if (o.stream && (o.groups > 0 || o.dedup_window > 0)) {
        return UsageError{"--groups and --dedup-window do not apply to a stream"};
    }
    if (o.publishers == 0 && o.consumers == 0) {
        return UsageError{"nothing to do: no publishers and no consumers"};
    }
    if (o.publishers == 0 && o.duration <= 0 && !o.replay) {
        return UsageError{"a run without publishers needs --duration"};
    }
    if (o.duration <= 0 && o.pmessages == 0) {
        return UsageError{"give --duration or --pmessages, or both"};
    }
    if (o.rate < 0 || o.duration < 0 || o.drain_timeout < 0) {
        return UsageError{"--rate, --duration and --drain-timeout cannot be negative"};
    }
    if (o.batch == 0) {
        return UsageError{"--batch must be at least 1"};
    }
    if (o.batch > 1 && o.transport != Transport::http) {
        return UsageError{"--batch applies to --protocol http only"};
    }
    if (o.queue.empty()) {
        return UsageError{"--queue cannot be empty"};
    }
    return o;
}

} // namespace warren::perf
