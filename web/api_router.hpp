#pragma once

// ApiRouter: (method, path template) -> handler, for /api and the server's other paths.
// Templates are literal segments and {named} parameters ("/api/exchanges/{vhost}/{name}"). The
// request target's path is split on '/' first and each segment is then percent-decoded on its
// own, so "%2F" is part of a value (the vhost "/"), never a separator. A literal segment wins
// over a parameter at the same place ("/api/queues/detailed" before "/api/queues/{vhost}").
//
// Each resource has one file web/handlers/<resource>.cpp with a register_<resource>_routes()
// that calls add()/add_async() at startup. Handlers return a Response or an Error; errors become
// JSON through web/json_error only.
//
// Lifetime and thread: built once on the main thread before the server starts, then only read
// (dispatch is const), so sessions on any strand may share it. It must outlive the server.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include "common/error.hpp"
#include "web/auth.hpp"
#include "web/json_error.hpp"

namespace warren::web {

using Request = boost::beast::http::request<boost::beast::http::string_body>;

// What a handler sees of one request. Lives in the dispatching coroutine's frame for the whole
// call, async handlers included.
struct RequestContext {
    const Request& request;
    boost::asio::ip::tcp::endpoint remote;
    std::vector<std::pair<std::string, std::string>> params; // template name -> decoded value
    std::vector<std::pair<std::string, std::string>> query;  // decoded, in request order
    std::optional<Principal> principal;                      // set on authenticated routes

    // The decoded path parameter (the template guarantees it exists).
    const std::string& param(std::string_view name) const;
    // The first query parameter with this key, if any ("?a" gives "").
    std::optional<std::string_view> query_param(std::string_view key) const;
};

using HandlerResult = Result<Response>;
using Handler = std::function<HandlerResult(RequestContext&)>;
// For handlers that wait (e.g. publish waits for the commit). Write the coroutine as a free
// function and register a non-coroutine lambda that calls it: a capturing lambda must never be a
// coroutine itself (its captures die before the frame does).
using AsyncHandler = std::function<boost::asio::awaitable<HandlerResult>(RequestContext&)>;

struct RouteOptions {
    bool authenticated = true;  // false only for open probes (health checks, /metrics if so)
    bool administrator = false; // only users tagged administrator (users, permissions, ...)
};

// Decides whether a principal may use a vhost named in a route's {vhost} parameter; main() sets
// it to server::Broker::check_vhost_access (administrators and monitoring users see every vhost,
// as in RabbitMQ).
using VhostGate = std::function<Result<void>(const Principal&, std::string_view vhost)>;

class ApiRouter {
public:
    explicit ApiRouter(const BasicAuth& auth);
    ~ApiRouter();
    ApiRouter(const ApiRouter&) = delete;
    ApiRouter& operator=(const ApiRouter&) = delete;

    // Registers a route. A template is '/'-separated; a segment "{name}" is a parameter that
    // matches any non-empty segment. Registering the same method and path twice is a programming
    // error (asserts).
    void add(boost::beast::http::verb method, std::string_view path_template, Handler handler,
             RouteOptions options = {});
    void add_async(boost::beast::http::verb method, std::string_view path_template,
                   AsyncHandler handler, RouteOptions options = {});

    void set_vhost_gate(VhostGate gate) { vhost_gate_ = std::move(gate); }

    // Answers one request: 400 for a target that is not origin-form, 404 for an unknown path,
    // 405 (+ Allow) for a known path with another method, 401 when authentication fails (with
    // WWW-Authenticate, unless the request carries X-Requested-With: XMLHttpRequest), else
    // the handler's response or its error as JSON. Never throws: an exception from a handler is
    // logged and answered 500.
    boost::asio::awaitable<Response> dispatch(const Request& request,
                                              boost::asio::ip::tcp::endpoint remote) const;

private:
    struct Node;
    struct Route;
    void insert(boost::beast::http::verb method, std::string_view path_template, Route route);
    // The route's tag requirement, then the vhost gate for a {vhost} parameter.
    Result<void> authorize(const RouteOptions& options, const RequestContext& context) const;

    const BasicAuth& auth_;
    VhostGate vhost_gate_;
    std::unique_ptr<Node> root_;
};

// Response helpers for handlers.
Response json_response(const boost::json::value& body,
                       boost::beast::http::status status = boost::beast::http::status::ok);
// The same response for a body already rendered as JSON text.
Response json_text_response(std::string body,
                            boost::beast::http::status status = boost::beast::http::status::ok);
Response empty_response(boost::beast::http::status status); // 201/204 without a body

} // namespace warren::web
