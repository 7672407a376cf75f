// HttpClient (http_client.hpp): the tests' calls mapped onto client::HttpClient.

#include "tests/integration/support/http_client.hpp"

#include <utility>

#include <boost/asio/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/system/system_error.hpp>

#include "tools/client/server_url.hpp"
#include "tools/client/transport_error.hpp"

namespace warren::test {

namespace {

constexpr auto kTimeout = std::chrono::seconds(5);

client::ServerUrl server_at(std::string host, std::uint16_t port) {
    client::ServerUrl url;
    url.host = std::move(host);
    url.port = port;
    return url;
}

// Runs `call` with the tools' TransportError (a sentence for a person) turned into the
// system_error the tests expect of a failed connection.
template <class Call> auto translating(Call&& call) {
    try {
        return call();
    } catch (const client::TransportError& e) {
        throw boost::system::system_error(boost::asio::error::connection_aborted, e.what());
    }
}

} // namespace

boost::json::value HttpReply::json() const {
    return boost::json::parse(body);
}

HttpClient::HttpClient(std::uint16_t port, std::string host)
    : client_(server_at(std::move(host), port), std::nullopt, {}, kTimeout) {}

HttpReply HttpClient::request(boost::beast::http::verb method, std::string_view target,
                              std::string body, const Headers& headers,
                              std::optional<Credentials> auth) {
    Headers all = headers;
    if (auth) {
        all.emplace_back("Authorization", basic_auth(*auth));
    }
    return translating([&] {
        return HttpReply{client_.request(method, target, std::move(body), "application/json", all)};
    });
}

void HttpClient::send_raw(std::string_view bytes) {
    translating([&] { client_.send_raw(bytes); });
}

std::optional<HttpReply> HttpClient::read_reply(bool to_head) {
    return translating([&]() -> std::optional<HttpReply> {
        auto response = client_.read_response(to_head);
        if (!response) {
            return std::nullopt;
        }
        return HttpReply{std::move(*response)};
    });
}

bool HttpClient::wait_closed_by_peer(std::chrono::milliseconds timeout) {
    return client_.wait_closed(timeout);
}

} // namespace warren::test
