// Router: the scenarios of cases/router.txt (each also run against RabbitMQ 3.10), then the API
// contract: errors, idempotence, cleanup and the binding listings.

#include <algorithm>
#include <random>
#include <sstream>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "routing/router.hpp"
#include "tests/unit/routing/case_file.hpp"

namespace warren::routing {
namespace {

namespace json = boost::json;
using Names = std::vector<std::string>;

// "true", "false" or the error code: printable, unlike Result<bool>.
std::string outcome(const Result<bool>& r) {
    return r ? (*r ? "true" : "false") : std::string(to_string(r.error().code));
}

Names sorted(const RouteResult& r) {
    Names names(r.queues.begin(), r.queues.end());
    std::sort(names.begin(), names.end());
    return names;
}

// ----- cases/router.txt ----------------------------------------------------------------------

struct Scenario {
    std::string name;
    std::vector<test::CaseLine> commands;
};

// Names the case in failure messages instead of dumping its bytes.
void PrintTo(const Scenario& c, std::ostream* os) {
    *os << "scenario " << c.name;
}

std::vector<Scenario> load_scenarios() {
    std::vector<Scenario> scenarios;
    for (const test::CaseLine& line : test::read_case_file("router.txt")) {
        const auto tokens = test::tokenize(line.text);
        if (tokens.at(0) == "scenario") {
            scenarios.push_back(Scenario{tokens.at(1), {}});
        } else if (scenarios.empty()) {
            throw std::runtime_error("router.txt: a command before the first scenario");
        } else {
            scenarios.back().commands.push_back(line);
        }
    }
    return scenarios;
}

const std::vector<Scenario>& scenarios() {
    static const std::vector<Scenario> all = load_scenarios();
    return all;
}

Destination parse_destination(const std::string& text) {
    const auto colon = text.find(':');
    if (colon == std::string::npos || (text[0] != 'q' && text[0] != 'x')) {
        throw std::runtime_error("destination must be q:NAME or x:NAME, not " + text);
    }
    std::string name = text.substr(colon + 1);
    return text[0] == 'q' ? Destination::queue(std::move(name))
                          : Destination::exchange(std::move(name));
}

json::object object_or_empty(const std::vector<std::string>& tokens, std::size_t at) {
    return tokens.size() > at ? json::parse(tokens[at]).as_object() : json::object{};
}

// Runs one command; routes are checked with EXPECT so that every mismatch is reported.
void run(Router& router, const test::CaseLine& line) {
    const std::string where = "router.txt line " + std::to_string(line.number) + ": " + line.text;
    if (line.text.starts_with("route ")) {
        const auto arrow = line.text.find(" -> ");
        ASSERT_NE(arrow, std::string::npos) << where;
        const auto left = test::tokenize(line.text.substr(0, arrow));
        auto want = test::tokenize(line.text.substr(arrow + 4));
        if (want == Names{"none"}) {
            want.clear();
        }
        std::sort(want.begin(), want.end());
        const RouteResult r = router.route(left.at(1), left.at(2), object_or_empty(left, 3));
        EXPECT_EQ(sorted(r), want) << where;
        EXPECT_EQ(r.routed(), !want.empty()) << where;
        return;
    }
    const auto t = test::tokenize(line.text);
    const std::string& op = t.at(0);
    if (op == "exchange") {
        const auto type = parse_exchange_type(t.at(2));
        ASSERT_TRUE(type.has_value()) << where;
        ASSERT_TRUE(router.add_exchange(t.at(1), *type, t.size() > 3 ? t[3] : "")) << where;
    } else if (op == "queue") {
        router.add_queue(t.at(1));
    } else if (op == "bind" || op == "unbind") {
        const Binding b{t.at(1), parse_destination(t.at(2)), t.at(3), object_or_empty(t, 4)};
        const Result<bool> changed = op == "bind" ? router.bind(b) : router.unbind(b);
        ASSERT_TRUE(changed.has_value() && *changed) << where;
    } else if (op == "remove-queue") {
        router.remove_queue(t.at(1));
    } else if (op == "remove-exchange") {
        ASSERT_TRUE(router.remove_exchange(t.at(1))) << where;
    } else {
        FAIL() << "unknown command in " << where;
    }
}

class RouterScenarios : public ::testing::TestWithParam<Scenario> {};

TEST_P(RouterScenarios, RoutesAsRabbitMQDoes) {
    Router router;
    for (const test::CaseLine& line : GetParam().commands) {
        ASSERT_NO_FATAL_FAILURE(run(router, line));
    }
}

INSTANTIATE_TEST_SUITE_P(File, RouterScenarios, ::testing::ValuesIn(scenarios()),
                         [](const ::testing::TestParamInfo<Scenario>& tp) {
                             std::string name = tp.param.name;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

TEST(RouterScenariosFile, HasScenariosWithRoutes) {
    EXPECT_GE(scenarios().size(), 15u);
    for (const Scenario& s : scenarios()) {
        EXPECT_TRUE(std::any_of(s.commands.begin(), s.commands.end(),
                                [](const auto& l) { return l.text.starts_with("route "); }))
            << s.name << " routes nothing";
    }
}

// ----- the default exchange ------------------------------------------------------------------

TEST(Router, StartsWithOnlyTheDefaultExchange) {
    const Router router;
    EXPECT_TRUE(router.has_exchange(""));
    EXPECT_FALSE(router.has_exchange("amq.direct")); // declaring it is the vhost's job
    EXPECT_EQ(router.binding_count(), 0u);
    EXPECT_TRUE(router.bindings_from("").empty());
}

TEST(Router, DefaultExchangeRoutesOnlyToKnownQueues) {
    Router router;
    router.add_queue("q");
    EXPECT_EQ(sorted(router.route("", "q", {})), Names{"q"});
    EXPECT_FALSE(router.route("", "r", {}).routed());
    router.remove_queue("q");
    EXPECT_FALSE(router.route("", "q", {}).routed());
}

TEST(Router, NothingCanBeBoundToOrFromTheDefaultExchange) {
    Router router;
    router.add_queue("q");
    router.add_exchange("x", ExchangeType::direct);
    for (const Binding& b : {Binding{"", Destination::queue("q"), "q", {}},
                             Binding{"x", Destination::exchange(""), "k", {}},
                             Binding{"", Destination::exchange("x"), "k", {}}}) {
        const auto bound = router.bind(b);
        ASSERT_FALSE(bound);
        EXPECT_EQ(bound.error().code, Errc::access_refused);
        EXPECT_EQ(bound.error().reason, "operation not permitted on the default exchange");
        const auto unbound = router.unbind(b);
        ASSERT_FALSE(unbound);
        EXPECT_EQ(unbound.error().code, Errc::access_refused);
    }
    EXPECT_EQ(router.binding_count(), 0u);
}

TEST(Router, DefaultExchangeCannotBeRemovedOrRedeclared) {
    Router router;
    EXPECT_FALSE(router.remove_exchange(""));
    EXPECT_FALSE(router.add_exchange("", ExchangeType::fanout));
    EXPECT_TRUE(router.has_exchange(""));
}

// ----- exchanges and errors ------------------------------------------------------------------

TEST(Router, AddExchangeIsRefusedForAnExistingName) {
    Router router;
    EXPECT_TRUE(router.add_exchange("x", ExchangeType::topic));
    EXPECT_FALSE(router.add_exchange("x", ExchangeType::fanout));
    router.add_queue("q");
    ASSERT_TRUE(router.bind({"x", Destination::queue("q"), "a.*", {}}).value());
    EXPECT_TRUE(router.route("x", "a.b", {}).routed()); // still the topic exchange
}

// route() finds exchanges in an open-addressing index that removal compacts (no tombstones):
// after many additions and removals in a seeded order, exactly the live exchanges are found and
// each still routes to its own queue.
TEST(Router, ExchangesAreFoundAfterManyAdditionsAndRemovals) {
    Router router;
    std::mt19937 rng(11);
    std::vector<bool> live(600, false);
    for (int round = 0; round < 4000; ++round) {
        const std::size_t i = std::uniform_int_distribution<std::size_t>(0, live.size() - 1)(rng);
        const std::string name = "x" + std::to_string(i);
        if (live[i]) {
            ASSERT_TRUE(router.remove_exchange(name));
        } else {
            ASSERT_TRUE(router.add_exchange(name, ExchangeType::fanout));
            router.add_queue("q" + std::to_string(i));
            ASSERT_TRUE(
                router.bind({name, Destination::queue("q" + std::to_string(i)), "", {}}).value());
        }
        live[i] = !live[i];
    }
    for (std::size_t i = 0; i < live.size(); ++i) {
        const std::string name = "x" + std::to_string(i);
        EXPECT_EQ(router.has_exchange(name), live[i]) << name;
        EXPECT_EQ(sorted(router.route(name, "", {})),
                  live[i] ? Names{"q" + std::to_string(i)} : Names{})
            << name;
    }
    EXPECT_TRUE(router.has_exchange(""));
}

TEST(Router, UnknownExchangeRoutesNowhere) {
    const Router router;
    EXPECT_FALSE(router.route("nope", "k", {}).routed());
}

TEST(Router, BindingFromAnUnknownExchangeIsNotFound) {
    Router router;
    const auto bound = router.bind({"nope", Destination::queue("q"), "k", {}});
    ASSERT_FALSE(bound);
    EXPECT_EQ(bound.error().code, Errc::not_found);
    EXPECT_NE(bound.error().reason.find("nope"), std::string::npos);
    const auto unbound = router.unbind({"nope", Destination::queue("q"), "k", {}});
    ASSERT_FALSE(unbound);
    EXPECT_EQ(unbound.error().code, Errc::not_found);
}

TEST(Router, HeadersBindingWithAnInvalidXMatchIsABadRequestAndAddsNothing) {
    Router router;
    router.add_exchange("h", ExchangeType::headers);
    const auto bound = router.bind({"h", Destination::queue("q"), "", {{"x-match", "most"}}});
    ASSERT_FALSE(bound);
    EXPECT_EQ(bound.error().code, Errc::bad_request);
    EXPECT_EQ(router.binding_count(), 0u);
    EXPECT_TRUE(router.bindings_from("h").empty());
    // Other exchange types do not read x-match.
    router.add_exchange("d", ExchangeType::direct);
    EXPECT_TRUE(router.bind({"d", Destination::queue("q"), "", {{"x-match", "most"}}}).value());
}

// ----- bindings ------------------------------------------------------------------------------

TEST(Router, BindAndUnbindAreIdempotent) {
    Router router;
    router.add_exchange("x", ExchangeType::direct);
    router.add_queue("q");
    const Binding b{"x", Destination::queue("q"), "k", {{"a", 1}}};
    EXPECT_EQ(outcome(router.bind(b)), "true");
    EXPECT_EQ(outcome(router.bind(b)), "false");
    EXPECT_EQ(router.binding_count(), 1u);
    EXPECT_EQ(router.bindings_from("x").size(), 1u);
    Binding other_args = b;
    other_args.arguments["a"] = 2;
    EXPECT_EQ(outcome(router.unbind(other_args)), "false");
    EXPECT_EQ(outcome(router.unbind(b)), "true");
    EXPECT_EQ(outcome(router.unbind(b)), "false");
    EXPECT_EQ(router.binding_count(), 0u);
    EXPECT_FALSE(router.route("x", "k", {}).routed());
}

TEST(Router, BindingsFromListsExplicitBindingsInCreationOrder) {
    Router router;
    router.add_exchange("x", ExchangeType::topic);
    router.add_exchange("y", ExchangeType::fanout);
    const std::vector<Binding> made{
        {"x", Destination::queue("q2"), "b.#", {}},
        {"x", Destination::queue("q1"), "a.*", {}},
        {"x", Destination::exchange("y"), "#", {}},
        {"x", Destination::queue("q1"), "a.*", {{"v", 1}}},
    };
    for (const Binding& b : made) {
        ASSERT_TRUE(router.bind(b).value());
    }
    EXPECT_EQ(router.bindings_from("x"), made);
    EXPECT_TRUE(router.bindings_from("y").empty());
    EXPECT_TRUE(router.bindings_from("missing").empty());
    ASSERT_TRUE(router.unbind(made[1]).value());
    EXPECT_EQ(router.bindings_from("x"), (std::vector<Binding>{made[0], made[2], made[3]}));
}

TEST(Router, BindingsToListsEveryBindingToADestination) {
    Router router;
    router.add_exchange("x", ExchangeType::direct);
    router.add_exchange("t", ExchangeType::topic);
    router.add_exchange("f", ExchangeType::fanout);
    const Binding x1{"x", Destination::queue("q"), "k1", {}};
    const Binding x2{"x", Destination::queue("q"), "k2", {}};
    const Binding t1{"t", Destination::queue("q"), "#", {}};
    const Binding to_other{"t", Destination::queue("other"), "#", {}};
    const Binding e2e{"x", Destination::exchange("f"), "k", {}};
    for (const Binding& b : {x1, t1, x2, to_other, e2e}) {
        ASSERT_TRUE(router.bind(b).value());
    }
    auto to_q = router.bindings_to(Destination::queue("q"));
    const auto by_source_then_key = [](const Binding& a, const Binding& b) {
        return std::tie(a.source, a.routing_key) < std::tie(b.source, b.routing_key);
    };
    std::sort(to_q.begin(), to_q.end(), by_source_then_key);
    EXPECT_EQ(to_q, (std::vector<Binding>{t1, x1, x2}));
    EXPECT_EQ(router.bindings_to(Destination::exchange("f")), std::vector<Binding>{e2e});
    EXPECT_TRUE(router.bindings_to(Destination::exchange("q")).empty()); // a queue, not an exchange
    EXPECT_TRUE(router.bindings_to(Destination::queue("nobody")).empty());
}

// ----- cleanup -------------------------------------------------------------------------------

TEST(Router, RemoveQueueRemovesEveryBindingToIt) {
    Router router;
    router.add_exchange("x", ExchangeType::direct);
    router.add_exchange("t", ExchangeType::topic);
    router.add_queue("q");
    router.add_queue("keep");
    ASSERT_TRUE(router.bind({"x", Destination::queue("q"), "k", {}}).value());
    ASSERT_TRUE(router.bind({"t", Destination::queue("q"), "#", {}}).value());
    ASSERT_TRUE(router.bind({"t", Destination::queue("keep"), "#", {}}).value());
    ASSERT_TRUE(router.bind({"t", Destination::exchange("q"), "#", {}}).value()); // an exchange
    router.remove_queue("q");
    EXPECT_TRUE(router.bindings_to(Destination::queue("q")).empty());
    EXPECT_TRUE(router.bindings_from("x").empty());
    EXPECT_EQ(router.bindings_from("t").size(), 2u);
    EXPECT_EQ(router.binding_count(), 2u);
    EXPECT_EQ(sorted(router.route("t", "a", {})), Names{"keep"});
    EXPECT_FALSE(router.route("x", "k", {}).routed());
    // A queue declared again under the same name starts without bindings.
    router.add_queue("q");
    EXPECT_FALSE(router.route("x", "k", {}).routed());
    EXPECT_EQ(sorted(router.route("", "q", {})), Names{"q"});
}

TEST(Router, RemoveQueueAcceptsANameOwnedByTheRouter) {
    Router router;
    router.add_exchange("x", ExchangeType::direct);
    router.add_queue("q");
    ASSERT_TRUE(router.bind({"x", Destination::queue("q"), "k", {}}).value());
    router.remove_queue(router.bindings_from("x").front().destination.name);
    EXPECT_EQ(router.binding_count(), 0u);
    EXPECT_FALSE(router.route("", "q", {}).routed());
}

TEST(Router, RemoveExchangeRemovesBindingsWhereItIsSourceOrDestination) {
    Router router;
    router.add_exchange("up", ExchangeType::fanout);
    router.add_exchange("x", ExchangeType::fanout);
    router.add_exchange("down", ExchangeType::fanout);
    router.add_queue("q");
    ASSERT_TRUE(router.bind({"up", Destination::exchange("x"), "", {}}).value());
    ASSERT_TRUE(router.bind({"up", Destination::queue("q"), "", {}}).value());
    ASSERT_TRUE(router.bind({"x", Destination::exchange("down"), "", {}}).value());
    ASSERT_TRUE(router.bind({"x", Destination::exchange("x"), "", {}}).value());
    ASSERT_TRUE(router.bind({"x", Destination::queue("q"), "", {}}).value());
    ASSERT_TRUE(router.bind({"down", Destination::queue("q"), "", {}}).value());
    EXPECT_EQ(router.binding_count(), 6u);

    EXPECT_TRUE(router.remove_exchange("x"));
    EXPECT_FALSE(router.remove_exchange("x"));
    EXPECT_FALSE(router.has_exchange("x"));
    EXPECT_EQ(router.binding_count(), 2u);
    EXPECT_TRUE(router.bindings_from("x").empty());
    EXPECT_TRUE(router.bindings_to(Destination::exchange("x")).empty());
    EXPECT_TRUE(router.bindings_to(Destination::exchange("down")).empty());
    EXPECT_EQ(router.bindings_from("up").size(), 1u);
    EXPECT_EQ(router.bindings_to(Destination::queue("q")).size(), 2u);
    EXPECT_FALSE(router.route("x", "", {}).routed());
    EXPECT_EQ(sorted(router.route("up", "", {})), Names{"q"});

    // The same name declared again is a new, unbound exchange.
    ASSERT_TRUE(router.add_exchange("x", ExchangeType::fanout));
    EXPECT_FALSE(router.route("x", "", {}).routed());
}

// ----- route() -------------------------------------------------------------------------------

TEST(Router, EachQueueOnceAmongManyMatches) {
    Router router;
    router.add_exchange("t", ExchangeType::topic);
    Names queues;
    for (int i = 0; i < 40; ++i) {
        queues.push_back("q" + std::to_string(i));
        for (const char* pattern : {"a.*", "#", "a.#", "*.b"}) {
            ASSERT_TRUE(router.bind({"t", Destination::queue(queues.back()), pattern, {}}).value());
        }
    }
    std::sort(queues.begin(), queues.end());
    EXPECT_EQ(sorted(router.route("t", "a.b", {})), queues);
    EXPECT_EQ(router.route("t", "a.b", {}).queues.size(), 40u);
}

TEST(Router, AlternateExchangeOfTheDefaultExchangeDoesNotExist) {
    Router router;
    router.add_exchange("ae", ExchangeType::fanout);
    ASSERT_TRUE(router.bind({"ae", Destination::queue("q"), "", {}}).value());
    EXPECT_FALSE(router.route("", "missing", {}).routed());
}

TEST(Router, HeadersReachTheHeadersExchange) {
    Router router;
    router.add_exchange("h", ExchangeType::headers);
    ASSERT_TRUE(
        router.bind({"h", Destination::queue("q"), "", {{"x-match", "all"}, {"a", 1}}}).value());
    EXPECT_TRUE(router.route("h", "", {{"a", 1}}).routed());
    EXPECT_FALSE(router.route("h", "", {{"a", 2}}).routed());
}

TEST(Router, LongExchangeToExchangeChainsAreFollowed) {
    Router router;
    const int n = 200;
    for (int i = 0; i < n; ++i) {
        router.add_exchange("x" + std::to_string(i), ExchangeType::fanout);
    }
    for (int i = 0; i + 1 < n; ++i) {
        ASSERT_TRUE(router
                        .bind({"x" + std::to_string(i),
                               Destination::exchange("x" + std::to_string(i + 1)),
                               "",
                               {}})
                        .value());
        ASSERT_TRUE(router.bind({"x" + std::to_string(i + 1), Destination::exchange("x0"), "", {}})
                        .value());
    }
    ASSERT_TRUE(
        router.bind({"x" + std::to_string(n - 1), Destination::queue("end"), "", {}}).value());
    EXPECT_EQ(sorted(router.route("x0", "", {})), Names{"end"});
    EXPECT_EQ(sorted(router.route("x100", "", {})), Names{"end"});
}

TEST(Router, MovedRouterKeepsRouting) {
    Router router;
    router.add_exchange("t", ExchangeType::topic);
    ASSERT_TRUE(router.bind({"t", Destination::queue("q"), "#", {}}).value());
    Router moved = std::move(router);
    EXPECT_EQ(sorted(moved.route("t", "a.b", {})), Names{"q"});
}

// A topic exchange reports the same queue once per matching binding; the result keeps each queue
// once, in the order first reached, whichever index (shape index or trie) holds the bindings.
TEST(Router, TopicRoutesEachQueueOnceInOrderOfArrival) {
    for (const bool with_trie : {false, true}) {
        Router router;
        router.add_exchange("t", ExchangeType::topic);
        for (const char* q : {"q1", "q2", "q3"}) {
            router.add_queue(q);
        }
        ASSERT_TRUE(*router.bind({"t", Destination::queue("q2"), "a.b", {}}));
        ASSERT_TRUE(*router.bind({"t", Destination::queue("q1"), "a.*", {}}));
        ASSERT_TRUE(*router.bind({"t", Destination::queue("q2"), "*.b", {}}));
        ASSERT_TRUE(*router.bind({"t", Destination::queue("q1"), "a.#", {}}));
        if (with_trie) {
            ASSERT_TRUE(*router.bind({"t", Destination::queue("q3"), "#.#.b", {}}));
            ASSERT_TRUE(*router.bind({"t", Destination::queue("q2"), "#.a.#", {}}));
        }
        const RouteResult r = router.route("t", "a.b", {});
        const Names want = with_trie ? Names{"q1", "q2", "q3"} : Names{"q1", "q2"};
        EXPECT_EQ(sorted(r), want) << "with_trie " << with_trie;
        EXPECT_EQ(r.queues.size(), want.size());
        // Queues and an exchange together: the exchange's queues join in.
        router.add_exchange("e", ExchangeType::fanout);
        ASSERT_TRUE(*router.bind({"t", Destination::exchange("e"), "a.b", {}}));
        ASSERT_TRUE(*router.bind({"e", Destination::queue("q3"), "", {}}));
        ASSERT_TRUE(*router.bind({"e", Destination::queue("q1"), "", {}}));
        EXPECT_EQ(sorted(router.route("t", "a.b", {})), (Names{"q1", "q2", "q3"}));
        EXPECT_EQ(router.route("t", "a.b", {}).queues.size(), 3u);
    }
}

} // namespace
} // namespace warren::routing
