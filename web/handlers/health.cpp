// Health checks with RabbitMQ's paths and shapes (management API 3.x, checked against a running
// RabbitMQ 3.10): 200 {"status":"ok"[, ...]} or 503 {"status":"failed","reason":..., ...}.
//
// Auth: RabbitMQ requires a management user for every check. warren leaves the read-only
// /api/health/checks/* open (DESIGN.md 3: "/api/health-style probes documented as open"), so a
// load balancer or Kubernetes probe needs no stored password; they reveal only alarm states and
// listener ports. /api/aliveness-test/{vhost} declares a queue and publishes, so it keeps
// RabbitMQ's rule: authenticated, with read and write access to the vhost.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <climits>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "web/handlers/common.hpp"
#include "web/handlers/monitoring.hpp"

namespace warren::web {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

Response ok(json::object extra = {}) {
    json::object body{{"status", "ok"}};
    for (auto& [key, value] : extra) {
        body[key] = std::move(value);
    }
    return json_response(body);
}

Response failed(std::string_view reason, json::object extra = {}) {
    json::object body{{"status", "failed"}, {"reason", reason}};
    for (auto& [key, value] : extra) {
        body[key] = std::move(value);
    }
    return json_response(body, http::status::service_unavailable);
}

// One node: the cluster's alarms are this node's. RabbitMQ lists {node, resource}; warren adds
// its own sentence as `reason`.
Response alarms_check(const server::Broker& broker, const NodeInfo& node,
                      std::string_view failure_reason) {
    json::array alarms;
    const server::ResourcesView resources = broker.resources();
    for (const auto& [alarm, resource] :
         {std::pair{&resources.memory_alarm, "memory"}, std::pair{&resources.disk_alarm, "disk"}}) {
        if (*alarm) {
            alarms.push_back(
                json::object{{"node", node.node}, {"resource", resource}, {"reason", **alarm}});
        }
    }
    if (alarms.empty()) {
        return ok();
    }
    return failed(failure_reason, {{"alarms", std::move(alarms)}});
}

// The protocols the node's listeners serve. GET /metrics and GET /ws share the HTTP listener;
// RabbitMQ names such listeners "http/prometheus", "http/web-stomp" and so on.
std::vector<std::string> protocols_of(const NodeInfo& node) {
    std::vector<std::string> protocols;
    for (const auto& listener : node.listeners) {
        protocols.push_back(listener.protocol);
        if (listener.protocol == "http" || listener.protocol == "https") {
            protocols.push_back(listener.protocol + "/prometheus");
            protocols.push_back(listener.protocol + "/websocket");
        }
    }
    return protocols;
}

// Lower case, and the aliases RabbitMQ accepts for the names warren has.
std::string normalize_protocol(std::string_view protocol) {
    std::string name(protocol);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == "prometheus") {
        return "http/prometheus";
    }
    if (name == "websocket" || name == "ws" || name == "web-socket") {
        return "http/websocket";
    }
    return name;
}

Response port_listener_check(const NodeInfo& node, std::string_view text) {
    long long port = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    if (ec != std::errc{} || end != text.data() + text.size()) {
        return error_response(Error{Errc::bad_request, "Invalid port"});
    }
    json::array ports;
    for (const auto& listener : node.listeners) {
        if (listener.port == port) {
            return ok({{"port", port}});
        }
        ports.push_back(listener.port);
    }
    return failed("No active listener", {{"missing", port}, {"ports", std::move(ports)}});
}

Response protocol_listener_check(const NodeInfo& node, std::string_view text) {
    const std::string protocol = normalize_protocol(text);
    const std::vector<std::string> protocols = protocols_of(node);
    if (std::find(protocols.begin(), protocols.end(), protocol) != protocols.end()) {
        return ok({{"protocol", protocol}});
    }
    json::array names;
    for (const auto& p : protocols) {
        names.emplace_back(p);
    }
    return failed("No active listener", {{"missing", protocol}, {"protocols", std::move(names)}});
}

// As RabbitMQ: fails when the TLS listener's certificate expires within the period (months of
// 30 days, years of 365). Without an HTTPS listener there is nothing to expire.
Response certificate_expiration_check(const NodeInfo& node, std::string_view within,
                                      std::string_view unit) {
    long long amount = 0;
    auto [end, ec] = std::from_chars(within.data(), within.data() + within.size(), amount);
    if (ec != std::errc{} || end != within.data() + within.size() || amount < 0) {
        return error_response(Error{Errc::bad_request, "Invalid expiration value."});
    }
    if (unit != "days" && unit != "weeks" && unit != "months" && unit != "years") {
        return error_response(
            Error{Errc::bad_request,
                  "Time unit not recognised. Supported units: days, weeks, months, years."});
    }
    if (!node.tls_certificate) {
        return ok();
    }
    const long long day = 24 * 3600;
    const long long unit_seconds = unit == "days"     ? day
                                   : unit == "weeks"  ? 7 * day
                                   : unit == "months" ? 30 * day
                                                      : 365 * day;
    const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
    const long long horizon =
        amount > (LLONG_MAX - now) / unit_seconds ? LLONG_MAX : now + amount * unit_seconds;
    if (node.tls_certificate->not_after > horizon) {
        return ok();
    }
    json::array expired{json::object{{"node", node.node},
                                     {"protocol", "https"},
                                     {"certfile", node.tls_certificate->file},
                                     {"not_after", node.tls_certificate->not_after}}};
    return failed("Certificates expiring", {{"expired", std::move(expired)}});
}

// RabbitMQ 3.x: declare the (transient) queue aliveness-test, publish "test_message" to it
// through the default exchange, basic.get it without ack (the broker's check_aliveness). The
// queue is left in place.
HandlerResult aliveness_test(server::Broker& broker, const RequestContext& context) {
    auto alive = broker.check_aliveness(caller(context), context.param("vhost"));
    if (!alive) {
        return missing_as_404(alive.error());
    }
    return alive->alive ? ok() : failed(alive->reason);
}

} // namespace

void register_health_routes(ApiRouter& router, server::Broker& broker, const NodeInfo& node) {
    const RouteOptions open{false};
    const auto get = http::verb::get;
    router.add(
        get, "/api/health/checks/alarms",
        [&broker, &node](RequestContext&) -> HandlerResult {
            return alarms_check(broker, node, "There are alarms in effect in the cluster");
        },
        open);
    router.add(
        get, "/api/health/checks/local-alarms",
        [&broker, &node](RequestContext&) -> HandlerResult {
            return alarms_check(broker, node, "There are alarms in effect on the node");
        },
        open);
    // Virtual hosts live in the broker's memory and cannot be "down" on their own, unlike
    // RabbitMQ's per-vhost supervisors: always ok.
    router.add(
        get, "/api/health/checks/virtual-hosts",
        [](RequestContext&) -> HandlerResult { return ok(); }, open);
    router.add(
        get, "/api/health/checks/port-listener/{port}",
        [&node](RequestContext& context) -> HandlerResult {
            return port_listener_check(node, context.param("port"));
        },
        open);
    router.add(
        get, "/api/health/checks/protocol-listener/{protocol}",
        [&node](RequestContext& context) -> HandlerResult {
            return protocol_listener_check(node, context.param("protocol"));
        },
        open);
    router.add(
        get, "/api/health/checks/certificate-expiration/{within}/{unit}",
        [&node](RequestContext& context) -> HandlerResult {
            return certificate_expiration_check(node, context.param("within"),
                                                context.param("unit"));
        },
        open);
    // One node has no replicas to lose: RabbitMQ answers these with the same body on a
    // single-node cluster.
    for (std::string_view path : {"/api/health/checks/node-is-quorum-critical",
                                  "/api/health/checks/node-is-mirror-sync-critical"}) {
        router.add(
            get, path,
            [](RequestContext&) -> HandlerResult {
                return ok({{"reason", "single node cluster"}});
            },
            open);
    }
    router.add(get, "/api/aliveness-test/{vhost}",
               [&broker](RequestContext& context) -> HandlerResult {
                   return aliveness_test(broker, context);
               });
}

} // namespace warren::web
