// publish EXCHANGE ROUTING_KEY [BODY]: with BODY one HTTP publish; without, each line of stdin
// becomes a message as soon as it is read (interactive: nothing waits for EOF), over one
// WebSocket with confirm ids. Messages are persistent; the command exits only after the server
// confirmed every message (committed, DESIGN.md 2), in the order of the lines.

#include <cerrno>
#include <cstring>
#include <deque>
#include <iostream>

#include <boost/json.hpp>

#include "tools/client/server_url.hpp"
#include "tools/warrenctl/commands.hpp"
#include "tools/warrenctl/messages.hpp"
#include "tools/warrenctl/output.hpp"
#include "tools/warrenctl/ws_frames.hpp"
#include <poll.h>
#include <unistd.h>

namespace warren::ctl {

namespace json = boost::json;
namespace http = boost::beast::http;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kConfirmWindow = 1000; // unconfirmed messages before reading pauses
constexpr auto kFinalConfirmTimeout = 60s;

json::object properties_of(const Invocation& inv) {
    json::object props;
    if (auto ct = inv.value("content-type")) {
        props["content_type"] = *ct;
    }
    json::object headers;
    for (const auto& h : inv.values("header")) {
        auto kv = parse_key_value(h, "header").value(); // checked by the parser
        headers[kv.first] = std::move(kv.second);
    }
    if (!headers.empty()) {
        props["headers"] = std::move(headers);
    }
    if (auto id = inv.value("message-id")) {
        props["message_id"] = *id; // the key of x-message-deduplication
    }
    return props;
}

std::string exchange_subject(const Context& ctx, std::string_view exchange) {
    return "exchange '" + std::string(exchange) + "' in " + ctx.vhost_phrase();
}

void publish_one(Context& ctx, const std::string& exchange, const std::string& key,
                 const std::string& body) {
    json::object message = publish_body(key, body, properties_of(ctx.invocation()));
    auto response = ctx.call(http::verb::post,
                             "/api/exchanges/" + ctx.vhost_segment() + "/" +
                                 exchange_segment(exchange) + "/publish",
                             json::serialize(message), exchange_subject(ctx, exchange));
    json::value answer = json::parse(response.body);
    const bool routed = answer.is_object() && answer.as_object().contains("routed") &&
                        answer.at("routed") == json::value(true);
    const bool duplicate = answer.is_object() && answer.as_object().contains("duplicate") &&
                           answer.at("duplicate") == json::value(true);
    if (ctx.json()) {
        print_json(std::cout, json::object{{"routed", routed}, {"duplicate", duplicate}});
    }
    if (duplicate) {
        std::cerr << "warrenctl: a duplicate (its key was published already): confirmed, not "
                     "delivered again\n";
        return;
    }
    if (!routed) {
        std::cerr << "warrenctl: the message was not routed (no binding of exchange '" << exchange
                  << "' matches key '" << key << "')\n";
    }
}

// Reads stdin in whatever pieces arrive and hands out complete lines.
class LineReader {
public:
    // False at EOF (after the last, unterminated line was handed out).
    bool fill() {
        char chunk[65536];
        ssize_t n;
        do {
            n = ::read(STDIN_FILENO, chunk, sizeof chunk);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            throw Failure{kExitError, std::string("reading stdin: ") + std::strerror(errno)};
        }
        if (n == 0) {
            eof_ = true;
            if (!pending_.empty()) {
                lines_.push_back(std::move(pending_));
                pending_.clear();
            }
            return false;
        }
        pending_.append(chunk, static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (std::size_t nl; (nl = pending_.find('\n', start)) != std::string::npos;
             start = nl + 1) {
            std::string line = pending_.substr(start, nl - start);
            if (!line.empty() && line.back() == '\r') {
                line.pop_back();
            }
            lines_.push_back(std::move(line));
        }
        pending_.erase(0, start);
        return true;
    }
    std::deque<std::string>& lines() { return lines_; }
    bool eof() const { return eof_; }

private:
    std::string pending_;
    std::deque<std::string> lines_;
    bool eof_ = false;
};

class StdinPublisher {
public:
    StdinPublisher(Context& ctx, std::string exchange, std::string key)
        : ctx_(ctx), exchange_(std::move(exchange)), key_(std::move(key)),
          properties_(properties_of(ctx.invocation())), interactive_(isatty(STDIN_FILENO) != 0) {}

    void run() {
        // A missing exchange is reported before anyone types a line.
        if (!ctx_.exists("/api/exchanges/" + ctx_.vhost_segment() + "/" +
                         exchange_segment(exchange_))) {
            throw Failure{kExitNotFound, "not_found: no " + exchange_subject(ctx_, exchange_)};
        }
        ws_ = connect_ws(ctx_);
        while (!reader_.eof()) {
            drain_frames(0ms);
            const bool window_full = outstanding_.size() >= kConfirmWindow;
            pollfd fds[2] = {{ws_->native_handle(), POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
            int rc = ::poll(fds, window_full ? 1 : 2, 1000);
            if (rc < 0 && errno != EINTR) {
                throw Failure{kExitError, std::string("poll: ") + std::strerror(errno)};
            }
            if (!window_full && rc > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
                reader_.fill();
                send_lines();
            }
        }
        const auto deadline = std::chrono::steady_clock::now() + kFinalConfirmTimeout;
        while (!outstanding_.empty()) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left <= 0ms) {
                throw Failure{kExitError, std::to_string(outstanding_.size()) +
                                              " messages were not confirmed in time"};
            }
            if (auto frame = ws_->read(left)) {
                handle(parse_frame(*frame));
            }
        }
        ws_->close();
        report();
    }

private:
    void send_lines() {
        auto& lines = reader_.lines();
        while (!lines.empty()) {
            json::object frame = publish_body(key_, lines.front(), properties_);
            lines.pop_front();
            frame["op"] = "publish";
            frame["vhost"] = ctx_.settings().vhost;
            frame["exchange"] = exchange_;
            frame["confirm"] = ++next_confirm_;
            ws_->send(json::serialize(frame));
            outstanding_.push_back(next_confirm_);
        }
    }

    void drain_frames(std::chrono::milliseconds timeout) {
        while (auto frame = ws_->read(timeout)) {
            handle(parse_frame(*frame));
            timeout = 0ms;
        }
    }

    void handle(const json::object& frame) {
        const json::value* type = frame.if_contains("type");
        if (type == nullptr || !type->is_string()) {
            return;
        }
        if (type->get_string() == "error") {
            throw failure_of_frame(frame);
        }
        if (type->get_string() != "confirm") {
            return;
        }
        const json::value* id = frame.if_contains("confirm");
        if (id == nullptr || !id->is_int64() || outstanding_.empty()) {
            return;
        }
        // Confirms come in publish order.
        while (!outstanding_.empty() && outstanding_.front() <= id->get_int64()) {
            outstanding_.pop_front();
        }
        ++confirmed_;
        if (const json::value* duplicate = frame.if_contains("duplicate");
            duplicate && duplicate->is_bool() && duplicate->get_bool()) {
            ++duplicates_;
        }
        const json::value* routed = frame.if_contains("routed");
        if (routed && routed->is_bool() && routed->get_bool()) {
            ++routed_;
        } else if (interactive_) {
            std::cerr << "warrenctl: line " << id->get_int64() << " was not routed\n";
        }
    }

    void report() {
        if (ctx_.json()) {
            print_json(std::cout, json::object{{"published", confirmed_},
                                               {"routed", routed_},
                                               {"duplicates", duplicates_}});
        }
        if (routed_ < confirmed_ && !interactive_) {
            std::cerr << "warrenctl: " << (confirmed_ - routed_) << " of " << confirmed_
                      << " messages were not routed (no binding of exchange '" << exchange_
                      << "' matches key '" << key_ << "')\n";
        }
    }

    Context& ctx_;
    std::string exchange_;
    std::string key_;
    json::object properties_;
    bool interactive_;
    std::unique_ptr<client::WsClient> ws_;
    LineReader reader_;
    std::deque<std::int64_t> outstanding_;
    std::int64_t next_confirm_ = 0;
    std::uint64_t confirmed_ = 0;
    std::uint64_t routed_ = 0;
    std::uint64_t duplicates_ = 0;
};

} // namespace

void publish(Context& ctx) {
    const Invocation& inv = ctx.invocation();
    const std::string exchange = *inv.arg(0) == "amq.default" ? std::string() : *inv.arg(0);
    if (auto body = inv.arg(2)) {
        publish_one(ctx, exchange, *inv.arg(1), *body);
        return;
    }
    StdinPublisher(ctx, exchange, *inv.arg(1)).run();
}

} // namespace warren::ctl
