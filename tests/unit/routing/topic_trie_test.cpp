// TopicTrie: the split rule, RabbitMQ's reference vector and edge cases (cases/topic.txt, checked
// against RabbitMQ 3.10), a seeded comparison with a naive matcher, and pruning.

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "routing/topic_trie.hpp"
#include "tests/unit/routing/case_file.hpp"
#include "tests/unit/routing/naive_topic.hpp"

namespace warren::routing {
namespace {

using test::naive_match;
using test::naive_split;
using test::random_key;

std::vector<std::string> words_of(std::string_view key) {
    TopicWords words;
    split_topic_key(key, words);
    std::vector<std::string> out;
    for (const HashedWord& w : words) {
        out.emplace_back(w.text);
    }
    return out;
}

using Words = test::Words;

// ----- the split rule ------------------------------------------------------------------------

TEST(SplitTopicKey, EmptyKeyHasZeroWords) {
    EXPECT_EQ(words_of(""), Words{});
}

TEST(SplitTopicKey, DotsSeparateWordsThatMayBeEmpty) {
    EXPECT_EQ(words_of("a.b.c"), (Words{"a", "b", "c"}));
    EXPECT_EQ(words_of("a..b"), (Words{"a", "", "b"}));
    EXPECT_EQ(words_of("a."), (Words{"a", ""}));
    EXPECT_EQ(words_of(".a"), (Words{"", "a"}));
    EXPECT_EQ(words_of("."), (Words{"", ""}));
    EXPECT_EQ(words_of(".."), (Words{"", "", ""}));
}

// The splitter reads eight bytes at a time and the last 1..7 bytes through an overlapping load:
// dots at every offset of a block and of the tail must be found, and bytes one bit away from a
// '.' ('/' 0x2f, '-' 0x2d, 0xae) or above 0x7f must not be taken for one.
TEST(SplitTopicKey, AgreesWithANaiveSplitOnRandomKeys) {
    std::mt19937 rng(7);
    const std::string alphabet = "ab./-\xae\xc3";
    for (int round = 0; round < 20000; ++round) {
        std::string key(std::uniform_int_distribution<std::size_t>(0, 40)(rng), 'x');
        for (char& ch : key) {
            ch = alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
        }
        ASSERT_EQ(words_of(key), naive_split(key)) << "key \"" << key << "\"";
    }
}

TEST(SplitTopicKey, KeepsLongKeysWhole) {
    std::string key;
    for (int i = 0; i < 100; ++i) {
        key += (i ? "." : "") + std::to_string(i);
    }
    const Words words = words_of(key);
    ASSERT_EQ(words.size(), 100u);
    EXPECT_EQ(words.front(), "0");
    EXPECT_EQ(words.back(), "99");
}

// ----- cases/topic.txt -----------------------------------------------------------------------

struct TopicCase {
    int line;
    bool match;
    std::string pattern;
    std::string key;
};

// Names the case in failure messages instead of dumping its bytes.
void PrintTo(const TopicCase& c, std::ostream* os) {
    *os << "topic.txt line " << c.line;
}

std::vector<TopicCase> load_topic_cases() {
    std::vector<TopicCase> cases;
    for (const test::CaseLine& line : test::read_case_file("topic.txt")) {
        const auto tokens = test::tokenize(line.text);
        if (tokens.size() != 3 || (tokens[0] != "yes" && tokens[0] != "no")) {
            throw std::runtime_error("topic.txt line " + std::to_string(line.number) +
                                     ": expected yes|no \"pattern\" \"key\"");
        }
        cases.push_back(TopicCase{line.number, tokens[0] == "yes", tokens[1], tokens[2]});
    }
    return cases;
}

const std::vector<TopicCase>& topic_cases() {
    static const std::vector<TopicCase> cases = load_topic_cases();
    return cases;
}

class TopicCases : public ::testing::TestWithParam<TopicCase> {};

TEST_P(TopicCases, MatchesAsRabbitMQDoes) {
    const TopicCase& c = GetParam();
    TopicTrie trie;
    ASSERT_TRUE(trie.insert(c.pattern, Destination::queue("q"), {}));
    std::vector<const Destination*> out;
    trie.match(c.key, out);
    EXPECT_EQ(out.size(), c.match ? 1u : 0u) << "topic.txt line " << c.line << ": pattern \""
                                             << c.pattern << "\" key \"" << c.key << "\"";
}

INSTANTIATE_TEST_SUITE_P(File, TopicCases, ::testing::ValuesIn(topic_cases()),
                         [](const ::testing::TestParamInfo<TopicCase>& tp) {
                             return "line" + std::to_string(tp.param.line) +
                                    (tp.param.match ? "_yes" : "_no");
                         });

TEST(TopicCasesFile, HoldsTheReferenceVectorAndEdgeCases) {
    EXPECT_GE(topic_cases().size(), 250u);
    const auto yes = std::count_if(topic_cases().begin(), topic_cases().end(),
                                   [](const TopicCase& c) { return c.match; });
    EXPECT_GT(yes, 60);
    EXPECT_GT(static_cast<long>(topic_cases().size()) - yes, 60);
}

// Every pattern of the file in one trie: the set each key matches must be exactly the patterns
// the file says it matches. This catches interference between bindings sharing nodes.
TEST(TopicTrie, SharedTrieAgreesWithEveryCase) {
    TopicTrie trie;
    std::set<std::string> patterns;
    for (const TopicCase& c : topic_cases()) {
        patterns.insert(c.pattern);
    }
    for (const std::string& p : patterns) {
        ASSERT_TRUE(trie.insert(p, Destination::queue(p), {}));
    }
    for (const TopicCase& c : topic_cases()) {
        std::vector<const Destination*> out;
        trie.match(c.key, out);
        std::multiset<std::string> got;
        for (const Destination* d : out) {
            got.insert(d->name);
        }
        std::set<std::string> unique(got.begin(), got.end());
        EXPECT_EQ(unique.size(), got.size()) << "a binding reported twice for key " << c.key;
        const bool matched = unique.contains(c.pattern);
        EXPECT_EQ(matched, c.match) << "line " << c.line << ": pattern \"" << c.pattern
                                    << "\" key \"" << c.key << "\" in a shared trie";
    }
}

// ----- named behaviour -----------------------------------------------------------------------

bool matches(std::string_view pattern, std::string_view key) {
    TopicTrie trie;
    trie.insert(pattern, Destination::queue("q"), {});
    std::vector<const Destination*> out;
    trie.match(key, out);
    return !out.empty();
}

TEST(TopicTrie, HashMatchesZeroWords) {
    EXPECT_TRUE(matches("a.#", "a"));
    EXPECT_TRUE(matches("#", ""));
    EXPECT_TRUE(matches("a.#.b", "a.b"));
}

TEST(TopicTrie, StarMatchesExactlyOneWordIncludingAnEmptyOne) {
    EXPECT_TRUE(matches("a.*.b", "a..b"));
    EXPECT_FALSE(matches("a.*.b", "a.b"));
    EXPECT_FALSE(matches("*", ""));
    EXPECT_FALSE(matches("*", "a.b"));
}

TEST(TopicTrie, EmptyBindingKeyMatchesOnlyTheEmptyRoutingKey) {
    EXPECT_TRUE(matches("", ""));
    EXPECT_FALSE(matches("", "."));
    EXPECT_FALSE(matches("", "a"));
}

TEST(TopicTrie, WildcardsInsideAWordAreLiteral) {
    EXPECT_FALSE(matches("a*", "ab"));
    EXPECT_TRUE(matches("a*", "a*"));
    EXPECT_FALSE(matches("a.b", "a.*"));
}

// RabbitMQ 3.10 itself never answers these (its matcher backtracks exponentially and the HTTP
// publish timed out); the trie visits each (node, position) once and reports the binding once.
TEST(TopicTrie, ManyHashesMatchInPolynomialTimeAndReportOnce) {
    std::string thirty_hashes;
    std::string thirty_words;
    for (int i = 0; i < 30; ++i) {
        thirty_hashes += i ? ".#" : "#";
        thirty_words += (i ? ".w" : "w") + std::to_string(i);
    }
    std::string sixty_a = "a";
    for (int i = 1; i < 60; ++i) {
        sixty_a += ".a";
    }
    TopicTrie trie;
    trie.insert(thirty_hashes, Destination::queue("hashes"), {});
    trie.insert("#.a.#.a.#.a.#.a.#.a.#", Destination::queue("five_a"), {});
    trie.insert("#.a.#.a.#.b", Destination::queue("ends_in_b"), {});
    std::vector<const Destination*> out;
    trie.match(thirty_words, out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]->name, "hashes");
    out.clear();
    trie.match(sixty_a, out);
    std::vector<std::string> names;
    for (const Destination* d : out) {
        names.push_back(d->name);
    }
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (Words{"five_a", "hashes"}));
}

TEST(TopicTrie, InsertIsIdempotentAndArgumentsDistinguishBindings) {
    TopicTrie trie;
    const boost::json::object args{{"k", 1}};
    EXPECT_TRUE(trie.insert("a.*", Destination::queue("q"), {}));
    EXPECT_FALSE(trie.insert("a.*", Destination::queue("q"), {}));
    EXPECT_TRUE(trie.insert("a.*", Destination::queue("q"), args));
    EXPECT_TRUE(trie.insert("a.*", Destination::exchange("q"), {}));
    EXPECT_EQ(trie.binding_count(), 3u);
    std::vector<const Destination*> out;
    trie.match("a.b", out);
    EXPECT_EQ(out.size(), 3u); // one per binding; Router removes duplicate queues
}

TEST(TopicTrie, EraseRemovesOnlyTheIdenticalBindingAndPrunesNodes) {
    TopicTrie trie;
    const boost::json::object args{{"k", 1}};
    trie.insert("a.*.#.c", Destination::queue("q1"), {});
    trie.insert("a.*.#.c", Destination::queue("q2"), args);
    trie.insert("a.b", Destination::queue("q3"), {});
    EXPECT_FALSE(trie.erase("a.*.#.c", Destination::queue("q2"), {}));
    EXPECT_FALSE(trie.erase("a.*.#", Destination::queue("q1"), {}));
    EXPECT_FALSE(trie.erase("x.y", Destination::queue("q1"), {}));
    EXPECT_TRUE(trie.erase("a.*.#.c", Destination::queue("q1"), {}));
    EXPECT_FALSE(trie.erase("a.*.#.c", Destination::queue("q1"), {}));
    std::vector<const Destination*> out;
    trie.match("a.x.c", out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]->name, "q2");
    EXPECT_TRUE(trie.erase("a.*.#.c", Destination::queue("q2"), args));
    EXPECT_EQ(trie.node_count(), 2u); // "a" and "a.b" remain
    EXPECT_TRUE(trie.erase("a.b", Destination::queue("q3"), {}));
    EXPECT_EQ(trie.node_count(), 0u);
    EXPECT_EQ(trie.binding_count(), 0u);
}

// ----- seeded comparison with a naive matcher ------------------------------------------------

TEST(TopicTrie, AgreesWithNaiveMatcherOnRandomPatternsAndKeys) {
    const std::vector<std::string> pattern_words{"a", "b", "c", "", "*", "#", "#", "*"};
    const std::vector<std::string> key_words{"a", "b", "c", ""};
    std::size_t comparisons = 0;
    std::size_t matches_seen = 0;
    for (unsigned seed = 1; seed <= 8; ++seed) {
        std::mt19937 rng(seed);
        TopicTrie trie;
        std::vector<std::string> patterns;
        std::vector<Words> split_patterns;
        for (int i = 0; i < 400; ++i) {
            patterns.push_back(random_key(rng, pattern_words, 6));
            split_patterns.push_back(naive_split(patterns.back()));
            trie.insert(patterns.back(), Destination::queue(std::to_string(i)), {});
        }
        std::vector<bool> live(patterns.size(), true);
        for (int round = 0; round < 2; ++round) {
            for (int k = 0; k < 1000; ++k) {
                const std::string key = random_key(rng, key_words, 8);
                std::vector<const Destination*> out;
                trie.match(key, out);
                std::vector<int> got;
                for (const Destination* d : out) {
                    got.push_back(std::stoi(d->name));
                }
                std::sort(got.begin(), got.end());
                const Words key_words_split = naive_split(key);
                std::vector<int> want;
                for (std::size_t i = 0; i < patterns.size(); ++i) {
                    if (live[i] && naive_match(split_patterns[i], 0, key_words_split, 0)) {
                        want.push_back(static_cast<int>(i));
                    }
                }
                ASSERT_EQ(got, want)
                    << "seed " << seed << " round " << round << " key \"" << key << "\"";
                ++comparisons;
                matches_seen += want.size();
            }
            if (round == 1) {
                break;
            }
            // Second round: after erasing every other binding.
            for (std::size_t i = 0; i < patterns.size(); i += 2) {
                ASSERT_TRUE(trie.erase(patterns[i], Destination::queue(std::to_string(i)), {}));
                live[i] = false;
            }
        }
    }
    EXPECT_EQ(comparisons, 16000u);
    EXPECT_GT(matches_seen, 10000u); // the comparison is not vacuous
}

} // namespace
} // namespace warren::routing
