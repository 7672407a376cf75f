// http_request: the bytes of one client connection, read as web/http_session.cpp reads them and
// answered by the real router and handlers over an in-memory broker. Covers Beast's request
// parser at the session's limits, web/request_framing, the router (origin-form targets, path
// segments percent-decoded one by one, query parameters with '+' as a space), Basic auth, the
// list parameters, JSON bodies, binding props and every handler behind them.
//
// The input may hold several requests, as a keep-alive connection does: each is dispatched on
// the same broker, so a PUT of a queue can be followed by a publish to it and a GET of it. It
// stops where the session would stop reading: a refused framing, a parse error, a request that
// does not end within the input, or one that does not keep the connection alive.
//
// Invariants checked besides "no crash, leak or UB":
// - dispatch completes once the io_context has drained (no handler waits forever without a
//   store) and never answers 500 (a handler threw, or an internal error escaped);
// - the response, rendered as the session writes it, parses back as one whole HTTP response of
//   the same status and body, with nothing left over (no header injection, no bad framing).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <spdlog/spdlog.h>

#include "fuzz/support/api_fixture.hpp"
#include "fuzz/support/check.hpp"
#include "web/request_framing.hpp"
#include "web/response_writer.hpp"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using warren::web::Request;
using warren::web::Response;

constexpr int kMaxRequests = 8; // per input: enough for declare, bind, publish, get, list

// Feeds `input` to the parser as the session's buffered parse does; how many bytes it used, or
// nullopt when the session would stop here (an error, or input that ends mid-message).
std::optional<std::size_t> parse_request(http::request_parser<http::string_body>& parser,
                                         std::string_view input, bool header_only) {
    std::size_t used = 0;
    boost::system::error_code ec;
    while (!(header_only ? parser.is_header_done() : parser.is_done())) {
        const std::size_t n =
            parser.put(asio::buffer(input.data() + used, input.size() - used), ec);
        used += n;
        if (ec || n == 0) {
            return std::nullopt; // need_more at the end of the input included
        }
    }
    return used;
}

// The response as HttpSession::write_response puts it on the wire.
std::string render(Response& response, unsigned version, bool keep_alive, bool to_head) {
    std::string out;
    warren::web::ResponseBuffers buffers;
    if (warren::web::can_render_finished(response)) {
        buffers = warren::web::render_finished(response, version, keep_alive, out);
    } else {
        warren::web::finish_response(response, version, keep_alive);
        buffers = warren::web::render_response(response, out);
    }
    if (to_head) {
        buffers = warren::web::without_body(buffers, response);
    }
    std::string wire;
    for (const auto& b : buffers) {
        wire.append(static_cast<const char*>(b.data()), b.size());
    }
    return wire;
}

void check_response_framing(const std::string& wire, const Response& response, bool head) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(wire.size());
    parser.skip(head);
    boost::system::error_code ec;
    const std::size_t used = parser.put(asio::buffer(wire), ec);
    std::size_t total = used;
    while (!ec && !parser.is_done() && total < wire.size()) {
        total += parser.put(asio::buffer(wire.data() + total, wire.size() - total), ec);
    }
    FUZZ_CHECK(!ec, "the rendered response does not parse: " + ec.message() + "\n" + wire);
    FUZZ_CHECK(parser.is_done(), "the rendered response is incomplete:\n" + wire);
    FUZZ_CHECK(total == wire.size(), "bytes left after the rendered response:\n" + wire);
    FUZZ_CHECK(parser.get().result_int() == response.result_int(), "status changed on the wire");
    FUZZ_CHECK(head || parser.get().body() == response.body(), "body changed on the wire");
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    spdlog::set_level(spdlog::level::off); // handlers log refusals; the fuzzer needs none of it
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    warren::fuzz::ApiFixture fixture;
    asio::io_context ioc;
    const asio::ip::tcp::endpoint remote{asio::ip::address_v4::loopback(), 40000};

    for (int i = 0; i < kMaxRequests && !input.empty(); ++i) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(fixture.limits().max_header_bytes));
        parser.body_limit(fixture.limits().max_body_bytes);
        auto header = parse_request(parser, input, true);
        if (!header) {
            return 0;
        }
        input.remove_prefix(*header);
        if (warren::web::framing_refusal(parser.get(), parser.chunked())) {
            return 0; // answered 400 and closed before the body is read
        }
        auto body = parse_request(parser, input, false);
        if (!body) {
            return 0;
        }
        input.remove_prefix(*body);

        Request request = parser.release();
        const bool keep_alive = request.keep_alive();
        std::optional<Response> answer;
        asio::co_spawn(ioc, fixture.router().dispatch(request, remote),
                       [&answer](std::exception_ptr error, Response response) {
                           FUZZ_CHECK(!error, "dispatch threw");
                           answer = std::move(response);
                       });
        ioc.run();
        ioc.restart();
        FUZZ_CHECK(answer.has_value(), "dispatch did not complete");
        FUZZ_CHECK(answer->result() != http::status::internal_server_error,
                   "500 for " + std::string(request.method_string()) + " " +
                       std::string(request.target()) + ": " + answer->body());
        const bool head = request.method() == http::verb::head;
        const std::string wire = render(*answer, request.version(), keep_alive, head);
        check_response_framing(wire, *answer, head);
        if (!keep_alive) {
            return 0;
        }
    }
    return 0;
}
