// consume QUEUE | consume --exchange X [--key K]: subscribes over the WebSocket and prints each
// message's payload on its own line (flushed per line) until --count messages, Ctrl-C or
// SIGTERM.
//
// Acknowledgements (see tools/README.md):
// - default: the server acks as it sends ("ack":"auto"): fastest, but messages in flight when
//   warrenctl is stopped are lost (at most once).
// - --ack: each message is acked after its line is printed and flushed; on exit the server
//   requeues whatever was delivered but not printed (at least once). --prefetch bounds how many
//   are in flight (100 by default).
// - --count N (either way): warrenctl asks for exactly N messages (prefetch N) and acks the ones
//   it printed; messages past N are never taken from the queue.
//
// Streams (DESIGN.md section 9, the Kafka console consumer's equivalent): --from first | last |
// next | OFFSET | TIMESTAMP_MS (a number from 10^12 on is a time in ms since the epoch, anything
// smaller an offset), --from-beginning (= first), --name CONSUMER (a named consumer: its offset
// is stored as lines are printed and acked, and a later run with the name and no --from resumes
// after it; acks are then always manual).
//
// Topics (a name that is a topic's exchange): --group GROUP joins the consumer group (the
// server splits the partitions among its members and stores each partition's offset under the
// group's name; acks are manual; --from applies while the group has stored nothing, as Kafka's
// auto.offset.reset); without --group every partition is read, each from --from.
//
// With --name or --group, warrenctl exits only once the offsets of what it printed are stored
// (committed: GET .../consumers/{name} shows them), so a kill -9 of the server right after it
// cannot make the next run print them again.

#include <charconv>
#include <csignal>
#include <iostream>
#include <map>
#include <thread>

#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>

#include "tools/client/server_url.hpp"
#include "tools/warrenctl/commands.hpp"
#include "tools/warrenctl/messages.hpp"
#include "tools/warrenctl/output.hpp"
#include "tools/warrenctl/topics.hpp"
#include "tools/warrenctl/ws_frames.hpp"

namespace warren::ctl {

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

constexpr std::uint64_t kMaxPrefetch = 65535;
constexpr std::uint64_t kDefaultPrefetch = 100;
constexpr std::string_view kSubscription = "warrenctl";

// A number from here on is a timestamp in ms (September 2001 on), below it an offset.
constexpr std::uint64_t kTimestampFrom = 1'000'000'000'000;

json::value stream_offset(std::string_view from) {
    if (from == "first" || from == "last" || from == "next") {
        return json::string(from);
    }
    std::uint64_t n = 0; // checked already (check_command)
    std::from_chars(from.data(), from.data() + from.size(), n);
    if (n >= kTimestampFrom) {
        return json::object{{"timestamp", n}};
    }
    return n;
}

class Consumer {
public:
    explicit Consumer(Context& ctx) : ctx_(ctx) {
        const Invocation& inv = ctx.invocation();
        if (auto c = inv.value("count")) {
            count_ = parse_count(*c, "count").value();
        }
        manual_ = inv.has("ack") || count_ > 0 || inv.has("name") || inv.has("group");
        prefetch_ = inv.value("prefetch") ? parse_count(*inv.value("prefetch"), "prefetch").value()
                                          : kDefaultPrefetch;
        if (count_ > 0) {
            prefetch_ = std::min(count_, kMaxPrefetch);
        }
        prefetch_ = std::min(prefetch_, kMaxPrefetch);
    }

    void run() {
        const Invocation& inv = ctx_.invocation();
        if (auto name = inv.arg(0)) {
            partitions_ = topic_partitions(ctx_, *name);
            if (partitions_ && inv.has("name")) {
                throw Failure{kExitUsage, "consume: '" + std::string(*name) +
                                              "' is a topic: its named consumers are groups "
                                              "(--group GROUP)"};
            }
            if (!partitions_ && inv.has("group")) {
                throw Failure{kExitUsage, "consume: --group reads a topic, and '" +
                                              std::string(*name) + "' is not one in " +
                                              ctx_.vhost_phrase()};
            }
        }
        ws_ = connect_ws(ctx_);
        boost::asio::signal_set signals(ws_->context(), SIGINT, SIGTERM);
        signals.async_wait([this](boost::system::error_code ec, int) {
            if (!ec) {
                ws_->interrupt();
            }
        });
        subscribe();
        while (!ws_->interrupted() && (count_ == 0 || printed_ < count_)) {
            auto frame = ws_->read(1h);
            if (frame) {
                handle(parse_frame(*frame));
            }
        }
        finish();
        signals.cancel();
    }

private:
    void subscribe() {
        const Invocation& inv = ctx_.invocation();
        json::object op{{"op", "subscribe"},
                        {"id", kSubscription},
                        {"vhost", ctx_.settings().vhost},
                        {"ack", manual_ ? "manual" : "auto"},
                        {"prefetch", prefetch_}};
        if (inv.has("from-beginning")) {
            op["offset"] = "first";
        } else if (auto from = inv.value("from")) {
            op["offset"] = stream_offset(*from);
        }
        if (partitions_ && inv.has("group")) {
            op["exchange"] = *inv.arg(0);
            op["group"] = *inv.value("group");
            subscriptions_.push_back(std::string(kSubscription));
        } else if (partitions_) {
            // Every partition on this socket, one subscription each.
            for (std::size_t i = 0; i < partitions_->size(); ++i) {
                json::object one = op;
                one["id"] = std::string(kSubscription) + "-" + std::to_string(i);
                one["queue"] = (*partitions_)[i];
                subscriptions_.push_back(std::string(one["id"].as_string()));
                ws_->send(json::serialize(one));
            }
            return;
        } else if (auto queue = inv.arg(0)) {
            op["queue"] = *queue;
            if (auto name = inv.value("name")) {
                op["consumer"] = *name;
            }
            subscriptions_.push_back(std::string(kSubscription));
        } else {
            op.erase("offset");
            subscriptions_.push_back(std::string(kSubscription));
            op["exchange"] = *inv.value("exchange") == "amq.default" ? "" : *inv.value("exchange");
            op["binding_key"] = inv.value("key").value_or("");
        }
        ws_->send(json::serialize(op));
    }

    void handle(json::object frame) {
        const json::value* type = frame.if_contains("type");
        if (type == nullptr || !type->is_string()) {
            return;
        }
        const std::string_view kind = type->get_string();
        if (kind == "error") {
            throw failure_of_frame(frame);
        }
        if (kind == "cancelled") {
            finish();
            throw Failure{kExitNotFound, "not_found: the consumer was cancelled (" +
                                             cell(json::value(frame), "reason") + ")"};
        }
        if (kind != "message") {
            return;
        }
        const json::value* tag_value = frame.if_contains("tag");
        const std::optional<std::uint64_t> tag =
            tag_value && tag_value->is_number()
                ? std::optional<std::uint64_t>(tag_value->to_number<std::uint64_t>())
                : std::nullopt;
        if (ctx_.json()) {
            frame.erase("type");
            frame.erase("sub");
            print_json(std::cout, frame);
        } else {
            write_payload_line(std::cout, frame);
        }
        std::cout.flush();
        ++printed_;
        const json::value* queue = frame.if_contains("queue");
        const json::value* offset = frame.if_contains("offset");
        if (queue != nullptr && queue->is_string() && offset != nullptr && offset->is_number()) {
            auto& last = printed_offsets_[std::string(queue->get_string())];
            last = std::max(last, offset->to_number<std::uint64_t>());
        }
        if (manual_ && tag) {
            last_tag_ = *tag;
            // Early acks only while they cannot bring in messages past --count.
            if (count_ == 0 || printed_ + prefetch_ <= count_) {
                ack();
            }
        }
    }

    void ack() {
        if (last_tag_ == acked_tag_) {
            return;
        }
        ws_->send(
            json::serialize(json::object{{"op", "ack"}, {"tag", last_tag_}, {"multiple", true}}));
        acked_tag_ = last_tag_;
    }

    // Unsubscribes, acks what was printed, makes sure the server has handled both (a ping's pong
    // comes after every earlier frame), then closes: the server requeues anything delivered but
    // not printed.
    void finish() {
        if (manual_ && last_tag_ != acked_tag_) {
            // Unsubscribe first: the final ack must not open the window to more deliveries.
            // Unacked deliveries stay ackable after it (AMQP).
            for (const auto& id : subscriptions_) {
                ws_->send(json::serialize(json::object{{"op", "unsubscribe"}, {"id", id}}));
            }
            ack();
            ws_->reset_interrupt();
            ws_->send(R"({"op":"ping","id":"warrenctl-done"})");
            const auto deadline = std::chrono::steady_clock::now() + 10s;
            while (std::chrono::steady_clock::now() < deadline) {
                auto frame = ws_->read(std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now()));
                if (frame && cell(json::value(parse_frame(*frame)), "type") == "pong") {
                    break;
                }
            }
        }
        if (manual_) {
            wait_for_stored_offsets();
        }
        ws_->close();
    }

    // A named consumer's or a group's offsets move with the acks, and are stored by the
    // server's next commit: wait (up to 10 s) until each stream shows what was printed.
    void wait_for_stored_offsets() {
        const Invocation& inv = ctx_.invocation();
        const auto name = inv.value("group") ? inv.value("group") : inv.value("name");
        if (!name) {
            return;
        }
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        for (const auto& [queue, offset] : printed_offsets_) {
            const std::string path = "/api/streams/" + ctx_.vhost_segment() + "/" +
                                     client::encode_segment(queue) + "/consumers/" +
                                     client::encode_segment(*name);
            while (std::chrono::steady_clock::now() < deadline) {
                const auto stored = ctx_.find_json(path);
                if (stored && stored->at("offset").to_number<std::uint64_t>() >= offset) {
                    break;
                }
                std::this_thread::sleep_for(20ms);
            }
        }
    }

    Context& ctx_;
    std::unique_ptr<client::WsClient> ws_;
    std::uint64_t count_ = 0; // 0: no limit
    std::uint64_t prefetch_ = kDefaultPrefetch;
    bool manual_ = false;
    std::uint64_t printed_ = 0;
    std::uint64_t last_tag_ = 0;
    std::uint64_t acked_tag_ = 0;
    std::optional<std::vector<std::string>> partitions_; // set when the name is a topic
    std::vector<std::string> subscriptions_;
    std::map<std::string, std::uint64_t> printed_offsets_; // stream -> last offset printed
};

} // namespace

void consume(Context& ctx) {
    Consumer(ctx).run();
}

} // namespace warren::ctl
