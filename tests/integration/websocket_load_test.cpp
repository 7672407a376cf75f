// GET /ws under load: a consumer that never reads cannot make the server's memory grow past its
// outbox bound while 100 000 messages flow past it to another consumer, and 1 000 sockets at once
// each get their own exchange subscription and a fanout message.

#include <cstdlib>
#include <future>
#include <thread>

#include "tests/integration/support/proc_status.hpp"
#include "tests/integration/support/ws_fixture.hpp"
#include <sys/resource.h>

namespace warren::test {
namespace {

namespace json = boost::json;

// Reads messages until none has come for `quiet`; returns how many. (Not parsed: under ASan,
// parsing 100 000 frames would be most of the test's time.)
std::size_t drain(WsClient& ws, std::chrono::milliseconds quiet) {
    std::size_t n = 0;
    while (auto frame = ws.read_text(quiet)) {
        if (!frame->starts_with(R"({"type":"message")")) {
            throw std::runtime_error("unexpected frame: " + *frame);
        }
        ++n;
    }
    return n;
}

// Under AddressSanitizer, freed memory is quarantined (256 MB by default) instead of reused, so
// the server's RSS would measure ASan, not warren. The server this suite starts gets a small
// quarantine (later ASAN_OPTIONS entries win); the variable is restored afterwards.
class WebSocketLoad : public WsTest {
public:
    static void SetUpTestSuite() {
#if defined(__SANITIZE_ADDRESS__)
        const char* old = std::getenv("ASAN_OPTIONS");
        saved_ = old ? std::optional<std::string>(old) : std::nullopt;
        const std::string options = saved_.value_or("") + ":quarantine_size_mb=8";
        setenv("ASAN_OPTIONS", options.c_str(), 1);
#endif
    }
    static void TearDownTestSuite() {
#if defined(__SANITIZE_ADDRESS__)
        if (saved_) {
            setenv("ASAN_OPTIONS", saved_->c_str(), 1);
        } else {
            unsetenv("ASAN_OPTIONS");
        }
#endif
    }

private:
    static inline std::optional<std::string> saved_;
};

TEST_F(WebSocketLoad, ASlowConsumerNeverMakesTheServerBufferWithoutBound) {
    constexpr std::size_t kMessages = 100000;
    constexpr std::size_t kBatch = 500; // under the body limit of --max-message-size 65536
    put_queue("flood", R"({"durable":false})");
    auto slow = connect();
    subscribe(*slow, "slow", "flood", {{"ack", "auto"}});
    auto fast = connect();
    subscribe(*fast, "fast", "flood", {{"ack", "auto"}});
    const std::int64_t rss_before = proc_status_kb(warren.pid(), "VmRSS");
    ASSERT_GT(rss_before, 0);

    // The publisher has its own connection and thread; the test thread reads for `fast`
    // meanwhile. It publishes over HTTP in batches (one request per 500 messages), which keeps
    // the ASan run of this test short; WebSocket publishing is covered by websocket_test.cpp.
    const std::uint16_t port = warren.port();
    auto published = std::async(std::launch::async, [port] {
        HttpClient publisher(port);
        publisher.set_timeout(60s);
        const json::object message{{"properties", json::object{{"delivery_mode", 1}}},
                                   {"routing_key", "flood"},
                                   {"payload", std::string(100, 'x')},
                                   {"payload_encoding", "string"}};
        const std::string batch = json::serialize(json::array(kBatch, message));
        std::size_t routed = 0;
        for (std::size_t i = 0; i < kMessages / kBatch; ++i) {
            auto r = publisher.request(boost::beast::http::verb::post,
                                       "/api/exchanges/%2F/amq.default/publish", batch);
            if (r.status != 200) {
                throw std::runtime_error("publish: " + std::to_string(r.status) + " " + r.body);
            }
            const json::value answers = r.json();
            for (const auto& answer : answers.as_array()) {
                routed += answer.at("routed").as_bool();
            }
        }
        return routed;
    });
    std::size_t to_fast = 0;
    while (published.wait_for(0s) != std::future_status::ready) {
        to_fast += drain(*fast, 200ms);
    }
    EXPECT_EQ(published.get(), kMessages);
    to_fast += drain(*fast, 1500ms);
    const std::int64_t rss_peak = proc_status_kb(warren.pid(), "VmHWM");
    const std::int64_t rss_after = proc_status_kb(warren.pid(), "VmRSS");

    // Only now does the slow consumer read what was held for it: its window, nothing more.
    const std::size_t to_slow = drain(*slow, 1500ms);
    EXPECT_EQ(to_fast + to_slow, kMessages);
    EXPECT_LT(to_slow, kMessages / 2) << "round-robin did not skip the stalled consumer";
    HttpClient after(warren.port()); // the fixture's connection may have idled out meanwhile
    auto flood = after.get("/api/queues/%2F/flood");
    EXPECT_EQ(flood.json().at("messages"), 0) << flood.body;
    std::printf("[ measure  ] fast got %zu, slow got %zu; server RSS %lld kB before, "
                "%lld kB after, peak %lld kB\n",
                to_fast, to_slow, static_cast<long long>(rss_before),
                static_cast<long long>(rss_after), static_cast<long long>(rss_peak));
    EXPECT_LT(rss_peak - rss_before, 200 * 1024) << "server memory grew by over 200 MB";
}

// Raises this process's descriptor limit before the fixture starts warren, which inherits it.
class WebSocketMany : public WsTest {
public:
    static void SetUpTestSuite() {
        rlimit limit{};
        if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
            limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, 65536);
            setrlimit(RLIMIT_NOFILE, &limit);
        }
    }
};

TEST_F(WebSocketMany, AThousandConcurrentSockets) {
    constexpr std::size_t kSockets = 1000;
    rlimit limit{};
    ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
    if (limit.rlim_cur < 2 * kSockets + 100) {
        GTEST_SKIP() << "RLIMIT_NOFILE is " << limit.rlim_cur;
    }
    const auto start = std::chrono::steady_clock::now();
    auto ioc = std::make_shared<boost::asio::io_context>(1);
    std::vector<std::unique_ptr<WsClient>> sockets;
    sockets.reserve(kSockets);
    for (std::size_t i = 0; i < kSockets; ++i) {
        sockets.push_back(connect(ioc));
        sockets.back()->send(
            json::object{{"op", "subscribe"}, {"id", "f"}, {"exchange", "amq.fanout"}});
    }
    for (auto& ws : sockets) {
        ws->expect("subscribed");
    }
    auto connections = http.get("/api/connections?page=1&page_size=1");
    ASSERT_EQ(connections.status, 200u);
    EXPECT_EQ(connections.json().at("total_count"), kSockets);
    ASSERT_TRUE(publish_http("amq.fanout", "", "to everyone", 1));
    for (auto& ws : sockets) {
        EXPECT_EQ(ws->expect("message").at("payload"), "to everyone");
    }
    sockets.clear(); // dropped without a closing handshake
    EXPECT_TRUE(wait_until(
        [&] {
            return http.get("/api/connections?page=1&page_size=1").json().at("total_count") == 0;
        },
        10s));
    EXPECT_TRUE(wait_until([&] { return http.get("/api/queues").json().as_array().empty(); }));
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
    std::printf("[ measure  ] %zu sockets opened, subscribed, served and closed in %.2f s\n",
                kSockets, seconds.count());
}

} // namespace
} // namespace warren::test
