// The list query parameters (page, page_size, name, use_regex, sort, sort_reverse, columns) on
// the real binary, including 10 000 queues listed a page at a time. Correctness only: timing is
// for benchmarks, not tests.

#include <cstdio>
#include <thread>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "tests/integration/support/api.hpp"

namespace warren::test {
namespace {

namespace json = boost::json;

std::string queue_name(int i, int width = 2) {
    char name[32];
    std::snprintf(name, sizeof name, "q%0*d", width, i);
    return name;
}

class ApiLists : public ::testing::Test {
protected:
    void make_queues(int n) {
        for (int i = 0; i < n; ++i) {
            ASSERT_EQ(api_.put("/api/queues/%2F/" + queue_name(i)).status, 201u);
        }
    }

    WarrenProcess server_;
    Api api_{server_.port()};
};

TEST_F(ApiLists, PageAnswersTheRabbitMqWrapper) {
    make_queues(25);
    json::value page = api_.get_json("/api/queues?page=2&page_size=10");
    const json::object& p = page.as_object();
    EXPECT_EQ(p.at("filtered_count"), 25);
    EXPECT_EQ(p.at("item_count"), 10);
    EXPECT_EQ(p.at("page"), 2);
    EXPECT_EQ(p.at("page_count"), 3);
    EXPECT_EQ(p.at("page_size"), 10);
    EXPECT_EQ(p.at("total_count"), 25);
    std::vector<std::string> expected;
    for (int i = 10; i < 20; ++i) {
        expected.push_back(queue_name(i));
    }
    EXPECT_EQ(names_of(p.at("items")), expected);

    json::value last = api_.get_json("/api/queues/%2F?page=3&page_size=10");
    EXPECT_EQ(last.at("item_count"), 5);
    EXPECT_EQ(names_of(last.at("items")).front(), "q20");
    // page_size defaults to 100.
    EXPECT_EQ(api_.get_json("/api/queues?page=1").at("page_size"), 100);
    // Without page: a bare array.
    EXPECT_EQ(api_.get_json("/api/queues").as_array().size(), 25u);
}

TEST_F(ApiLists, BadPaginationIs400) {
    make_queues(3);
    for (std::string_view query : {"page=0", "page=abc", "page=-1", "page=1&page_size=501",
                                   "page=1&page_size=0", "page=1&page_size=ten"}) {
        expect_api_error(api_.get("/api/queues?" + std::string(query)), 400,
                         "invalid_pagination_parameters");
    }
    expect_api_error(api_.get("/api/queues?page=2"), 400, "page_out_of_range");
    expect_api_error(api_.get("/api/queues?page=3&page_size=1&name=q01"), 400, "page_out_of_range");
    // Page 1 of nothing is an empty page, not an error.
    json::value empty = api_.get_json("/api/queues?page=1&name=zzz");
    EXPECT_EQ(empty.at("filtered_count"), 0);
    EXPECT_EQ(empty.at("page_count"), 0);
    EXPECT_EQ(empty.at("total_count"), 3);
    EXPECT_EQ(empty.at("items"), json::array{});
    EXPECT_EQ(api_.get_json("/api/queues?page=1&page_size=500").at("item_count"), 3);
}

TEST_F(ApiLists, NameFiltersCaseInsensitively) {
    for (std::string name : {"Orders", "orders-dlq", "payments", "ORDER_audit"}) {
        ASSERT_EQ(api_.put("/api/queues/%2F/" + name).status, 201u);
    }
    json::value page = api_.get_json("/api/queues?page=1&name=ORDERS");
    EXPECT_EQ(page.at("filtered_count"), 2);
    EXPECT_EQ(page.at("total_count"), 4);
    EXPECT_EQ(names_of(page.at("items")), (std::vector<std::string>{"Orders", "orders-dlq"}));
    // The filter applies to bare arrays too.
    EXPECT_EQ(names_of(api_.get_json("/api/queues?name=pay")),
              std::vector<std::string>{"payments"});
}

TEST_F(ApiLists, RegexFilterSearchesAnywhereIgnoringCase) {
    for (std::string name : {"Orders", "orders-dlq", "payments", "ORDER_audit"}) {
        ASSERT_EQ(api_.put("/api/queues/%2F/" + name).status, 201u);
    }
    EXPECT_EQ(names_of(api_.get_json("/api/queues?name=%5Eorder&use_regex=true")),
              (std::vector<std::string>{"ORDER_audit", "Orders", "orders-dlq"}));
    EXPECT_EQ(names_of(api_.get_json("/api/queues?name=dlq%24%7Cments%24&use_regex=true")),
              (std::vector<std::string>{"orders-dlq", "payments"}));
    // Without use_regex the pattern is literal text.
    EXPECT_EQ(api_.get_json("/api/queues?name=%5Eorder").as_array().size(), 0u);
    expect_api_error(api_.get("/api/queues?name=(&use_regex=true"), 400, "bad_request");
    expect_api_error(api_.get("/api/queues?page=1&name=%5B&use_regex=true"), 400, "bad_request");
}

TEST_F(ApiLists, SortByCheapAndRenderedFields) {
    ASSERT_EQ(api_.put("/api/queues/%2F/b", R"({"arguments":{"x-max-length":5}})").status, 201u);
    ASSERT_EQ(api_.put("/api/queues/%2F/a", R"({"arguments":{"x-max-length":9}})").status, 201u);
    ASSERT_EQ(api_.put("/api/queues/%2F/c").status, 201u);
    const std::string message =
        R"({"properties":{},"routing_key":"b","payload":"x","payload_encoding":"string"})";
    for (int i = 0; i < 2; ++i) {
        ASSERT_EQ(api_.post("/api/exchanges/%2F/amq.default/publish", message).status, 200u);
    }
    EXPECT_EQ(names_of(api_.get_json("/api/queues?sort=name&sort_reverse=true")),
              (std::vector<std::string>{"c", "b", "a"}));
    EXPECT_EQ(names_of(api_.get_json("/api/queues?sort=messages&sort_reverse=true")).front(), "b");
    EXPECT_EQ(
        names_of(api_.get_json("/api/queues?sort=message_stats.publish&sort_reverse=true")).front(),
        "b");
    // A field only the rendered item has. A missing value sorts after numbers, as RabbitMQ's
    // Erlang term order puts numbers before atoms ('undefined').
    EXPECT_EQ(names_of(api_.get_json("/api/queues?sort=arguments.x-max-length")),
              (std::vector<std::string>{"b", "a", "c"}));
    EXPECT_EQ(
        names_of(
            api_.get_json(
                    "/api/queues?sort=arguments.x-max-length&sort_reverse=true&page=1&page_size=2")
                .at("items")),
        (std::vector<std::string>{"c", "a"}));
}

TEST_F(ApiLists, ColumnsTrimItemsToDottedPaths) {
    ASSERT_EQ(api_.put("/api/queues/%2F/q", R"({"durable":true})").status, 201u);
    EXPECT_EQ(api_.get_json("/api/queues?columns=name,%20durable%20,message_stats.publish,nope.x"),
              json::parse(R"([{"name":"q","durable":true,"message_stats":{"publish":0}}])"));
    json::value page = api_.get_json("/api/queues/%2F?page=1&columns=name");
    EXPECT_EQ(page.at("items"), json::parse(R"([{"name":"q"}])"));
    EXPECT_EQ(api_.get_json("/api/queues/%2F/q?columns=name,vhost"),
              json::parse(R"({"name":"q","vhost":"/"})"));
}

TEST_F(ApiLists, EveryListTakesTheParameters) {
    ASSERT_EQ(api_.put("/api/exchanges/%2F/zz", R"({"type":"fanout"})").status, 201u);
    json::value exchanges = api_.get_json("/api/exchanges?page=1&page_size=2&sort=name");
    EXPECT_EQ(exchanges.at("item_count"), 2);
    EXPECT_EQ(names_of(exchanges.at("items")), (std::vector<std::string>{"", "amq.direct"}));
    EXPECT_EQ(names_of(api_.get_json("/api/exchanges/%2F?name=zz&columns=name")),
              std::vector<std::string>{"zz"});
    EXPECT_EQ(names_of(api_.get_json("/api/exchanges/%2F?sort=type&columns=name,type")).front(),
              "");
    EXPECT_EQ(api_.get_json("/api/vhosts?page=1").at("total_count"), 1);
    ASSERT_EQ(api_.put("/api/queues/%2F/q").status, 201u);
    json::value bindings = api_.get_json("/api/bindings?page=1&columns=destination");
    EXPECT_EQ(bindings.at("items"), json::parse(R"([{"destination":"q"}])"));
    EXPECT_EQ(api_.get_json("/api/connections?page=1").at("total_count"), 0);
    EXPECT_EQ(api_.get_json("/api/consumers?page=1").at("total_count"), 0);
}

TEST_F(ApiLists, TenThousandQueuesPageByPage) {
    constexpr int kQueues = 10'000;
    constexpr int kClients = 4;
    // Declared from a few connections at once, as many clients would.
    std::vector<std::thread> workers;
    std::vector<int> failures(kClients, 0);
    for (int w = 0; w < kClients; ++w) {
        workers.emplace_back([&, w] {
            Api api(server_.port());
            for (int i = w; i < kQueues; i += kClients) {
                if (api.put("/api/queues/%2F/" + queue_name(i, 5)).status != 201u) {
                    ++failures[w];
                }
            }
        });
    }
    for (auto& t : workers) {
        t.join();
    }
    ASSERT_EQ(failures, std::vector<int>(kClients, 0));

    json::value page = api_.get_json("/api/queues?page=37&page_size=100&sort=name");
    EXPECT_EQ(page.at("total_count"), kQueues);
    EXPECT_EQ(page.at("filtered_count"), kQueues);
    EXPECT_EQ(page.at("page_count"), 100);
    std::vector<std::string> expected;
    for (int i = 3600; i < 3700; ++i) {
        expected.push_back(queue_name(i, 5));
    }
    EXPECT_EQ(names_of(page.at("items")), expected);
    // Each item is fully rendered (counters and stats), only for the page.
    EXPECT_EQ(page.at("items").as_array()[0].at("messages"), 0);
    EXPECT_TRUE(page.at("items").as_array()[0].as_object().contains("message_stats"));

    json::value reversed =
        api_.get_json("/api/queues?page=1&page_size=500&sort=name&sort_reverse=true");
    EXPECT_EQ(reversed.at("item_count"), 500);
    EXPECT_EQ(names_of(reversed.at("items")).front(), queue_name(kQueues - 1, 5));

    json::value filtered =
        api_.get_json("/api/queues?page=1&name=%5Eq0999%5Cd%24&use_regex=true&columns=name");
    EXPECT_EQ(filtered.at("filtered_count"), 10);
    EXPECT_EQ(names_of(filtered.at("items")).back(), "q09999");
    EXPECT_EQ(api_.get_json("/api/overview").at("object_totals").at("queues"), kQueues);
}

} // namespace
} // namespace warren::test
