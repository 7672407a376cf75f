#include "web/http_session.hpp"

#include <tuple>
#include <type_traits>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <spdlog/spdlog.h>

#include "web/request_framing.hpp"
#include "web/response_writer.hpp"
#include "web/ws_endpoint.hpp"
#include <malloc.h>

namespace warren::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxDrainBytes = 64u << 20;
constexpr auto kDrainTimeout = std::chrono::seconds(5);
constexpr std::size_t kReadBufferBytes = 16u << 10; // reads per request, memory per connection
// After a request whose body was at least this big, freed memory is handed back to the OS.
constexpr std::size_t kTrimAfterBodyBytes = 4u << 20;

std::shared_ptr<spdlog::logger> logger() {
    auto log = spdlog::get("web");
    return log ? log : spdlog::default_logger();
}

// The peer went away or the connection was closed on purpose: not worth an error line.
bool is_disconnect(const error_code& ec) {
    return ec == http::error::end_of_stream || ec == http::error::partial_message ||
           ec == asio::error::eof || ec == asio::error::operation_aborted ||
           ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
           ec == asio::error::broken_pipe || ec == asio::error::not_connected ||
           ec == asio::error::bad_descriptor || ec == beast::error::timeout;
}

// Shuts down our side, then reads and discards what the client still sends (for a bounded time
// and size) before closing: closing with unread data would reset the connection and could destroy
// the error response before the client reads it (a "lingering close").
// Over TLS our side's end is a close_notify instead, and the peer's own close_notify (or the
// timeout) ends it.
template <class Stream>
asio::awaitable<void> close_gracefully(Stream& stream,
                                       std::chrono::seconds drain_timeout = kDrainTimeout) {
    if constexpr (std::is_same_v<Stream, Transport>) {
        if (stream.is_tls()) {
            stream.expires_after(drain_timeout);
            auto [shutdown_ec] = co_await stream.async_shutdown(kTuple);
            (void)shutdown_ec;
            stream.close();
            co_return;
        }
    }
    error_code ec;
    beast::get_lowest_layer(stream).socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    if (!ec) {
        stream.expires_after(drain_timeout);
        std::vector<char> scratch(16 * 1024);
        std::size_t drained = 0;
        while (drained < kMaxDrainBytes) {
            auto [read_ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kTuple);
            if (read_ec) {
                break;
            }
            drained += n;
        }
    }
    stream.close();
}

// Parses the body that `buffer` already holds (a client usually sends it in the same segment
// as the header): http::async_read would do the same, but as one more asynchronous operation
// (its state allocated, its completion posted) per request. What is missing is left to
// http::async_read; an error is the one it would have reported (e.g. body_limit).
error_code parse_buffered(http::request_parser<http::string_body>& parser,
                          beast::flat_buffer& buffer) {
    error_code ec;
    while (!parser.is_done() && buffer.size() > 0) {
        const std::size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec == http::error::need_more) {
            return {};
        }
        if (ec || used == 0) {
            return ec;
        }
    }
    return {};
}

bool expects_continue(const http::request<http::string_body>& request) {
    auto expect = request[http::field::expect];
    return beast::iequals(expect, "100-continue");
}

asio::awaitable<void> reject_connection(beast::tcp_stream stream, std::size_t limit) {
    Response res =
        error_response(http::status::service_unavailable, "service_unavailable",
                       "Too many connections (the limit is " + std::to_string(limit) + ")");
    res.set(http::field::retry_after, "5");
    finish_response(res, 11, false);
    // Not in the SessionRegistry, so shutdown does not close it: keep it short.
    stream.expires_after(std::chrono::seconds(1));
    auto [ec, n] = co_await http::async_write(stream, res, kTuple);
    (void)n;
    if (!ec) {
        co_await close_gracefully(stream, std::chrono::seconds(1));
    }
}

} // namespace

bool SessionRegistry::add(const std::shared_ptr<HttpSession>& session) {
    std::lock_guard lock(mutex_);
    if (closed_) {
        return false;
    }
    sessions_.emplace(session.get(), session);
    return true;
}

void SessionRegistry::remove(const HttpSession* session) {
    std::lock_guard lock(mutex_);
    sessions_.erase(session);
}

std::size_t SessionRegistry::size() const {
    std::lock_guard lock(mutex_);
    return sessions_.size();
}

void SessionRegistry::close_all() {
    std::vector<std::shared_ptr<HttpSession>> live;
    {
        std::lock_guard lock(mutex_);
        closed_ = true;
        for (auto& [key, weak] : sessions_) {
            if (auto session = weak.lock()) {
                live.push_back(std::move(session));
            }
        }
    }
    for (auto& session : live) {
        session->close();
    }
}

HttpSession::HttpSession(Transport transport, const ApiRouter& router, const HttpLimits& limits,
                         std::shared_ptr<SessionRegistry> registry, const WsEndpoint* websocket)
    : stream_(std::move(transport)), executor_(stream_.get_executor()), idle_timer_(executor_),
      router_(router), limits_(limits), registry_(std::move(registry)), websocket_(websocket) {
    error_code ec;
    remote_ = stream_.socket().remote_endpoint(ec);
}

HttpSession::~HttpSession() {
    registry_->remove(this);
}

void HttpSession::start() {
    auto self = shared_from_this();
    asio::co_spawn(executor_, run(), [self](std::exception_ptr error) {
        if (!error) {
            return;
        }
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            logger()->error("http session {}:{} failed: {}", self->remote_.address().to_string(),
                            self->remote_.port(), e.what());
        } catch (...) {
            logger()->error("http session {}:{} failed", self->remote_.address().to_string(),
                            self->remote_.port());
        }
        self->stream_.close();
    });
}

void HttpSession::close() {
    asio::post(executor_, [self = shared_from_this()] {
        if (auto ws = self->ws_session_.lock()) {
            ws->close(); // a close frame (going away), then the socket
            return;
        }
        self->stream_.abort();
    });
}

void HttpSession::reject(asio::ip::tcp::socket socket, std::size_t limit) {
    auto executor = socket.get_executor();
    asio::co_spawn(executor, reject_connection(beast::tcp_stream(std::move(socket)), limit),
                   [](std::exception_ptr error) {
                       if (!error) {
                           return;
                       }
                       try {
                           std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                           logger()->error("refusing a connection failed: {}", e.what());
                       }
                   });
}

asio::awaitable<void> HttpSession::run() {
    if (stream_.is_tls()) {
        stream_.expires_after(limits_.idle_timeout);
        auto [handshake_ec] = co_await stream_.async_handshake(kTuple);
        if (handshake_ec) {
            logger()->debug("tls handshake with {}:{} failed: {}", remote_.address().to_string(),
                            remote_.port(), handshake_ec.message());
            stream_.close();
            co_return;
        }
        stream_.expires_never(); // from here on the idle watch times the connection out
    }
    start_idle_watch();
    IdleWatchGuard idle_guard{*this};
    // Beast reads max(512, free capacity) bytes per call: without room reserved a request a
    // little over 512 bytes (a 256-byte publish with its headers) took two reads, and a large
    // body 512 bytes per read.
    beast::flat_buffer buffer;
    buffer.reserve(kReadBufferBytes);
    std::string head; // the rendered responses' scratch, reused for the whole connection
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
        parser.body_limit(limits_.max_body_bytes);
        arm_idle();
        auto [read_ec, read_bytes] =
            co_await http::async_read_header(stream_, buffer, parser, kTuple);
        // The body's bytes are reserved before any of them is read (common/receive_budget): a
        // chunked body reserves the limit, since its length is unknown. Declared before the
        // request, so that the request (and its body) goes first.
        std::optional<ReceiveBudget::Reservation> receiving;
        if (!read_ec) {
            if (auto refusal = framing_refusal(parser.get(), parser.chunked())) {
                // Nothing more is read from this connection: its next bytes may be a body that
                // another hop took for a request, or a request it took for a body.
                Response bad = error_response(Error{Errc::bad_request, std::move(*refusal)});
                stop_idle_watch(); // fail_request times itself out
                co_await fail_request(bad);
                co_return;
            }
            if (!parser.is_done() && limits_.budget != nullptr) {
                const auto length = parser.content_length();
                const std::uint64_t body = length ? *length : limits_.max_body_bytes;
                receiving = limits_.budget->try_reserve(body);
                if (!receiving) {
                    Response busy = error_response(
                        Error{Errc::resource_alarm,
                              "the server is receiving too much at once (" +
                                  std::to_string(limits_.budget->in_use() >> 20) +
                                  " MiB of requests in flight, the limit is " +
                                  std::to_string(limits_.budget->limit() >> 20) + " MiB); retry"});
                    stop_idle_watch(); // fail_request times itself out
                    co_await fail_request(busy);
                    co_return;
                }
            }
        }
        if (!read_ec && !parser.is_done()) {
            if (expects_continue(parser.get())) {
                // curl and others wait (about 1 s) for this before sending a large body.
                http::response<http::empty_body> go_on{http::status::continue_, 11};
                std::tie(read_ec, read_bytes) = co_await http::async_write(stream_, go_on, kTuple);
            } else {
                read_ec = parse_buffered(parser, buffer);
            }
            if (!read_ec && !parser.is_done()) {
                std::tie(read_ec, read_bytes) =
                    co_await http::async_read(stream_, buffer, parser, kTuple);
            }
        }
        (void)read_bytes;
        if (read_ec && is_disconnect(read_ec)) {
            stream_.close();
            co_return;
        }
        if (read_ec) {
            // Built first and awaited on its own line: GCC 12 destroys temporaries inside a
            // co_await expression twice.
            Response failure = read_failure(read_ec);
            if (failure.result() == http::status::unknown) {
                logger()->debug("http read from {}:{}: {}", remote_.address().to_string(),
                                remote_.port(), read_ec.message());
                stream_.close();
                co_return;
            }
            stop_idle_watch(); // fail_request times itself out
            co_await fail_request(failure);
            co_return;
        }

        disarm_idle(); // the handler's time (e.g. a commit) is not idleness
        Request request = parser.release();
        bool keep_alive = request.keep_alive();
        Response res;
        if (websocket_ != nullptr && WsEndpoint::targets(request)) {
            auto admission = websocket_->admit(request, remote_);
            if (admission.principal) {
                // The connection leaves stream_ (moved from: close() then skips it) for the
                // WebSocket.
                stop_idle_watch(); // the WebSocket session has liveness checks of its own
                auto ws = websocket_->create(std::move(stream_), std::move(*admission.principal));
                ws_session_ = ws;
                co_await ws->run(std::move(request));
                co_return;
            }
            res = std::move(admission.refusal);
        } else {
            res = co_await router_.dispatch(request, remote_);
        }
        arm_idle();
        auto [write_ec, written] = co_await write_response(
            res, request.version(), keep_alive, request.method() == http::verb::head, head);
        (void)written;
        if (write_ec) {
            if (!is_disconnect(write_ec)) {
                logger()->debug("http write to {}:{}: {}", remote_.address().to_string(),
                                remote_.port(), write_ec.message());
            }
            stream_.close();
            co_return;
        }
        if (request.body().size() >= kTrimAfterBodyBytes) {
            // glibc keeps freed memory for reuse; after a huge body (or the JSON tree of one)
            // give it back, so one large request does not raise the process's RSS for good.
            request = Request{};
            receiving.reset();
            ::malloc_trim(0);
        }
        if (!keep_alive) {
            stop_idle_watch(); // close_gracefully times itself out
            co_await close_gracefully(stream_);
            co_return;
        }
    }
}

Response HttpSession::read_failure(const error_code& ec) const {
    if (ec == http::error::body_limit) {
        return error_response(Error{Errc::too_large, "Request body larger than the limit of " +
                                                         std::to_string(limits_.max_body_bytes) +
                                                         " bytes"});
    }
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
        return error_response(http::status::request_header_fields_too_large,
                              "request_header_fields_too_large",
                              "Request headers larger than the limit of " +
                                  std::to_string(limits_.max_header_bytes) + " bytes");
    }
    if (ec.category() == http::make_error_code(http::error::end_of_stream).category()) {
        return error_response(Error{Errc::bad_request, "Malformed HTTP request: " + ec.message()});
    }
    Response none;
    none.result(http::status::unknown);
    return none;
}

asio::awaitable<std::tuple<error_code, std::size_t>>
HttpSession::write_response(Response& response, unsigned version, bool keep_alive, bool to_head,
                            std::string& scratch) {
    // Not a coroutine itself (that would be one more frame per request): it returns the write.
    ResponseBuffers buffers;
    if (can_render_finished(response)) {
        buffers = render_finished(response, version, keep_alive, scratch);
    } else {
        finish_response(response, version, keep_alive);
        if (response.chunked()) {
            return http::async_write(stream_, response, kTuple);
        }
        buffers = render_response(response, scratch);
    }
    return asio::async_write(stream_, to_head ? without_body(buffers, response) : buffers, kTuple);
}

void HttpSession::arm_idle() {
    idle_deadline_ = std::chrono::steady_clock::now() + limits_.idle_timeout;
}

void HttpSession::disarm_idle() {
    idle_deadline_ = std::chrono::steady_clock::time_point::max();
}

void HttpSession::start_idle_watch() {
    idle_watching_ = true;
    asio::co_spawn(executor_, watch_idle(shared_from_this()), asio::detached);
}

void HttpSession::stop_idle_watch() {
    idle_watching_ = false;
    idle_timer_.cancel();
}

asio::awaitable<void> HttpSession::watch_idle(std::shared_ptr<HttpSession> self) {
    while (self->idle_watching_) {
        const auto now = std::chrono::steady_clock::now();
        if (self->idle_deadline_ <= now) {
            // As a timed-out read or write would: the pending operation ends with
            // operation_aborted and run() returns quietly.
            self->stream_.close();
            co_return;
        }
        // While a handler runs there is no deadline: look again one timeout from now.
        self->idle_timer_.expires_at(self->idle_deadline_ ==
                                             std::chrono::steady_clock::time_point::max()
                                         ? now + self->limits_.idle_timeout
                                         : self->idle_deadline_);
        auto [ec] = co_await self->idle_timer_.async_wait(kTuple);
        (void)ec; // cancelled: idle_watching_ is false now
    }
}

asio::awaitable<void> HttpSession::fail_request(Response& response) {
    stream_.expires_after(limits_.idle_timeout);
    std::string scratch;
    auto [ec, n] = co_await write_response(response, 11, false, false, scratch);
    (void)n;
    if (ec) {
        stream_.close();
        co_return;
    }
    co_await close_gracefully(stream_);
}

} // namespace warren::web
