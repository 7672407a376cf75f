// --https-port: the API, the admin page and /ws over TLS, beside the plain listener, with a
// self-signed certificate made here (support/test_certificate: OpenSSL's API, so no `openssl`
// program is needed). Also the flag errors: a port without certificate and key, and files that
// do not load.

#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/http_client.hpp"
#include "tests/integration/support/test_certificate.hpp"
#include "tests/integration/support/warren_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace warren::test {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

// A self-signed certificate for CN=localhost (no subjectAltName) and its key, as PEM files in
// `dir`.
void make_certificate(const std::filesystem::path& dir) {
    TestCertificate cert(CertificateSpec{});
    cert.write_certificate(dir / "cert.pem");
    cert.write_key(dir / "key.pem");
}

class Tls : public ::testing::Test {
protected:
    void SetUp() override {
        make_certificate(dir_.path());
        server_ = std::make_unique<WarrenProcess>(std::vector<std::string>{
            "--https-port", "0", "--tls-cert", (dir_.path() / "cert.pem").string(), "--tls-key",
            (dir_.path() / "key.pem").string()});
        https_port_ = https_port_of(*server_);
        ASSERT_NE(https_port_, 0) << server_->output();
        tls_.set_verify_mode(ssl::verify_none); // self-signed: the test checks the server, not PKI
    }

    // One request over a fresh TLS connection.
    http::response<http::string_body> request(http::verb method, const std::string& target,
                                              std::string body = {}) {
        ssl::stream<tcp::socket> stream(ioc_, tls_);
        asio::connect(stream.next_layer(),
                      tcp::resolver(ioc_).resolve("127.0.0.1", std::to_string(https_port_)));
        stream.handshake(ssl::stream_base::client);
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "localhost");
        req.set(http::field::authorization, HttpClient::basic_auth(kGuest));
        req.set(http::field::content_type, "application/json");
        req.body() = std::move(body);
        req.prepare_payload();
        http::write(stream, req);
        beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        return res;
    }

    warren::testing::TempDir dir_;
    std::unique_ptr<WarrenProcess> server_;
    std::uint16_t https_port_ = 0;
    asio::io_context ioc_;
    ssl::context tls_{ssl::context::tls_client};
};

TEST_F(Tls, ApiAndAdminPageOverHttps) {
    auto who = request(http::verb::get, "/api/whoami");
    EXPECT_EQ(who.result_int(), 200u) << who.body();
    EXPECT_EQ(json::parse(who.body()).at("name"), "guest");
    EXPECT_EQ(
        request(http::verb::put, "/api/queues/%2F/secure", R"({"durable":true})").result_int(),
        201u);
    auto publish = request(http::verb::post, "/api/exchanges/%2F/amq.default/publish",
                           R"({"routing_key":"secure","payload":"over tls",)"
                           R"("payload_encoding":"string","properties":{"delivery_mode":2}})");
    EXPECT_EQ(json::parse(publish.body()).at("routed"), true);
    auto page = request(http::verb::get, "/");
    EXPECT_EQ(page.result_int(), 200u);
    EXPECT_NE(page[http::field::content_type].find("text/html"), beast::string_view::npos);
    // The plain listener serves the same broker.
    HttpClient plain(server_->port());
    auto queue = plain.get("/api/queues/%2F/secure");
    ASSERT_EQ(queue.status, 200u);
    EXPECT_EQ(queue.json().at("messages"), 1);
    // The overview lists both listeners.
    auto overview = json::parse(request(http::verb::get, "/api/overview").body());
    std::vector<std::string> protocols;
    for (const auto& l : overview.at("listeners").as_array()) {
        protocols.emplace_back(l.at("protocol").as_string());
    }
    EXPECT_NE(std::find(protocols.begin(), protocols.end(), "https"), protocols.end());
}

TEST_F(Tls, WebSocketOverTls) {
    ASSERT_EQ(request(http::verb::put, "/api/queues/%2F/wsq", R"({"durable":true})").result_int(),
              201u);
    websocket::stream<ssl::stream<tcp::socket>> ws(ioc_, tls_);
    asio::connect(beast::get_lowest_layer(ws),
                  tcp::resolver(ioc_).resolve("127.0.0.1", std::to_string(https_port_)));
    ws.next_layer().handshake(ssl::stream_base::client);
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& req) {
        req.set(http::field::authorization, HttpClient::basic_auth(kGuest));
    }));
    ws.handshake("localhost", "/ws");
    ws.text(true);
    ws.write(asio::buffer(
        std::string(R"({"op":"subscribe","id":"s","vhost":"/","queue":"wsq","ack":"auto"})")));
    beast::flat_buffer buffer;
    ws.read(buffer);
    EXPECT_EQ(json::parse(beast::buffers_to_string(buffer.data())).at("type"), "subscribed");
    buffer.clear();
    ws.write(asio::buffer(std::string(R"({"op":"publish","vhost":"/","exchange":"",)"
                                      R"("routing_key":"wsq","payload":"hello","confirm":1})")));
    bool got_message = false;
    bool got_confirm = false;
    while (!(got_message && got_confirm)) {
        ws.read(buffer);
        auto frame = json::parse(beast::buffers_to_string(buffer.data()));
        buffer.clear();
        if (frame.at("type") == "message") {
            EXPECT_EQ(frame.at("payload"), "hello");
            got_message = true;
        } else if (frame.at("type") == "confirm") {
            got_confirm = true;
        } else {
            FAIL() << json::serialize(frame);
        }
    }
    ws.close(websocket::close_code::normal);
}

TEST_F(Tls, CertificateExpirationHealthCheck) {
    // The test certificate is valid for one more day.
    HttpClient plain(server_->port());
    auto soon = plain.get("/api/health/checks/certificate-expiration/1/weeks", std::nullopt);
    EXPECT_EQ(soon.status, 503u) << soon.body;
    EXPECT_EQ(soon.json().at("status"), "failed");
    EXPECT_EQ(soon.json().at("expired").at(0).at("protocol"), "https");
    auto later = plain.get("/api/health/checks/certificate-expiration/1/days", std::nullopt);
    EXPECT_EQ(later.status, 503u) << later.body; // expires within the next 24 h
    auto now = plain.get("/api/health/checks/certificate-expiration/0/days", std::nullopt);
    EXPECT_EQ(now.status, 200u) << now.body;
}

TEST_F(Tls, PlainTextOnTheTlsPortIsDropped) {
    HttpClient confused(https_port_);
    confused.set_timeout(std::chrono::seconds(5));
    EXPECT_THROW(confused.get("/api/whoami"), boost::system::system_error);
    // The server keeps serving.
    EXPECT_EQ(request(http::verb::get, "/api/whoami").result_int(), 200u);
}

TEST(TlsFlags, PortWithoutFilesIsAUsageError) {
    auto result = WarrenProcess::run_to_exit({"--https-port", "0"});
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_NE(result.output.find("--tls-cert"), std::string::npos) << result.output;
}

TEST(TlsFlags, UnreadableCertificateIsNamed) {
    warren::testing::TempDir dir;
    auto result = WarrenProcess::run_to_exit({"--http-port", "0", "--https-port", "0", "--tls-cert",
                                              (dir.path() / "missing.pem").string(), "--tls-key",
                                              (dir.path() / "missing.key").string(), "--data-dir",
                                              (dir.path() / "data").string()});
    EXPECT_EQ(result.exit_code, 1) << result.output;
    EXPECT_NE(result.output.find("missing.pem"), std::string::npos) << result.output;
}

} // namespace
} // namespace warren::test
