// The HTTP front against the real binary: auth, routing, error JSON, keep-alive, pipelining,
// limits, hostile clients and clean shutdown.

#include <csignal>
#include <set>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/wait_until.hpp"
#include "tests/integration/support/warren_process.hpp"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

namespace warren::test {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;
using namespace std::chrono_literals;

json::value parse(std::string_view text) {
    return json::parse(text);
}

void expect_json_error(const HttpReply& reply, unsigned status, std::string_view error) {
    EXPECT_EQ(reply.status, status) << reply.body;
    EXPECT_EQ(reply.header("Content-Type"), "application/json");
    json::value body = reply.json();
    ASSERT_TRUE(body.is_object()) << reply.body;
    EXPECT_EQ(body.as_object().at("error"), json::value(error)) << reply.body;
    ASSERT_TRUE(body.as_object().at("reason").is_string()) << reply.body;
    EXPECT_FALSE(body.as_object().at("reason").as_string().empty());
}

// Output lines the server logged at error level or worse.
bool logged_errors(const WarrenProcess& process) {
    std::string out = process.output();
    return out.find("[error]") != std::string::npos || out.find("[critical]") != std::string::npos;
}

class HttpBasics : public ::testing::Test {
protected:
    WarrenProcess server_;
};

TEST_F(HttpBasics, LogsListeningLineWithRealPort) {
    EXPECT_NE(server_.port(), 0);
    EXPECT_NE(server_.output().find(
                  "listening on http://127.0.0.1:" + std::to_string(server_.port()) + "\n"),
              std::string::npos)
        << server_.output();
    EXPECT_TRUE(std::filesystem::is_directory(server_.data_dir()));
}

TEST_F(HttpBasics, OverviewHasRabbitMqShape) {
    HttpClient client(server_.port());
    HttpReply reply = client.get("/api/overview");
    ASSERT_EQ(reply.status, 200u) << reply.body;
    EXPECT_EQ(reply.header("Content-Type"), "application/json");
    const json::object overview = reply.json().as_object();

    EXPECT_EQ(overview.at("product_name"), "warren");
    EXPECT_EQ(overview.at("rabbitmq_version"), "3.13.7");
    EXPECT_EQ(overview.at("management_version"), "3.13.7");
    ExitResult version = WarrenProcess::run_to_exit({"--version"});
    EXPECT_EQ(version.output,
              "warren " + std::string(overview.at("product_version").as_string()) + "\n");
    EXPECT_TRUE(overview.at("rates_mode").is_string());
    const std::string node(overview.at("node").as_string());
    EXPECT_EQ(node.rfind("warren@", 0), 0u) << node;
    EXPECT_TRUE(overview.at("cluster_name").is_string());

    std::set<std::string> types;
    for (const auto& type : overview.at("exchange_types").as_array()) {
        types.insert(std::string(type.at("name").as_string()));
        EXPECT_EQ(type.at("enabled"), true);
        EXPECT_FALSE(type.at("description").as_string().empty());
    }
    EXPECT_EQ(types,
              (std::set<std::string>{"direct", "fanout", "headers", "topic", "x-consistent-hash"}));

    const json::object& totals = overview.at("object_totals").as_object();
    EXPECT_EQ(totals.at("connections"), 0);
    EXPECT_EQ(totals.at("channels"), 0);
    EXPECT_EQ(totals.at("queues"), 0);
    EXPECT_EQ(totals.at("consumers"), 0);
    // A fresh vhost "/" has at least the default exchange and amq.direct/fanout/topic/headers.
    EXPECT_GE(totals.at("exchanges").to_number<std::int64_t>(), 5);

    EXPECT_EQ(overview.at("queue_totals"),
              parse(R"({"messages":0,"messages_ready":0,"messages_unacknowledged":0})"));
    // Totals and rates (server/stats): nothing happened yet.
    const json::object& stats = overview.at("message_stats").as_object();
    for (std::string_view field : {"publish", "deliver_get", "ack", "redeliver"}) {
        EXPECT_EQ(stats.at(field), 0) << field;
        EXPECT_EQ(stats.at(std::string(field) + "_details"), parse(R"({"rate":0.0})")) << field;
    }

    const json::array& listeners = overview.at("listeners").as_array();
    ASSERT_EQ(listeners.size(), 1u);
    EXPECT_EQ(listeners[0].at("protocol"), "http");
    EXPECT_EQ(listeners[0].at("ip_address"), "127.0.0.1");
    EXPECT_EQ(listeners[0].at("port"), server_.port());
    EXPECT_EQ(listeners[0].at("node"), json::value(node));
}

TEST_F(HttpBasics, WhoamiIsGuestAdministrator) {
    HttpClient client(server_.port());
    HttpReply reply = client.get("/api/whoami");
    ASSERT_EQ(reply.status, 200u) << reply.body;
    EXPECT_EQ(reply.json(),
              parse(R"({"name":"guest","tags":["administrator"],"is_internal_user":true})"));
}

TEST_F(HttpBasics, NoCredentialsIs401WithChallenge) {
    HttpClient client(server_.port());
    HttpReply reply = client.get("/api/whoami", std::nullopt);
    expect_json_error(reply, 401, "not_authorized");
    EXPECT_EQ(reply.header("WWW-Authenticate"), "Basic realm=\"warren\"");
    // The connection survives an auth failure.
    EXPECT_EQ(client.get("/api/whoami").status, 200u);
    EXPECT_EQ(client.connects(), 1u);
}

TEST_F(HttpBasics, WrongPasswordIs401LoginFailed) {
    HttpClient client(server_.port());
    HttpReply reply = client.get("/api/overview", Credentials{"guest", "wrong"});
    EXPECT_EQ(reply.status, 401u);
    EXPECT_EQ(reply.json(), parse(R"({"error":"not_authorized","reason":"Login failed"})"));
    EXPECT_EQ(reply.header("WWW-Authenticate"), "Basic realm=\"warren\"");

    HttpReply unknown = client.get("/api/overview", Credentials{"mallory", "guest"});
    EXPECT_EQ(unknown.status, 401u);
    EXPECT_EQ(unknown.json(), parse(R"({"error":"not_authorized","reason":"Login failed"})"));
}

TEST_F(HttpBasics, MalformedAuthorizationIs401) {
    HttpClient client(server_.port());
    for (std::string header : {"Basic !!!not-base64", "Bearer abc", "Basic Z3Vlc3Q="}) {
        HttpReply reply =
            client.request(verb::get, "/api/whoami", {}, {{"Authorization", header}}, std::nullopt);
        expect_json_error(reply, 401, "not_authorized");
    }
}

TEST_F(HttpBasics, UnknownPathIs404ObjectNotFound) {
    HttpClient client(server_.port());
    // ("/" is the admin page: admin_assets_test.cpp.)
    for (std::string_view target : {"/api/nope", "/api", "/nothing/here", "/api/whoami/x"}) {
        HttpReply reply = client.get(target);
        EXPECT_EQ(reply.status, 404u) << target;
        EXPECT_EQ(reply.header("Content-Type"), "application/json");
        EXPECT_EQ(reply.json(), parse(R"({"error":"Object Not Found","reason":"Not Found"})"))
            << target;
    }
}

TEST_F(HttpBasics, WrongMethodIs405WithAllowAndJson) {
    HttpClient client(server_.port());
    HttpReply reply = client.request(verb::post, "/api/overview", "{}");
    expect_json_error(reply, 405, "method_not_allowed");
    EXPECT_EQ(reply.header("Allow"), "GET");

    // The method is checked before credentials, as RabbitMQ (cowboy_rest) does.
    HttpReply anonymous = client.request(verb::delete_, "/api/whoami", {}, {}, std::nullopt);
    expect_json_error(anonymous, 405, "method_not_allowed");
    EXPECT_EQ(anonymous.header("Allow"), "GET");
}

// Found by fuzz/http_request (fuzz/regressions/http_request/head_405_with_body): the 405 to a
// HEAD carried its JSON body, which a client reads as the start of the next response on the
// connection. A response to HEAD has a Content-Length and no body (RFC 9110 9.3.2).
TEST_F(HttpBasics, AnswerToHeadHasNoBodySoTheNextResponseStaysInStep) {
    HttpClient raw(server_.port());
    const std::string auth = "Authorization: " + HttpClient::basic_auth(kGuest) + "\r\n";
    raw.send_raw("HEAD /api/overview HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n" +
                 "GET /api/whoami HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n");
    auto head = raw.read_reply(true);
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->status, 405u);
    EXPECT_EQ(head->header("Allow"), "GET");
    EXPECT_NE(head->header("Content-Length"), "0"); // the length a body would have had
    EXPECT_TRUE(head->keep_alive);
    auto next = raw.read_reply();
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(next->status, 200u) << next->body;
    EXPECT_EQ(next->json().at("name"), "guest") << next->body;
}

TEST_F(HttpBasics, PathSegmentsArePercentDecodedOneByOne) {
    HttpClient client(server_.port());
    // An encoded letter inside a segment is the letter.
    HttpReply who = client.get("/api/who%61mi");
    EXPECT_EQ(who.status, 200u);
    EXPECT_EQ(who.json().at("name"), "guest");
    EXPECT_EQ(client.request(verb::put, "/api/%6Fverview").status, 405u);
    // An encoded slash never separates segments: these are two-segment paths that do not exist.
    EXPECT_EQ(client.get("/api%2Foverview").status, 404u);
    EXPECT_EQ(client.get("/api/overview%2Fextra").status, 404u);
    EXPECT_EQ(client.get("/api/overview%2F").status, 404u);
    // A trailing slash and a query string do not change the route.
    EXPECT_EQ(client.get("/api/overview/").status, 200u);
    EXPECT_EQ(client.get("/api/overview?columns=node&name=a+b").status, 200u);
}

TEST_F(HttpBasics, TargetNotInOriginFormIs400) {
    HttpClient client(server_.port());
    client.send_raw("GET http://example.com/api/overview HTTP/1.1\r\nHost: x\r\n\r\n");
    auto reply = client.read_reply();
    ASSERT_TRUE(reply.has_value());
    expect_json_error(*reply, 400, "bad_request");
}

TEST_F(HttpBasics, KeepAliveServesHundredRequestsOnOneConnection) {
    HttpClient client(server_.port());
    for (int i = 0; i < 100; ++i) {
        HttpReply reply = client.get(i % 2 == 0 ? "/api/whoami" : "/api/overview");
        ASSERT_EQ(reply.status, 200u) << "request " << i;
        ASSERT_TRUE(reply.keep_alive) << "request " << i;
    }
    EXPECT_EQ(client.connects(), 1u);
}

TEST_F(HttpBasics, PipelinedRequestsAreAnsweredInOrder) {
    HttpClient client(server_.port());
    std::string auth = HttpClient::basic_auth(kGuest);
    auto request = [&](std::string_view target) {
        return "GET " + std::string(target) + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + auth +
               "\r\n\r\n";
    };
    client.send_raw(request("/api/whoami") + request("/api/nope") + request("/api/overview"));

    auto first = client.read_reply();
    auto second = client.read_reply();
    auto third = client.read_reply();
    ASSERT_TRUE(first && second && third);
    EXPECT_EQ(first->status, 200u);
    EXPECT_EQ(first->json().at("name"), "guest");
    EXPECT_EQ(second->status, 404u);
    EXPECT_EQ(third->status, 200u);
    EXPECT_EQ(third->json().at("product_name"), "warren");
    EXPECT_EQ(client.connects(), 1u);
}

TEST(HttpLimits, OversizedBodyIs413Json) {
    WarrenProcess server({"--max-message-size", "1MiB"});
    HttpClient client(server.port());
    HttpReply reply = client.request(verb::post, "/api/overview", std::string(2u << 20, 'x'));
    expect_json_error(reply, 413, "too_large");
    EXPECT_FALSE(reply.keep_alive);
    EXPECT_TRUE(client.wait_closed_by_peer());

    // A declared length over the limit is refused before any body is sent.
    HttpClient declared(server.port());
    declared.send_raw(
        "POST /api/overview HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n");
    auto early = declared.read_reply();
    ASSERT_TRUE(early.has_value());
    expect_json_error(*early, 413, "too_large");

    // A body within the limit is read (and the route then answers normally).
    HttpClient fits(server.port());
    EXPECT_EQ(fits.request(verb::post, "/api/overview", std::string(1u << 20, 'x')).status, 405u);
    EXPECT_FALSE(logged_errors(server)) << server.output();
}

TEST_F(HttpBasics, ExpectContinueGetsAnInterim100BeforeTheBody) {
    HttpClient client(server_.port());
    std::string body = R"({"payload":"x"})";
    client.send_raw("POST /api/whoami HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                    "Content-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n");
    auto interim = client.read_reply();
    ASSERT_TRUE(interim.has_value());
    EXPECT_EQ(interim->status, 100u);
    client.send_raw(body);
    auto final_reply = client.read_reply();
    ASSERT_TRUE(final_reply.has_value());
    expect_json_error(*final_reply, 405, "method_not_allowed");
}

TEST_F(HttpBasics, OversizedHeadersAre431Json) {
    HttpClient client(server_.port());
    HttpReply reply =
        client.request(verb::get, "/api/whoami", {}, {{"X-Filler", std::string(20000, 'a')}});
    expect_json_error(reply, 431, "request_header_fields_too_large");
    EXPECT_TRUE(client.wait_closed_by_peer());
    EXPECT_EQ(HttpClient(server_.port()).get("/api/whoami").status, 200u);
}

TEST_F(HttpBasics, GarbageGets400AndServerKeepsServing) {
    for (std::string garbage : {std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),
                                std::string("hello there\r\n\r\n"),
                                std::string("GET / HTTP/1.1\r\nBad Header Line\r\n\r\n")}) {
        HttpClient client(server_.port());
        client.send_raw(garbage);
        auto reply = client.read_reply();
        if (reply) {
            expect_json_error(*reply, 400, "bad_request");
            EXPECT_FALSE(reply->keep_alive);
        }
        EXPECT_TRUE(client.wait_closed_by_peer());
        EXPECT_EQ(HttpClient(server_.port()).get("/api/whoami").status, 200u);
    }
    EXPECT_FALSE(logged_errors(server_)) << server_.output();
}

TEST_F(HttpBasics, ClientVanishingMidRequestIsHarmless) {
    {
        HttpClient vanishing(server_.port());
        vanishing.send_raw("GET /api/overview HTTP/1.1\r\nHost: x\r\n");
    } // closed mid-headers
    {
        HttpClient vanishing(server_.port());
        vanishing.send_raw("POST /api/overview HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
                           "only part of the body");
    } // closed mid-body
    // One that stalls mid-request and stays connected does not block anyone else.
    HttpClient stalled(server_.port());
    stalled.send_raw("GET /api/overview HTTP/1.1\r\n");

    HttpClient client(server_.port());
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(client.get("/api/whoami").status, 200u);
    }
    EXPECT_FALSE(logged_errors(server_)) << server_.output();
}

TEST(HttpLimits, MaxConnectionsRefusesWith503UntilOneCloses) {
    WarrenProcess server({"--max-connections", "2"});
    HttpClient first(server.port());
    HttpClient second(server.port());
    ASSERT_EQ(first.get("/api/whoami").status, 200u);
    ASSERT_EQ(second.get("/api/whoami").status, 200u);

    HttpClient third(server.port());
    HttpReply refused = third.get("/api/whoami");
    expect_json_error(refused, 503, "service_unavailable");
    EXPECT_EQ(refused.header("Retry-After"), "5");

    first.disconnect();
    EXPECT_TRUE(wait_until([&] {
        HttpClient next(server.port());
        return next.get("/api/whoami").status == 200u;
    }));
    EXPECT_EQ(second.get("/api/whoami").status, 200u);
}

TEST_F(HttpBasics, SigtermStopsWithinFiveSecondsAndExitsZero) {
    // An idle keep-alive connection and a half-sent request must not hold the shutdown up.
    HttpClient idle(server_.port());
    ASSERT_EQ(idle.get("/api/whoami").status, 200u);
    HttpClient half(server_.port());
    half.send_raw("GET /api/whoami HTTP/1.1\r\n");

    auto started = std::chrono::steady_clock::now();
    std::optional<int> code = server_.stop(5s);
    ASSERT_TRUE(code.has_value()) << "still running 5 s after SIGTERM\n" << server_.output();
    EXPECT_EQ(*code, 0) << server_.output();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
    EXPECT_TRUE(server_.wait_for_output("stopped")) << server_.output();
    EXPECT_TRUE(idle.wait_closed_by_peer(1s));
}

TEST_F(HttpBasics, SigintStopsCleanly) {
    server_.signal(SIGINT);
    std::optional<int> code = server_.wait_exit(5s);
    ASSERT_TRUE(code.has_value()) << server_.output();
    EXPECT_EQ(*code, 0);
    EXPECT_TRUE(server_.wait_for_output("stopped")) << server_.output();
}

// The first non-loopback IPv4 address of this machine, if it has one.
std::optional<std::string> non_loopback_ipv4() {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) {
        return std::nullopt;
    }
    std::optional<std::string> found;
    for (ifaddrs* i = list; i != nullptr && !found; i = i->ifa_next) {
        if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) {
            continue;
        }
        auto* in = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
        if ((ntohl(in->sin_addr.s_addr) >> 24) == 127) {
            continue;
        }
        char text[INET_ADDRSTRLEN] = {};
        inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        found = text;
    }
    freeifaddrs(list);
    return found;
}

TEST(HttpAuth, GuestIsRefusedFromANonLoopbackAddress) {
    auto address = non_loopback_ipv4();
    if (!address) {
        GTEST_SKIP() << "this machine has no non-loopback IPv4 address";
    }
    WarrenProcess server({"--bind", "0.0.0.0"});
    HttpClient remote(server.port(), *address);
    HttpReply reply = remote.get("/api/whoami");
    EXPECT_EQ(reply.status, 401u);
    EXPECT_EQ(reply.json(),
              parse(R"({"error":"not_authorised","reason":"User can only log in via localhost"})"));
    EXPECT_EQ(HttpClient(server.port()).get("/api/whoami").status, 200u);

    WarrenProcess open({"--bind", "0.0.0.0", "--loopback-users", "none"});
    EXPECT_EQ(HttpClient(open.port(), *address).get("/api/whoami").status, 200u);
}

} // namespace
} // namespace warren::test
