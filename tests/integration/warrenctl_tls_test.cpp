// warrenctl over https:// and wss:// against the real server's --https-port, with certificates
// made here (support/test_certificate): the API round trip and the WebSocket commands with
// --cacert or WARREN_CACERT, a CA-signed chain, --insecure said once; and every way a
// certificate is refused (self-signed, unknown issuer, expired, another host's name or address),
// a plain port spoken to in TLS, each one clear line and exit 4 (the server cannot be reached
// securely), never a hang. And SNI: the host name is sent, an address is not.

#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "tests/integration/support/api.hpp"
#include "tests/integration/support/ctl_process.hpp"
#include "tests/integration/support/test_certificate.hpp"
#include "tests/integration/support/wait_until.hpp"
#include "tests/integration/support/warren_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace warren::test {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

// The certificate most tests serve: self-signed, for localhost by name and by address.
CertificateSpec localhost_spec() {
    CertificateSpec spec;
    spec.alt_names = {"DNS:localhost", "IP:127.0.0.1"};
    return spec;
}

// warren serving `cert` (and its key) on --https-port, beside its plain port.
class TlsServer {
public:
    explicit TlsServer(const TestCertificate& cert) {
        cert.write_certificate(cert_file());
        cert.write_key(dir_.path() / "server.key");
        process_ = std::make_unique<WarrenProcess>(
            std::vector<std::string>{"--https-port", "0", "--tls-cert", cert_file(), "--tls-key",
                                     (dir_.path() / "server.key").string()});
        port_ = https_port_of(*process_);
        if (port_ == 0) {
            throw std::runtime_error("no https listener: " + process_->output());
        }
    }

    std::string url(const std::string& host = "localhost") const {
        return "https://" + host + ":" + std::to_string(port_);
    }
    std::string cert_file() const { return (dir_.path() / "server.pem").string(); }
    std::uint16_t plain_port() const { return process_->port(); }

private:
    warren::testing::TempDir dir_;
    std::unique_ptr<WarrenProcess> process_;
    std::uint16_t port_ = 0;
};

// One line on stderr, "warrenctl: " first, containing every one of `parts`.
void expect_one_error_line(const CtlResult& r, const std::vector<std::string>& parts) {
    EXPECT_TRUE(r.err.starts_with("warrenctl: ")) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    for (const auto& part : parts) {
        EXPECT_NE(r.err.find(part), std::string::npos) << "want '" << part << "' in: " << r.err;
    }
}

constexpr std::string_view kInsecureWarning =
    "warrenctl: warning: --insecure: the server's TLS certificate is not verified\n";

class WarrenctlTls : public ::testing::Test {
protected:
    // warrenctl --url https://localhost:PORT args... (no --cacert: add it where wanted).
    CtlResult ctl(std::vector<std::string> args, const EnvVars& env = {},
                  std::string_view input = {}) {
        args.insert(args.begin(), {"--url", server_.url()});
        return run_ctl(args, env, input);
    }
    // ctl() with --cacert <the server's certificate>, which must succeed.
    std::string ok(std::vector<std::string> args, std::string_view input = {}) {
        args.insert(args.begin(), {"--cacert", server_.cert_file()});
        CtlResult r = ctl(args, {}, input);
        EXPECT_EQ(r.exit_code, 0) << "stdout: " << r.out << "\nstderr: " << r.err;
        EXPECT_EQ(r.err, "");
        return r.out;
    }
    std::unique_ptr<CtlProcess> start(std::vector<std::string> args) {
        args.insert(args.begin(), {"--url", server_.url(), "--cacert", server_.cert_file()});
        return std::make_unique<CtlProcess>(args);
    }
    std::int64_t count_of(const std::string& queue, const char* field) {
        auto q = api_.get_json("/api/queues/%2F/" + queue);
        return q.is_object() && q.as_object().contains(field)
                   ? q.at(field).to_number<std::int64_t>()
                   : -1;
    }

    TestCertificate cert_{localhost_spec()};
    TlsServer server_{cert_};
    Api api_{server_.plain_port()}; // checks through the plain port
};

TEST_F(WarrenctlTls, CacertRoundTripOverHttps) {
    EXPECT_EQ(ok({"queue", "create", "secure"}), "queue 'secure' created\n");
    EXPECT_EQ(count_of("secure", "messages"), 0); // it reached the server
    EXPECT_EQ(ok({"publish", "", "secure", "over tls"}), "");
    EXPECT_EQ(count_of("secure", "messages"), 1);
    EXPECT_EQ(ok({"get", "secure"}), "over tls\n");
    EXPECT_EQ(count_of("secure", "messages"), 0);
    // By address too: the certificate lists 127.0.0.1.
    CtlResult by_address = run_ctl(
        {"--url", server_.url("127.0.0.1"), "--cacert", server_.cert_file(), "--json", "overview"});
    EXPECT_EQ(by_address.exit_code, 0) << by_address.err;
    EXPECT_NE(by_address.out.find("\"https\""), std::string::npos) << by_address.out;
}

TEST_F(WarrenctlTls, ConsumeCountAndStdinPublishOverWss) {
    ok({"queue", "create", "lines"});
    // A console consumer over wss, started first; a console producer over wss typing line by
    // line: each line must arrive before the next is typed (nothing waits in a TLS buffer).
    auto consumer = start({"consume", "lines", "--count", "3"});
    ASSERT_TRUE(wait_until([&] { return count_of("lines", "consumers") == 1; })) << consumer->err();
    auto producer = start({"publish", "", "lines"});
    std::string expected;
    for (const std::string line : {"one", "zwei ✓", "three"}) {
        producer->write_stdin(line + "\n");
        expected += line + "\n";
        ASSERT_TRUE(consumer->wait_for_out(expected))
            << consumer->out() << "\nproducer: " << producer->err();
    }
    producer->close_stdin();
    EXPECT_EQ(producer->wait_exit(), 0) << producer->err();
    EXPECT_EQ(consumer->wait_exit(), 0) << consumer->err();
    EXPECT_EQ(consumer->out(), expected);
    EXPECT_EQ(consumer->err(), "");

    // A burst: many frames per TLS read, both ways.
    std::string burst;
    for (int i = 0; i < 1000; ++i) {
        burst += "message " + std::to_string(i) + "\n";
    }
    EXPECT_EQ(ok({"publish", "", "lines"}, burst), "");
    EXPECT_EQ(count_of("lines", "messages"), 1000);
    EXPECT_EQ(ok({"consume", "lines", "--count", "1000"}), burst);
    EXPECT_EQ(count_of("lines", "messages"), 0);
}

TEST_F(WarrenctlTls, UntrustedCertificateExitsFourWithTheReason) {
    ok({"queue", "create", "q"});
    for (const auto& args : std::vector<std::vector<std::string>>{{"overview"},
                                                                  {"queue", "list"},
                                                                  {"get", "q"},
                                                                  {"consume", "q"},
                                                                  {"publish", "", "q"},
                                                                  {"publish", "", "q", "body"}}) {
        CtlResult r = ctl(args, {}, "a line\n");
        EXPECT_EQ(r.exit_code, 4) << args[0] << ": " << r.err;
        expect_one_error_line(r, {"cannot reach " + server_.url() + " securely",
                                  "self-signed certificate", "--cacert FILE"});
        EXPECT_EQ(r.out, "") << args[0];
    }
    EXPECT_EQ(count_of("q", "messages"), 0);
    EXPECT_EQ(count_of("q", "consumers"), 0);
}

TEST_F(WarrenctlTls, InsecureSkipsVerificationAndSaysSoOnce) {
    CtlResult created = ctl({"--insecure", "queue", "create", "q"});
    EXPECT_EQ(created.exit_code, 0) << created.err;
    EXPECT_EQ(created.out, "queue 'q' created\n");
    EXPECT_EQ(created.err, kInsecureWarning);
    // publish from stdin makes an HTTP and a WebSocket connection: still one warning.
    CtlResult piped = ctl({"--insecure", "publish", "", "q"}, {}, "a\nb\n");
    EXPECT_EQ(piped.exit_code, 0) << piped.err;
    EXPECT_EQ(piped.err, kInsecureWarning);
    CtlResult consumed = ctl({"consume", "q", "--count", "2"}, {{"WARREN_INSECURE", "1"}});
    EXPECT_EQ(consumed.exit_code, 0) << consumed.err;
    EXPECT_EQ(consumed.out, "a\nb\n");
    EXPECT_EQ(consumed.err, kInsecureWarning);
    // Off, it checks again; a value that means neither is a usage error.
    EXPECT_EQ(ctl({"queue", "list"}, {{"WARREN_INSECURE", "0"}}).exit_code, 4);
    CtlResult bad = ctl({"queue", "list"}, {{"WARREN_INSECURE", "maybe"}});
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("WARREN_INSECURE"), std::string::npos) << bad.err;
    // Over plain http there is nothing to skip, and nothing to say.
    CtlResult plain = run_ctl({"--url", "http://127.0.0.1:" + std::to_string(server_.plain_port()),
                               "--insecure", "queue", "list"});
    EXPECT_EQ(plain.exit_code, 0) << plain.err;
    EXPECT_EQ(plain.err, "");
}

TEST_F(WarrenctlTls, WarrenCacertWorksLikeTheFlag) {
    const EnvVars trusted = {{"WARREN_CACERT", server_.cert_file()}};
    CtlResult from_env = ctl({"queue", "create", "q"}, trusted);
    EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
    // With WARREN_URL too, over HTTP and the WebSocket.
    const EnvVars all_env = {{"WARREN_URL", server_.url()}, trusted[0]};
    EXPECT_EQ(run_ctl({"publish", "", "q"}, all_env, "from env\n").exit_code, 0);
    CtlResult consumed = run_ctl({"consume", "q", "--count", "1"}, all_env);
    EXPECT_EQ(consumed.exit_code, 0) << consumed.err;
    EXPECT_EQ(consumed.out, "from env\n");
    // The flag beats the variable: a variable naming another certificate is overridden.
    warren::testing::TempDir other_dir;
    const std::string other = other_dir.file("other.pem");
    TestCertificate(localhost_spec()).write_certificate(other);
    const EnvVars wrong = {{"WARREN_CACERT", other}};
    EXPECT_EQ(ctl({"queue", "list"}, wrong).exit_code, 4);
    CtlResult flag = ctl({"--cacert", server_.cert_file(), "queue", "list"}, wrong);
    EXPECT_EQ(flag.exit_code, 0) << flag.err;
    // A file that does not load is a bad value: exit 2, naming it.
    CtlResult missing = ctl({"queue", "list"}, {{"WARREN_CACERT", other_dir.file("nope.pem")}});
    EXPECT_EQ(missing.exit_code, 2);
    EXPECT_NE(missing.err.find("nope.pem"), std::string::npos) << missing.err;
    std::ofstream(other_dir.file("text.pem")) << "not a certificate\n";
    CtlResult not_pem = ctl({"--cacert", other_dir.file("text.pem"), "overview"});
    EXPECT_EQ(not_pem.exit_code, 2) << not_pem.err;
    EXPECT_NE(not_pem.err.find("no PEM certificate"), std::string::npos) << not_pem.err;
}

TEST(WarrenctlTlsCertificates, CertificateForAnotherHostFailsWithHostNameMismatch) {
    CertificateSpec spec;
    spec.common_name = "other.example";
    spec.alt_names = {"DNS:other.example"};
    TestCertificate cert(spec);
    TlsServer server(cert);
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"queue", "list"}, {"consume", "q"}}) {
        std::vector<std::string> by_name{"--url", server.url("localhost"), "--cacert",
                                         server.cert_file()};
        by_name.insert(by_name.end(), args.begin(), args.end());
        CtlResult r = run_ctl(by_name);
        EXPECT_EQ(r.exit_code, 4) << r.err;
        expect_one_error_line(r, {"host name mismatch", "not for 'localhost'",
                                  "the host name the certificate was issued for"});
        std::vector<std::string> by_address{"--url", server.url("127.0.0.1"), "--cacert",
                                            server.cert_file()};
        by_address.insert(by_address.end(), args.begin(), args.end());
        CtlResult a = run_ctl(by_address);
        EXPECT_EQ(a.exit_code, 4) << a.err;
        expect_one_error_line(a, {"host name mismatch", "127.0.0.1"});
    }
}

TEST(WarrenctlTlsCertificates, ExpiredCertificateIsNamed) {
    CertificateSpec spec = localhost_spec();
    spec.not_before = -std::chrono::hours(48);
    spec.not_after = -std::chrono::hours(24);
    TestCertificate cert(spec);
    TlsServer server(cert);
    CtlResult r = run_ctl({"--url", server.url(), "--cacert", server.cert_file(), "overview"});
    EXPECT_EQ(r.exit_code, 4) << r.err;
    expect_one_error_line(r, {"securely", "the certificate has expired"});
    // --insecure accepts even that.
    CtlResult insecure = run_ctl({"--url", server.url(), "--insecure", "overview"});
    EXPECT_EQ(insecure.exit_code, 0) << insecure.err;
}

TEST(WarrenctlTlsCertificates, CaSignedChainIsTrustedThroughTheCa) {
    CertificateSpec ca_spec;
    ca_spec.common_name = "warren test CA";
    ca_spec.ca = true;
    TestCertificate ca(ca_spec);
    TestCertificate leaf(localhost_spec(), &ca);
    TlsServer server(leaf);
    warren::testing::TempDir dir;
    ca.write_certificate(dir.path() / "ca.pem");
    CtlResult trusted =
        run_ctl({"--url", server.url(), "--cacert", dir.file("ca.pem"), "queue", "list"});
    EXPECT_EQ(trusted.exit_code, 0) << trusted.err;
    CtlResult unknown = run_ctl({"--url", server.url(), "queue", "list"});
    EXPECT_EQ(unknown.exit_code, 4);
    expect_one_error_line(unknown, {"unknown issuer", "--cacert FILE"});
}

TEST(WarrenctlTlsCertificates, CommonNameServesWhenTheCertificateHasNoAltNames) {
    TestCertificate cert(CertificateSpec{}); // CN=localhost, no subjectAltName (as tls_test's)
    TlsServer server(cert);
    CtlResult by_name =
        run_ctl({"--url", server.url("localhost"), "--cacert", server.cert_file(), "overview"});
    EXPECT_EQ(by_name.exit_code, 0) << by_name.err;
    CtlResult by_address =
        run_ctl({"--url", server.url("127.0.0.1"), "--cacert", server.cert_file(), "overview"});
    EXPECT_EQ(by_address.exit_code, 4);
    expect_one_error_line(by_address, {"host name mismatch", "127.0.0.1"});
}

TEST(WarrenctlTlsCertificates, HttpsToThePlainPortFailsFast) {
    TestCertificate cert(localhost_spec());
    TlsServer server(cert);
    const std::string url = "https://127.0.0.1:" + std::to_string(server.plain_port());
    const auto started = std::chrono::steady_clock::now();
    for (const auto& command : std::vector<std::string>{"overview", "consume"}) {
        std::vector<std::string> args{"--url", url, "--cacert", server.cert_file(), command};
        if (command == "consume") {
            args.push_back("q");
        }
        CtlResult r = run_ctl(args);
        EXPECT_EQ(r.exit_code, 4) << r.err;
        expect_one_error_line(r, {"cannot reach " + url + " securely", "TLS handshake failed"});
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

// A TLS listener in the test process that records the SNI name of each handshake ("" for
// none), then hangs up.
class SniRecorder {
public:
    SniRecorder(const std::filesystem::path& cert, const std::filesystem::path& key) {
        tls_.use_certificate_chain_file(cert.string());
        tls_.use_private_key_file(key.string(), ssl::context::pem);
        accept_next();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~SniRecorder() {
        ioc_.stop();
        thread_.join();
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::vector<std::string> names() const {
        std::lock_guard lock(mutex_);
        return names_;
    }

private:
    void accept_next() {
        acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (ec) {
                return;
            }
            auto stream = std::make_shared<ssl::stream<tcp::socket>>(std::move(socket), tls_);
            stream->async_handshake(
                ssl::stream_base::server, [this, stream](boost::system::error_code) {
                    const char* name =
                        SSL_get_servername(stream->native_handle(), TLSEXT_NAMETYPE_host_name);
                    std::lock_guard lock(mutex_);
                    names_.emplace_back(name != nullptr ? name : "");
                });
            accept_next();
        });
    }

    asio::io_context ioc_;
    ssl::context tls_{ssl::context::tls_server};
    tcp::acceptor acceptor_{ioc_, {asio::ip::make_address("127.0.0.1"), 0}};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<std::string> names_;
};

TEST(WarrenctlTlsSni, SendsTheHostNameButNotAnAddress) {
    warren::testing::TempDir dir;
    TestCertificate cert(localhost_spec());
    cert.write_certificate(dir.path() / "cert.pem");
    cert.write_key(dir.path() / "key.pem");
    SniRecorder recorder(dir.path() / "cert.pem", dir.path() / "key.pem");
    const std::string port = std::to_string(recorder.port());
    // The recorder hangs up after the handshake: the connection is lost (exit 4), the name kept.
    EXPECT_EQ(run_ctl({"--url", "https://localhost:" + port, "--cacert", dir.file("cert.pem"),
                       "overview"})
                  .exit_code,
              4);
    ASSERT_TRUE(wait_until([&] { return recorder.names().size() == 1; }));
    EXPECT_EQ(recorder.names()[0], "localhost");
    EXPECT_EQ(run_ctl({"--url", "https://127.0.0.1:" + port, "--cacert", dir.file("cert.pem"),
                       "overview"})
                  .exit_code,
              4);
    ASSERT_TRUE(wait_until([&] { return recorder.names().size() == 2; }));
    EXPECT_EQ(recorder.names()[1], "");
}

} // namespace
} // namespace warren::test
