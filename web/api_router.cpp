#include "web/api_router.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <variant>

#include <boost/assert.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/container/small_vector.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <spdlog/spdlog.h>

#include "server/principal.hpp"

namespace warren::web {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace urls = boost::urls;

namespace {

std::shared_ptr<spdlog::logger> logger() {
    auto log = spdlog::get("web");
    return log ? log : spdlog::default_logger();
}

std::vector<std::string_view> split_template(std::string_view path_template) {
    BOOST_ASSERT_MSG(!path_template.empty() && path_template.front() == '/',
                     "route templates start with '/'");
    std::vector<std::string_view> segments;
    std::size_t start = 1;
    while (start <= path_template.size()) {
        std::size_t slash = path_template.find('/', start);
        if (slash == std::string_view::npos) {
            slash = path_template.size();
        }
        segments.push_back(path_template.substr(start, slash - start));
        start = slash + 1;
    }
    if (!segments.empty() && segments.back().empty()) {
        segments.pop_back(); // "/api/users/" == "/api/users"
    }
    return segments;
}

// A request path's segments (and the parameter values among them): on the stack for any path
// the API has (at most 8 segments), instead of a heap vector per request.
using Segments = boost::container::small_vector<std::string, 8>;

bool is_param(std::string_view segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

} // namespace

struct ApiRouter::Route {
    http::verb method = http::verb::unknown;
    std::variant<Handler, AsyncHandler> handler;
    RouteOptions options;
    std::vector<std::string> param_names; // in path order
};

struct ApiRouter::Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> literals;
    std::unique_ptr<Node> param;
    std::vector<Route> routes; // one per method

    // Depth-first, literal before parameter; `values` collects parameter values on the way.
    const Node* match(const Segments& segments, std::size_t i, Segments& values) const {
        if (i == segments.size()) {
            return routes.empty() ? nullptr : this;
        }
        if (auto it = literals.find(segments[i]); it != literals.end()) {
            if (const Node* found = it->second->match(segments, i + 1, values)) {
                return found;
            }
        }
        if (param && !segments[i].empty()) {
            values.push_back(segments[i]);
            if (const Node* found = param->match(segments, i + 1, values)) {
                return found;
            }
            values.pop_back();
        }
        return nullptr;
    }
};

const std::string& RequestContext::param(std::string_view name) const {
    for (const auto& [key, value] : params) {
        if (key == name) {
            return value;
        }
    }
    BOOST_ASSERT_MSG(false, "handler asked for a parameter its template does not have");
    static const std::string kEmpty;
    return kEmpty;
}

std::optional<std::string_view> RequestContext::query_param(std::string_view key) const {
    for (const auto& [k, value] : query) {
        if (k == key) {
            return std::string_view(value);
        }
    }
    return std::nullopt;
}

ApiRouter::ApiRouter(const BasicAuth& auth) : auth_(auth), root_(std::make_unique<Node>()) {}

ApiRouter::~ApiRouter() = default;

void ApiRouter::add(http::verb method, std::string_view path_template, Handler handler,
                    RouteOptions options) {
    insert(method, path_template, Route{method, std::move(handler), options, {}});
}

void ApiRouter::add_async(http::verb method, std::string_view path_template, AsyncHandler handler,
                          RouteOptions options) {
    insert(method, path_template, Route{method, std::move(handler), options, {}});
}

void ApiRouter::insert(http::verb method, std::string_view path_template, Route route) {
    Node* node = root_.get();
    for (std::string_view segment : split_template(path_template)) {
        if (is_param(segment)) {
            route.param_names.emplace_back(segment.substr(1, segment.size() - 2));
            if (!node->param) {
                node->param = std::make_unique<Node>();
            }
            node = node->param.get();
        } else {
            auto& child = node->literals[std::string(segment)];
            if (!child) {
                child = std::make_unique<Node>();
            }
            node = child.get();
        }
    }
    // A programming error, caught at startup in every build type (not only with asserts on).
    if (std::any_of(node->routes.begin(), node->routes.end(),
                    [&](const Route& r) { return r.method == method; })) {
        throw std::logic_error("route registered twice: " + std::string(path_template));
    }
    node->routes.push_back(std::move(route));
}

Result<void> ApiRouter::authorize(const RouteOptions& options,
                                  const RequestContext& context) const {
    const Principal& principal = *context.principal;
    if (options.administrator) {
        return server::check_administrator(principal);
    }
    if (!vhost_gate_) {
        return {};
    }
    for (const auto& [name, value] : context.params) {
        if (name == "vhost") {
            return vhost_gate_(principal, value);
        }
    }
    return {};
}

boost::asio::awaitable<Response> ApiRouter::dispatch(const Request& request,
                                                     boost::asio::ip::tcp::endpoint remote) const {
    auto target = urls::parse_origin_form(request.target());
    if (!target) {
        co_return error_response(Error{Errc::bad_request, "Invalid request target"});
    }

    Segments segments;
    for (auto segment : target->encoded_segments()) {
        segments.push_back(segment.decode());
    }
    if (!segments.empty() && segments.back().empty()) {
        segments.pop_back();
    }
    Segments values;
    const Node* node = root_->match(segments, 0, values);
    if (node == nullptr) {
        co_return object_not_found();
    }
    auto route = std::find_if(node->routes.begin(), node->routes.end(),
                              [&](const Route& r) { return r.method == request.method(); });
    if (route == node->routes.end()) {
        std::vector<std::string_view> methods;
        for (const Route& r : node->routes) {
            methods.push_back(http::to_string(r.method));
        }
        std::sort(methods.begin(), methods.end());
        std::string allow;
        for (std::string_view m : methods) {
            allow += allow.empty() ? "" : ", ";
            allow += m;
        }
        Response res = error_response(
            Error{Errc::method_not_allowed, "Method " + std::string(request.method_string()) +
                                                " is not allowed here; allowed: " + allow});
        res.set(http::field::allow, allow);
        co_return res;
    }

    RequestContext context{request, remote, {}, {}, std::nullopt};
    context.params.reserve(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        context.params.emplace_back(route->param_names[i], std::move(values[i]));
    }
    // '+' in a query means a space, as in HTML forms and RabbitMQ's cowboy_req:parse_qs.
    urls::encoding_opts query_opts(true);
    for (auto param : target->encoded_params()) {
        context.query.emplace_back(param.key.decode(query_opts), param.value.decode(query_opts));
    }
    if (route->options.authenticated) {
        auto principal = auth_.check(request[http::field::authorization], remote.address());
        if (!principal) {
            Response res = error_response(principal.error());
            // A page's script (the admin page, like RabbitMQ's UI, marks its requests
            // X-Requested-With: XMLHttpRequest) shows its own login form: without the challenge
            // header the browser does not pop up its native Basic-auth dialog.
            if (beast::iequals(request["X-Requested-With"], "XMLHttpRequest")) {
                res.erase(http::field::www_authenticate);
            }
            co_return res;
        }
        context.principal = std::move(*principal);
        if (auto allowed = authorize(route->options, context); !allowed) {
            co_return error_response(allowed.error());
        }
    }

    HandlerResult result = Error{Errc::internal, "Internal server error"};
    try {
        if (const auto* handler = std::get_if<Handler>(&route->handler)) {
            result = (*handler)(context);
        } else {
            result = co_await std::get<AsyncHandler>(route->handler)(context);
        }
    } catch (const std::exception& e) {
        logger()->error("handler for {} {} threw: {}", request.method_string(), target->path(),
                        e.what());
        result = Error{Errc::internal, "Internal server error"};
    }
    if (!result) {
        co_return error_response(result.error());
    }
    co_return std::move(*result);
}

Response json_response(const boost::json::value& body, http::status status) {
    return json_text_response(boost::json::serialize(body), status);
}

Response json_text_response(std::string body, http::status status) {
    Response res{status, 11};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-cache");
    res.body() = std::move(body);
    return res;
}

Response empty_response(http::status status) {
    Response res{status, 11};
    res.set(http::field::cache_control, "no-cache");
    return res;
}

} // namespace warren::web
