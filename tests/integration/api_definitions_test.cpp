// GET|POST /api/definitions against the real binary: RabbitMQ's document shape, a round trip
// into a fresh server (users log in with their exported hashes), a RabbitMQ 3.10 export imported
// as it is, per-vhost definitions, and an invalid document changing nothing.

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"

namespace warren::test {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

class ApiDefinitions : public ::testing::Test {
protected:
    void populate() {
        ASSERT_EQ(api_.put("/api/users/alice", R"({"password":"pw","tags":"management"})").status,
                  201u);
        ASSERT_EQ(api_.put("/api/vhosts/dev").status, 201u);
        ASSERT_EQ(
            api_.put("/api/permissions/dev/alice", R"({"configure":"^a","write":".*","read":""})")
                .status,
            201u);
        ASSERT_EQ(api_.put("/api/exchanges/dev/events",
                           R"({"type":"topic","durable":true,"arguments":{}})")
                      .status,
                  201u);
        ASSERT_EQ(api_.put("/api/queues/dev/orders",
                           R"({"durable":true,"arguments":{"x-max-length":10}})")
                      .status,
                  201u);
        ASSERT_EQ(
            api_.post("/api/bindings/dev/e/events/q/orders", R"({"routing_key":"order.#"})").status,
            201u);
    }

    WarrenProcess server_;
    Api api_{server_.port()};
};

TEST_F(ApiDefinitions, ExportHasRabbitMqShape) {
    populate();
    json::value doc = api_.get_json("/api/definitions");
    for (std::string_view key :
         {"users", "vhosts", "permissions", "topic_permissions", "parameters", "global_parameters",
          "policies", "queues", "exchanges", "bindings"}) {
        EXPECT_TRUE(doc.at(key).is_array()) << key;
    }
    EXPECT_EQ(names_of(doc.at("users")), (std::vector<std::string>{"alice", "guest"}));
    EXPECT_EQ(names_of(doc.at("vhosts")), (std::vector<std::string>{"/", "dev"}));
    // Built-in exchanges are not exported; user ones are, with RabbitMQ's fields.
    ASSERT_EQ(doc.at("exchanges").as_array().size(), 1u);
    EXPECT_EQ(doc.at("exchanges").at(0),
              json::parse(R"({"name":"events","vhost":"dev","type":"topic","durable":true,)"
                          R"("auto_delete":false,"internal":false,"arguments":{}})"));
    EXPECT_EQ(doc.at("queues").at(0),
              json::parse(R"({"name":"orders","vhost":"dev","durable":true,"auto_delete":false,)"
                          R"("arguments":{"x-max-length":10}})"));
    // Only explicit bindings: not the default exchange's implicit ones.
    ASSERT_EQ(doc.at("bindings").as_array().size(), 1u);
    EXPECT_EQ(doc.at("bindings").at(0),
              json::parse(R"({"source":"events","vhost":"dev","destination":"orders",)"
                          R"("destination_type":"queue","routing_key":"order.#","arguments":{}})"));

    json::value dev = api_.get_json("/api/definitions/dev");
    EXPECT_FALSE(dev.as_object().contains("users"));
    EXPECT_FALSE(dev.at("queues").at(0).as_object().contains("vhost"));
    expect_object_not_found(api_.get("/api/definitions/nowhere"));
}

TEST_F(ApiDefinitions, RoundTripIntoAFreshServer) {
    populate();
    std::string exported = api_.get("/api/definitions").body;

    WarrenProcess other;
    Api fresh(other.port());
    auto imported = fresh.post("/api/definitions", exported);
    ASSERT_EQ(imported.status, 204u) << imported.body;
    EXPECT_EQ(fresh.get_json("/api/definitions"), json::parse(exported));
    // The exported hash logs alice in, and her permissions hold.
    auto who =
        fresh.client().request(http::verb::get, "/api/whoami", {}, {}, Credentials{"alice", "pw"});
    EXPECT_EQ(who.status, 200u) << who.body;
    // Importing again changes nothing and still succeeds.
    EXPECT_EQ(fresh.post("/api/definitions", exported).status, 204u);
    // And it survives a restart.
    other.stop();
    other.restart();
    Api after(other.port());
    EXPECT_EQ(after.get_json("/api/definitions"), json::parse(exported));
}

TEST_F(ApiDefinitions, ImportsARabbitMqExport) {
    // Trimmed from GET /api/definitions on RabbitMQ 3.10.8.
    const std::string rabbit = R"({
      "rabbit_version":"3.10.8","rabbitmq_version":"3.10.8","product_name":"RabbitMQ",
      "product_version":"3.10.8",
      "users":[{"name":"bob","password_hash":"G7JebC/nLFyxQFj4OjdQN1K36t2g+S0otmNSpVI4aXp/1m6N",
                "hashing_algorithm":"rabbit_password_hashing_sha256","tags":["administrator"],
                "limits":{}}],
      "vhosts":[{"name":"/"},{"name":"v3"}],
      "permissions":[{"user":"bob","vhost":"v3","configure":".*","write":".*","read":".*"}],
      "topic_permissions":[],"parameters":[],
      "global_parameters":[{"name":"internal_cluster_id","value":"rabbitmq-cluster-id-x"}],
      "policies":[],
      "queues":[{"name":"abc","vhost":"v3","durable":true,"auto_delete":false,"arguments":{}}],
      "exchanges":[{"name":"ev","vhost":"v3","type":"topic","durable":true,"auto_delete":false,
                    "internal":false,"arguments":{}}],
      "bindings":[{"source":"ev","vhost":"v3","destination":"abc","destination_type":"queue",
                   "routing_key":"k.#","arguments":{}}]})";
    auto r = api_.post("/api/definitions", rabbit);
    ASSERT_EQ(r.status, 204u) << r.body;
    auto who =
        api_.client().request(http::verb::get, "/api/whoami", {}, {}, Credentials{"bob", "guest"});
    EXPECT_EQ(who.status, 200u) << who.body;
    EXPECT_EQ(api_.get_json("/api/exchanges/v3/ev/bindings/source").as_array().size(), 1u);
}

TEST_F(ApiDefinitions, PerVhostImport) {
    ASSERT_EQ(api_.put("/api/vhosts/dev").status, 201u);
    auto r = api_.post("/api/definitions/dev",
                       R"({"queues":[{"name":"q1","durable":true}],)"
                       R"("exchanges":[{"name":"x1","type":"fanout","durable":true}],)"
                       R"("bindings":[{"source":"x1","destination":"q1",)"
                       R"("destination_type":"queue","routing_key":""}]})");
    ASSERT_EQ(r.status, 204u) << r.body;
    EXPECT_EQ(api_.get_json("/api/queues/dev/q1").at("durable"), true);
    EXPECT_EQ(api_.get_json("/api/exchanges/dev/x1/bindings/source").as_array().size(), 1u);
    expect_object_not_found(api_.post("/api/definitions/nowhere", "{}"));
}

TEST_F(ApiDefinitions, AnInvalidDocumentChangesNothing) {
    const char* bad[] = {
        "{",
        "[]",
        R"({"queues":5})",
        R"({"queues":[5]})",
        // unknown vhost (neither in the broker nor in the document)
        R"({"queues":[{"name":"q","vhost":"nowhere","durable":true}]})",
        // a valid queue, then a broken exchange: the queue must not be created either
        R"({"queues":[{"name":"q","vhost":"/","durable":true}],)"
        R"("exchanges":[{"name":"x","vhost":"/","type":"nonsense"}]})",
        R"({"users":[{"name":"u","password_hash":"abc","tags":""}]})",
        R"({"permissions":[{"user":"nobody","vhost":"/","configure":"","write":"","read":""}]})",
        R"({"permissions":[{"user":"guest","vhost":"/","configure":"(","write":"","read":""}]})",
        R"({"bindings":[{"source":"a","vhost":"/","destination":"b","destination_type":"x"}]})",
    };
    std::string before = api_.get("/api/definitions").body;
    for (const char* body : bad) {
        expect_api_error(api_.post("/api/definitions", body), 400, "bad_request");
    }
    EXPECT_EQ(api_.get_json("/api/definitions"), json::parse(before));
}

TEST_F(ApiDefinitions, OnlyForAdministrators) {
    ASSERT_EQ(api_.put("/api/users/alice", R"({"password":"pw","tags":"management"})").status,
              201u);
    HttpClient alice(server_.port());
    auto r = alice.request(http::verb::get, "/api/definitions", {}, {}, Credentials{"alice", "pw"});
    expect_api_error(r, 401, "not_authorised");
    r = alice.request(http::verb::post, "/api/definitions", "{}", {}, Credentials{"alice", "pw"});
    expect_api_error(r, 401, "not_authorised");
}

} // namespace
} // namespace warren::test
