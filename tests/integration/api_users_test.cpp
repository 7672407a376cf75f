// Users and permissions against the real binary: RabbitMQ 3.10's shapes for /api/users and
// /api/permissions, logins with the stored salted hashes, permission regexes applied as RabbitMQ
// applies them (configure / write / read, unanchored search, "" allows nothing), refusals as
// 401 {"error":"not_authorised"}, list filtering per vhost, WebSocket refusals, and all of it
// surviving a restart.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"
#include "tests/integration/support/ws_client.hpp"

namespace warren::test {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

const Credentials kAlice{"alice", "s3cret"};

class ApiUsers : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(
            api_.put("/api/users/alice", R"({"password":"s3cret","tags":"management"})").status,
            201u);
    }

    // A request as alice on her own connection.
    HttpReply as_alice(http::verb method, std::string_view target, std::string body = {}) {
        return alice_.request(method, target, std::move(body),
                              {{"Content-Type", "application/json"}}, kAlice);
    }
    void permit_alice(std::string_view vhost, std::string_view configure, std::string_view write,
                      std::string_view read) {
        json::object p{{"configure", configure}, {"write", write}, {"read", read}};
        auto r = api_.put("/api/permissions/" + std::string(vhost) + "/alice", json::serialize(p));
        ASSERT_TRUE(r.status == 201u || r.status == 204u) << r.body;
    }

    WarrenProcess server_;
    Api api_{server_.port()};
    HttpClient alice_{server_.port()};
};

TEST_F(ApiUsers, GuestIsTheDefaultAdministratorWithRabbitMqFields) {
    json::value guest = api_.get_json("/api/users/guest");
    EXPECT_EQ(guest.at("name"), "guest");
    EXPECT_EQ(guest.at("tags"), json::array{"administrator"});
    EXPECT_EQ(guest.at("hashing_algorithm"), "rabbit_password_hashing_sha256");
    EXPECT_EQ(guest.at("password_hash").as_string().size(), 48u); // base64(4 + 32 bytes)
    EXPECT_TRUE(guest.at("limits").is_object());
    EXPECT_EQ(api_.get_json("/api/permissions/%2F/guest"),
              json::parse(R"({"user":"guest","vhost":"/","configure":".*","write":".*",)"
                          R"("read":".*"})"));
    EXPECT_EQ(names_of(api_.get_json("/api/users")), (std::vector<std::string>{"alice", "guest"}));
}

TEST_F(ApiUsers, CreateUpdateAndLogIn) {
    EXPECT_EQ(api_.get_json("/api/users/alice").at("tags"), json::array{"management"});
    auto who = as_alice(http::verb::get, "/api/whoami");
    ASSERT_EQ(who.status, 200u) << who.body;
    EXPECT_EQ(who.json().at("name"), "alice");

    // 204 on update; tags may be an array; the new password replaces the old one.
    EXPECT_EQ(
        api_.put("/api/users/alice", R"({"password":"other","tags":["management","monitoring"]})")
            .status,
        204u);
    EXPECT_EQ(api_.get_json("/api/users/alice").at("tags"),
              (json::array{"management", "monitoring"}));
    expect_api_error(as_alice(http::verb::get, "/api/whoami"), 401, "not_authorized");
    auto again =
        alice_.request(http::verb::get, "/api/whoami", {}, {}, Credentials{"alice", "other"});
    EXPECT_EQ(again.status, 200u) << again.body;
}

TEST_F(ApiUsers, ARabbitMqPasswordHashLogsIn) {
    // guest/guest as RabbitMQ 3.10 stored it (GET /api/users/guest on a real node).
    ASSERT_EQ(api_.put("/api/users/imported",
                       R"({"password_hash":"G7JebC/nLFyxQFj4OjdQN1K36t2g+S0otmNSpVI4aXp/1m6N",)"
                       R"("hashing_algorithm":"rabbit_password_hashing_sha256",)"
                       R"("tags":"administrator"})")
                  .status,
              201u);
    auto ok =
        alice_.request(http::verb::get, "/api/whoami", {}, {}, Credentials{"imported", "guest"});
    EXPECT_EQ(ok.status, 200u) << ok.body;
    auto bad =
        alice_.request(http::verb::get, "/api/whoami", {}, {}, Credentials{"imported", "guesT"});
    expect_api_error(bad, 401, "not_authorized");
}

TEST_F(ApiUsers, UsersWithoutAManagementTagOrPasswordCannotLogIn) {
    ASSERT_EQ(api_.put("/api/users/worker", R"({"password":"pw","tags":""})").status, 201u);
    expect_api_error(
        alice_.request(http::verb::get, "/api/whoami", {}, {}, Credentials{"worker", "pw"}), 401,
        "not_authorised");
    ASSERT_EQ(api_.put("/api/users/nopw", R"({"tags":"administrator"})").status, 201u);
    expect_api_error(
        alice_.request(http::verb::get, "/api/whoami", {}, {}, Credentials{"nopw", ""}), 401,
        "not_authorized");
}

TEST_F(ApiUsers, BadUserBodiesAre400) {
    for (const char* body :
         {R"({"password":"x"})", R"({"password":"x","tags":5})", R"({"password":5,"tags":""})",
          R"({"password_hash":"abc","tags":""})", R"({"tags":["a",1]})",
          R"({"password_hash":"","hashing_algorithm":"rot13","tags":""})", "[1]", "{"}) {
        expect_api_error(api_.put("/api/users/bob", body), 400, "bad_request");
    }
    expect_api_error(api_.put("/api/users/" + std::string(256, 'u'), R"({"tags":""})"), 400,
                     "bad_request");
    expect_object_not_found(api_.get("/api/users/bob"));
}

TEST_F(ApiUsers, DeleteUser) {
    permit_alice("%2F", ".*", ".*", ".*");
    EXPECT_EQ(api_.del("/api/users/alice").status, 204u);
    expect_object_not_found(api_.del("/api/users/alice"));
    expect_object_not_found(api_.get("/api/users/alice"));
    expect_api_error(as_alice(http::verb::get, "/api/whoami"), 401, "not_authorized");
    // Its permissions went with it.
    EXPECT_EQ(api_.get_json("/api/permissions").as_array().size(), 1u);

    ASSERT_EQ(api_.put("/api/users/b1", R"({"tags":""})").status, 201u);
    ASSERT_EQ(api_.put("/api/users/b2", R"({"tags":""})").status, 201u);
    EXPECT_EQ(api_.post("/api/users/bulk-delete", R"({"users":["b1","b2","nobody"]})").status,
              204u);
    EXPECT_EQ(names_of(api_.get_json("/api/users")), std::vector<std::string>{"guest"});
}

TEST_F(ApiUsers, OnlyAdministratorsManageUsersPermissionsAndVhosts) {
    permit_alice("%2F", ".*", ".*", ".*");
    for (auto [method, target] : std::vector<std::pair<http::verb, std::string>>{
             {http::verb::get, "/api/users"},
             {http::verb::get, "/api/users/guest"},
             {http::verb::put, "/api/users/mallory"},
             {http::verb::delete_, "/api/users/guest"},
             {http::verb::get, "/api/permissions"},
             {http::verb::put, "/api/permissions/%2F/alice"},
             {http::verb::put, "/api/vhosts/mine"},
             {http::verb::delete_, "/api/vhosts/%2F"}}) {
        auto r = as_alice(method, target,
                          R"({"tags":"administrator","configure":".*",)"
                          R"("write":".*","read":".*"})");
        expect_api_error(r, 401, "not_authorised");
        EXPECT_EQ(r.json().at("reason"), "Not administrator user") << target;
    }
    EXPECT_EQ(api_.get_json("/api/users/guest").at("tags"), json::array{"administrator"});
    expect_object_not_found(api_.get("/api/users/mallory"));
    EXPECT_EQ(api_.get("/api/vhosts/%2F").status, 200u);
}

TEST_F(ApiUsers, PermissionsCrud) {
    EXPECT_EQ(api_.put("/api/permissions/%2F/alice", R"({"configure":"^a","write":"","read":".*"})")
                  .status,
              201u);
    EXPECT_EQ(api_.put("/api/permissions/%2F/alice", R"({"configure":"^b","write":"","read":".*"})")
                  .status,
              204u);
    EXPECT_EQ(api_.get_json("/api/permissions/%2F/alice"),
              json::parse(R"({"user":"alice","vhost":"/","configure":"^b","write":"",)"
                          R"("read":".*"})"));
    EXPECT_EQ(api_.get_json("/api/users/alice/permissions").as_array().size(), 1u);
    EXPECT_EQ(api_.get_json("/api/vhosts/%2F/permissions").as_array().size(), 2u);
    EXPECT_EQ(names_of(api_.get_json("/api/permissions"), "user"),
              (std::vector<std::string>{"alice", "guest"}));

    // Missing fields, wrong types, a regex that does not compile, unknown user or vhost: 400.
    for (const char* body : {R"({"configure":".*"})", R"({"configure":5,"write":"","read":""})",
                             R"({"configure":"(","write":"","read":""})"}) {
        expect_api_error(api_.put("/api/permissions/%2F/alice", body), 400, "bad_request");
    }
    const std::string all = R"({"configure":".*","write":".*","read":".*"})";
    expect_api_error(api_.put("/api/permissions/%2F/nobody", all), 400, "bad_request");
    expect_api_error(api_.put("/api/permissions/nowhere/alice", all), 400, "bad_request");

    EXPECT_EQ(api_.del("/api/permissions/%2F/alice").status, 204u);
    expect_object_not_found(api_.del("/api/permissions/%2F/alice"));
    expect_object_not_found(api_.get("/api/permissions/%2F/alice"));
}

TEST_F(ApiUsers, ConfigureWriteAndReadAreAppliedAsRabbitMqDoes) {
    // configure: names starting with "a"; write: anything containing "ex" (unanchored, as
    // RabbitMQ searches); read: nothing ("" means "^$").
    permit_alice("%2F", "^a", "ex", "");
    EXPECT_EQ(as_alice(http::verb::put, "/api/queues/%2F/alpha", R"({"durable":true})").status,
              201u);
    auto refused = as_alice(http::verb::put, "/api/queues/%2F/beta", R"({"durable":true})");
    expect_api_error(refused, 401, "not_authorised");
    EXPECT_NE(std::string(refused.json().at("reason").as_string()).find("configure"),
              std::string::npos);
    expect_object_not_found(api_.get("/api/queues/%2F/beta"));
    EXPECT_EQ(as_alice(http::verb::put, "/api/exchanges/%2F/a.ex", R"({"type":"fanout"})").status,
              201u);
    ASSERT_EQ(api_.put("/api/exchanges/%2F/other", R"({"type":"topic"})").status, 201u);
    expect_api_error(as_alice(http::verb::delete_, "/api/exchanges/%2F/other"), 401,
                     "not_authorised");

    // write: publish to a.ex ("ex" inside the name) but not to amq.default.
    const std::string message =
        R"({"routing_key":"alpha","payload":"hi","payload_encoding":"string","properties":{}})";
    EXPECT_EQ(as_alice(http::verb::post, "/api/exchanges/%2F/a.ex/publish", message).status, 200u);
    expect_api_error(as_alice(http::verb::post, "/api/exchanges/%2F/amq.default/publish", message),
                     401, "not_authorised");

    // A binding needs write on the queue and read on the exchange: read allows nothing.
    expect_api_error(as_alice(http::verb::post, "/api/bindings/%2F/e/a.ex/q/alpha", "{}"), 401,
                     "not_authorised");
    // read: get and purge are refused.
    expect_api_error(as_alice(http::verb::post, "/api/queues/%2F/alpha/get",
                              R"({"count":1,"ackmode":"ack_requeue_true","encoding":"auto"})"),
                     401, "not_authorised");
    expect_api_error(as_alice(http::verb::delete_, "/api/queues/%2F/alpha/contents"), 401,
                     "not_authorised");

    // Widened permissions take effect on the next request.
    permit_alice("%2F", "^a", "ex|alpha", ".*");
    EXPECT_EQ(as_alice(http::verb::post, "/api/bindings/%2F/e/a.ex/q/alpha", "{}").status, 201u);
    EXPECT_EQ(as_alice(http::verb::post, "/api/exchanges/%2F/a.ex/publish", message).status, 200u);
    auto got = as_alice(http::verb::post, "/api/queues/%2F/alpha/get",
                        R"({"count":5,"ackmode":"ack_requeue_false","encoding":"auto"})");
    ASSERT_EQ(got.status, 200u) << got.body;
    EXPECT_EQ(got.json().as_array().size(), 1u);
}

TEST_F(ApiUsers, VhostsWithoutPermissionAreHiddenAndRefused) {
    ASSERT_EQ(api_.put("/api/vhosts/private").status, 201u);
    ASSERT_EQ(api_.put("/api/queues/private/secret", R"({"durable":true})").status, 201u);
    ASSERT_EQ(api_.put("/api/queues/%2F/open", R"({"durable":true})").status, 201u);
    permit_alice("%2F", ".*", ".*", ".*");

    auto list = as_alice(http::verb::get, "/api/queues");
    ASSERT_EQ(list.status, 200u);
    EXPECT_EQ(names_of(list.json()), std::vector<std::string>{"open"});
    EXPECT_EQ(names_of(as_alice(http::verb::get, "/api/vhosts").json()),
              std::vector<std::string>{"/"});
    for (const char* target : {"/api/queues/private", "/api/queues/private/secret",
                               "/api/exchanges/private/amq.direct", "/api/bindings/private"}) {
        auto r = as_alice(http::verb::get, target);
        expect_api_error(r, 401, "not_authorised");
        EXPECT_EQ(r.json().at("reason"), "User not authorised to access virtual host");
    }
    // The creator of a vhost gets every permission on it, as in RabbitMQ.
    EXPECT_EQ(api_.get_json("/api/permissions/private/guest").at("configure"), ".*");
    // Administrators see every vhost.
    EXPECT_EQ(names_of(api_.get_json("/api/queues")), (std::vector<std::string>{"open", "secret"}));
    // Deleting the vhost takes its permissions with it.
    EXPECT_EQ(api_.del("/api/vhosts/private").status, 204u);
    EXPECT_EQ(api_.get_json("/api/permissions").as_array().size(), 2u);
}

TEST_F(ApiUsers, WebSocketChecksReadAndWrite) {
    permit_alice("%2F", ".*", "^allowed", "^mine");
    ASSERT_EQ(api_.put("/api/queues/%2F/theirs", R"({"durable":true})").status, 201u);
    ASSERT_EQ(api_.put("/api/exchanges/%2F/allowed.x", R"({"type":"fanout"})").status, 201u);
    WsClient ws(server_.port(), "/ws", kAlice);
    ws.send(json::parse(R"({"op":"subscribe","id":"s1","vhost":"/","queue":"theirs"})"));
    auto error = ws.expect("error");
    EXPECT_EQ(error.at("error"), "access_refused");
    EXPECT_EQ(error.at("id"), "s1");
    ws.send(json::parse(R"({"op":"publish","vhost":"/","exchange":"amq.fanout",)"
                        R"("routing_key":"","payload":"x","confirm":1})"));
    auto refused = ws.expect("error"); // an error frame naming the confirm id it answers
    EXPECT_EQ(refused.at("confirm"), 1);
    EXPECT_EQ(refused.at("error"), "access_refused") << json::serialize(refused);
    ws.send(json::parse(R"({"op":"publish","vhost":"/","exchange":"allowed.x",)"
                        R"("routing_key":"","payload":"x","confirm":2})"));
    auto confirmed = ws.expect("confirm");
    EXPECT_EQ(confirmed.at("confirm"), 2);
    EXPECT_FALSE(confirmed.contains("error")) << json::serialize(confirmed);
}

TEST_F(ApiUsers, UsersAndPermissionsSurviveARestart) {
    permit_alice("%2F", "^a", "^b", "^c");
    ASSERT_EQ(api_.del("/api/users/guest").status, 204u);
    // alice has no administrator tag: make another administrator to look with.
    server_.stop();
    server_.restart();
    HttpClient client(server_.port());
    // guest was deleted and other users exist: it is not created again.
    auto guest = client.get("/api/whoami");
    expect_api_error(guest, 401, "not_authorized");
    auto who = client.request(http::verb::get, "/api/whoami", {}, {}, kAlice);
    ASSERT_EQ(who.status, 200u) << who.body;
    auto denied = client.request(http::verb::put, "/api/queues/%2F/zzz", R"({"durable":true})",
                                 {{"Content-Type", "application/json"}}, kAlice);
    expect_api_error(denied, 401, "not_authorised");
    auto allowed = client.request(http::verb::put, "/api/queues/%2F/abc", R"({"durable":true})",
                                  {{"Content-Type", "application/json"}}, kAlice);
    EXPECT_EQ(allowed.status, 201u) << allowed.body;
}

TEST(ApiDefaultUser, FlagsNameTheFirstAdministrator) {
    WarrenProcess server({"--default-user", "admin", "--default-password", "pa55"});
    HttpClient client(server.port());
    expect_api_error(client.get("/api/whoami"), 401, "not_authorized");
    auto who = client.request(http::verb::get, "/api/whoami", {}, {}, Credentials{"admin", "pa55"});
    ASSERT_EQ(who.status, 200u) << who.body;
    EXPECT_EQ(who.json().at("tags"), json::array{"administrator"});
}

} // namespace
} // namespace warren::test
