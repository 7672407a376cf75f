// TopicExchange: the Exchange interface over a TopicShapeIndex and a TopicTrie; every case of
// cases/topic.txt and a seeded comparison with the naive matcher through it, with bindings split
// between the two indexes.

#include <random>
#include <set>

#include <gtest/gtest.h>

#include "routing/topic_exchange.hpp"
#include "tests/unit/routing/case_file.hpp"
#include "tests/unit/routing/naive_topic.hpp"

namespace warren::routing {
namespace {

std::vector<std::string> collect(const Exchange& x, std::string_view key,
                                 const boost::json::object& headers = {}) {
    std::vector<const Destination*> out;
    x.collect(key, headers, out);
    std::vector<std::string> names;
    for (const Destination* d : out) {
        names.push_back(d->name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

using Names = std::vector<std::string>;

TEST(TopicExchange, HashMatchesZeroWords) {
    TopicExchange x;
    x.bind(Destination::queue("q"), "orders.#", {});
    EXPECT_EQ(collect(x, "orders"), Names{"q"});
    EXPECT_EQ(collect(x, "orders.eu.created"), Names{"q"});
    EXPECT_EQ(collect(x, "order"), Names{});
}

TEST(TopicExchange, CollectsEveryMatchingBinding) {
    TopicExchange x;
    x.bind(Destination::queue("all"), "#", {});
    x.bind(Destination::queue("eu"), "*.eu.*", {});
    x.bind(Destination::queue("created"), "#.created", {});
    x.bind(Destination::exchange("audit"), "orders.eu.created", {});
    EXPECT_EQ(collect(x, "orders.eu.created"), (Names{"all", "audit", "created", "eu"}));
    EXPECT_EQ(collect(x, "orders.us.created"), (Names{"all", "created"}));
    EXPECT_EQ(collect(x, ""), Names{"all"});
}

TEST(TopicExchange, BindAndUnbindAreIdempotent) {
    TopicExchange x;
    EXPECT_TRUE(x.bind(Destination::queue("q"), "a.*", {}));
    EXPECT_FALSE(x.bind(Destination::queue("q"), "a.*", {}));
    EXPECT_EQ(collect(x, "a.b"), Names{"q"});
    EXPECT_TRUE(x.unbind(Destination::queue("q"), "a.*", {}));
    EXPECT_FALSE(x.unbind(Destination::queue("q"), "a.*", {}));
    EXPECT_EQ(collect(x, "a.b"), Names{});
}

// RabbitMQ's "args-test": two bindings that differ only in arguments are both kept, and
// arguments play no part in topic matching.
TEST(TopicExchange, ArgumentsDistinguishBindingsButDoNotAffectMatching) {
    TopicExchange x;
    EXPECT_TRUE(x.bind(Destination::queue("q1"), "args-test", {{"foo", "bar"}}));
    EXPECT_TRUE(x.bind(Destination::queue("q1"), "args-test", {{"foo", "baz"}}));
    EXPECT_EQ(collect(x, "args-test", {{"foo", "nothing"}}), (Names{"q1", "q1"}));
    EXPECT_FALSE(x.unbind(Destination::queue("q1"), "args-test", {}));
    EXPECT_TRUE(x.unbind(Destination::queue("q1"), "args-test", {{"foo", "bar"}}));
    EXPECT_EQ(collect(x, "args-test"), Names{"q1"});
}

TEST(TopicExchange, QueueAndExchangeOfTheSameNameAreDifferentDestinations) {
    TopicExchange x;
    EXPECT_TRUE(x.bind(Destination::queue("d"), "k", {}));
    EXPECT_TRUE(x.bind(Destination::exchange("d"), "k", {}));
    std::vector<const Destination*> out;
    x.collect("k", {}, out);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_NE(out[0]->kind, out[1]->kind);
}

TEST(TopicExchange, ReportsItsType) {
    EXPECT_EQ(TopicExchange{}.type(), ExchangeType::topic);
}

// All binding keys of the file in one exchange: more shapes than kMaxShapes, so both indexes
// hold some. Each key must reach exactly the patterns the file says match it.
TEST(TopicExchange, AgreesWithEveryCaseOfTopicTxtWithBindingsInBothIndexes) {
    TopicExchange x;
    std::set<std::string> patterns;
    const auto lines = test::read_case_file("topic.txt");
    for (const test::CaseLine& line : lines) {
        patterns.insert(test::tokenize(line.text).at(1));
    }
    for (const std::string& p : patterns) {
        ASSERT_TRUE(x.bind(Destination::queue(p), p, {}));
    }
    EXPECT_GT(x.shape_index_bindings(), 40u);
    EXPECT_GT(x.trie_bindings(), 10u);
    for (const test::CaseLine& line : lines) {
        const auto t = test::tokenize(line.text);
        const Names got = collect(x, t.at(2));
        EXPECT_EQ(std::count(got.begin(), got.end(), t.at(1)), t.at(0) == "yes" ? 1 : 0)
            << "topic.txt line " << line.number << ": " << line.text;
        EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), got.size());
    }
}

TEST(TopicExchange, BeyondTheShapeLimitNewShapesGoToTheTrie) {
    TopicExchange x;
    std::string pattern = "w";
    for (std::size_t i = 0; i < TopicExchange::kMaxShapes + 5; ++i) {
        pattern += ".*"; // a new shape each time: w.*, w.*.*, ...
        ASSERT_TRUE(x.bind(Destination::queue("q" + std::to_string(i)), pattern, {}));
    }
    EXPECT_EQ(x.shape_index_bindings(), TopicExchange::kMaxShapes);
    EXPECT_EQ(x.trie_bindings(), 5u);
    // A known shape still goes to the index even when it is full.
    ASSERT_TRUE(x.bind(Destination::queue("known"), "v.*", {}));
    EXPECT_EQ(x.shape_index_bindings(), TopicExchange::kMaxShapes + 1);
    // A binding in the trie is found by both bind (identical) and unbind.
    EXPECT_FALSE(x.bind(Destination::queue("q36"), pattern, {}));
    std::string key = "w";
    for (std::size_t i = 0; i < TopicExchange::kMaxShapes + 5; ++i) {
        key += ".x";
    }
    EXPECT_EQ(collect(x, key), Names{"q36"});
    EXPECT_TRUE(x.unbind(Destination::queue("q36"), pattern, {}));
    EXPECT_EQ(collect(x, key), Names{});
    EXPECT_EQ(collect(x, "w.x"), Names{"q0"});
    EXPECT_EQ(collect(x, "v.x"), Names{"known"});
}

// An identical binding must be refused wherever the first copy went, even after the shapes that
// sent it to the trie have gone.
TEST(TopicExchange, IdenticalBindingIsRefusedWhicheverIndexHoldsIt) {
    TopicExchange x;
    std::vector<std::string> fillers;
    std::string filler = "f";
    for (std::size_t i = 0; i < TopicExchange::kMaxShapes; ++i) {
        filler += ".*";
        fillers.push_back(filler);
        ASSERT_TRUE(x.bind(Destination::queue("filler"), filler, {}));
    }
    ASSERT_TRUE(x.bind(Destination::queue("q"), "a.#.b", {})); // a new shape: to the trie
    EXPECT_EQ(x.trie_bindings(), 1u);
    for (const std::string& f : fillers) {
        ASSERT_TRUE(x.unbind(Destination::queue("filler"), f, {}));
    }
    EXPECT_FALSE(x.bind(Destination::queue("q"), "a.#.b", {}));
    EXPECT_EQ(collect(x, "a.x.b"), Names{"q"});
    EXPECT_TRUE(x.unbind(Destination::queue("q"), "a.#.b", {}));
    EXPECT_FALSE(x.unbind(Destination::queue("q"), "a.#.b", {}));
    EXPECT_EQ(x.trie_bindings() + x.shape_index_bindings(), 0u);
}

TEST(TopicExchange, AgreesWithNaiveMatcherOnRandomBindAndUnbind) {
    const std::vector<std::string> pattern_words{"a", "b", "", "*", "*", "#", "c"};
    const std::vector<std::string> key_words{"a", "b", "c", ""};
    std::size_t matches_seen = 0;
    for (unsigned seed = 1; seed <= 4; ++seed) {
        std::mt19937 rng(seed * 7919);
        TopicExchange x;
        std::vector<std::string> patterns(200);
        std::vector<test::Words> split_patterns(patterns.size());
        std::vector<bool> live(patterns.size(), false);
        for (int step = 0; step < 3000; ++step) {
            const std::size_t i =
                std::uniform_int_distribution<std::size_t>(0, patterns.size() - 1)(rng);
            const Destination d = Destination::queue(std::to_string(i));
            if (live[i]) {
                ASSERT_TRUE(x.unbind(d, patterns[i], {}));
                live[i] = false;
            } else {
                patterns[i] = test::random_key(rng, pattern_words, 7);
                split_patterns[i] = test::naive_split(patterns[i]);
                ASSERT_TRUE(x.bind(d, patterns[i], {}));
                live[i] = true;
            }
            const std::string key = test::random_key(rng, key_words, 8);
            std::vector<int> got;
            for (const std::string& name : collect(x, key)) {
                got.push_back(std::stoi(name));
            }
            std::sort(got.begin(), got.end());
            const test::Words key_split = test::naive_split(key);
            std::vector<int> want;
            for (std::size_t p = 0; p < patterns.size(); ++p) {
                if (live[p] && test::naive_match(split_patterns[p], 0, key_split, 0)) {
                    want.push_back(static_cast<int>(p));
                }
            }
            ASSERT_EQ(got, want) << "seed " << seed << " step " << step << " key \"" << key << "\"";
            matches_seen += want.size();
        }
        EXPECT_GT(x.trie_bindings(), 0u) << "the trie path went untested";
    }
    EXPECT_GT(matches_seen, 5000u);
}

} // namespace
} // namespace warren::routing
