// TopicShapeIndex: the binding keys of cases/topic.txt it accepts (at most one '#'), a seeded
// comparison with the naive matcher, and the bookkeeping (shapes, table growth and rebuilds).

#include <algorithm>
#include <random>

#include <gtest/gtest.h>

#include "routing/topic_shape_index.hpp"
#include "tests/unit/routing/case_file.hpp"
#include "tests/unit/routing/naive_topic.hpp"

namespace warren::routing {
namespace {

TopicWords split(std::string_view key) {
    TopicWords words;
    split_topic_key(key, words);
    return words;
}

std::vector<std::string> match(const TopicShapeIndex& index, std::string_view key) {
    std::vector<const Destination*> out;
    index.match(split(key), out);
    std::vector<std::string> names;
    for (const Destination* d : out) {
        names.push_back(d->name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

using Names = std::vector<std::string>;

TEST(TopicShapeIndex, AcceptsKeysWithAtMostOneHash) {
    EXPECT_TRUE(TopicShapeIndex::accepts(split("")));
    EXPECT_TRUE(TopicShapeIndex::accepts(split("a.*.c")));
    EXPECT_TRUE(TopicShapeIndex::accepts(split("#")));
    EXPECT_TRUE(TopicShapeIndex::accepts(split("*.#.x")));
    EXPECT_TRUE(TopicShapeIndex::accepts(split("a#.#")));
    EXPECT_FALSE(TopicShapeIndex::accepts(split("#.#")));
    EXPECT_FALSE(TopicShapeIndex::accepts(split("a.#.b.#")));
}

// Every case of cases/topic.txt whose binding key the index accepts, each alone in an index.
TEST(TopicShapeIndex, MatchesTheAcceptedCasesOfTopicTxt) {
    int checked = 0;
    for (const test::CaseLine& line : test::read_case_file("topic.txt")) {
        const auto t = test::tokenize(line.text);
        const TopicWords pattern = split(t.at(1));
        if (!TopicShapeIndex::accepts(pattern)) {
            continue;
        }
        TopicShapeIndex index;
        ASSERT_TRUE(index.insert(pattern, Destination::queue("q"), {}));
        EXPECT_EQ(match(index, t.at(2)), t.at(0) == "yes" ? Names{"q"} : Names{})
            << "topic.txt line " << line.number << ": " << line.text;
        ++checked;
    }
    EXPECT_GT(checked, 180);
}

TEST(TopicShapeIndex, HashCountsWordsAfterItFromTheEnd) {
    TopicShapeIndex index;
    index.insert(split("#.b.c"), Destination::queue("suffix"), {});
    index.insert(split("a.#.c"), Destination::queue("both"), {});
    index.insert(split("a.*.#"), Destination::queue("prefix"), {});
    EXPECT_EQ(match(index, "b.c"), Names{"suffix"});
    EXPECT_EQ(match(index, "x.y.b.c"), Names{"suffix"});
    EXPECT_EQ(match(index, "a.c"), (Names{"both", "prefix"})); // '*' takes "c", '#' nothing
    EXPECT_EQ(match(index, "a.b.c"), (Names{"both", "prefix", "suffix"}));
    EXPECT_EQ(match(index, "a.x"), Names{"prefix"});
    EXPECT_EQ(match(index, "a"), Names{});
}

TEST(TopicShapeIndex, ShapesComeAndGoWithTheirBindings) {
    TopicShapeIndex index;
    const boost::json::object args{{"k", 1}};
    EXPECT_TRUE(index.insert(split("a.*"), Destination::queue("q"), {}));
    EXPECT_TRUE(index.insert(split("b.*"), Destination::queue("q"), {}));
    EXPECT_TRUE(index.insert(split("b.*"), Destination::queue("q"), args));
    EXPECT_FALSE(index.insert(split("b.*"), Destination::queue("q"), args));
    EXPECT_TRUE(index.insert(split("a.b"), Destination::exchange("q"), {}));
    EXPECT_EQ(index.shape_count(), 2u);
    EXPECT_EQ(index.binding_count(), 4u);
    EXPECT_TRUE(index.has_shape_of(split("x.*")));
    EXPECT_FALSE(index.has_shape_of(split("*.x")));
    EXPECT_TRUE(index.contains(split("b.*"), Destination::queue("q"), args));
    EXPECT_FALSE(index.contains(split("b.*"), Destination::exchange("q"), args));

    EXPECT_FALSE(index.erase(split("c.*"), Destination::queue("q"), {}));
    EXPECT_FALSE(index.erase(split("b.*"), Destination::queue("r"), {}));
    EXPECT_TRUE(index.erase(split("b.*"), Destination::queue("q"), {}));
    EXPECT_EQ(match(index, "b.x"), Names{"q"}); // the binding with arguments is still there
    EXPECT_TRUE(index.erase(split("b.*"), Destination::queue("q"), args));
    EXPECT_TRUE(index.erase(split("a.*"), Destination::queue("q"), {}));
    EXPECT_EQ(index.shape_count(), 1u);
    EXPECT_FALSE(index.has_shape_of(split("x.*")));
    EXPECT_TRUE(index.erase(split("a.b"), Destination::exchange("q"), {}));
    EXPECT_EQ(index.shape_count(), 0u);
    EXPECT_EQ(index.binding_count(), 0u);
    EXPECT_EQ(match(index, "a.b"), Names{});
}

// Many entries force the probe table to grow; erasing most of them forces rebuilds that drop
// tombstones and stale Bloom bits. Every survivor must still be found, every erased one not.
TEST(TopicShapeIndex, SurvivesGrowthAndRebuilds) {
    TopicShapeIndex index;
    const int n = 20000;
    const auto key = [](int i) { return "k" + std::to_string(i) + ".*.v" + std::to_string(i % 7); };
    for (int i = 0; i < n; ++i) {
        ASSERT_TRUE(index.insert(split(key(i)), Destination::queue("q" + std::to_string(i)), {}));
    }
    for (int i = 0; i < n; ++i) {
        if (i % 10 != 0) {
            ASSERT_TRUE(
                index.erase(split(key(i)), Destination::queue("q" + std::to_string(i)), {}));
        }
    }
    EXPECT_EQ(index.binding_count(), static_cast<std::size_t>(n / 10));
    for (int i = 0; i < n; ++i) {
        const std::string routing_key = "k" + std::to_string(i) + ".x.v" + std::to_string(i % 7);
        EXPECT_EQ(match(index, routing_key), i % 10 == 0 ? Names{"q" + std::to_string(i)} : Names{})
            << routing_key;
    }
}

TEST(TopicShapeIndex, AgreesWithNaiveMatcherOnRandomPatternsAndKeys) {
    const std::vector<std::string> pattern_words{"a", "b", "c", "", "*", "*", "#"};
    const std::vector<std::string> key_words{"a", "b", "c", ""};
    std::size_t matches_seen = 0;
    for (unsigned seed = 1; seed <= 6; ++seed) {
        std::mt19937 rng(seed);
        TopicShapeIndex index;
        std::vector<std::string> patterns;
        std::vector<test::Words> split_patterns;
        while (patterns.size() < 300) {
            std::string p = test::random_key(rng, pattern_words, 6);
            if (TopicShapeIndex::accepts(split(p))) {
                index.insert(split(p), Destination::queue(std::to_string(patterns.size())), {});
                split_patterns.push_back(test::naive_split(p));
                patterns.push_back(std::move(p));
            }
        }
        std::vector<bool> live(patterns.size(), true);
        for (int round = 0; round < 2; ++round) {
            for (int k = 0; k < 1000; ++k) {
                const std::string key = test::random_key(rng, key_words, 8);
                std::vector<const Destination*> out;
                index.match(split(key), out);
                std::vector<int> got;
                for (const Destination* d : out) {
                    got.push_back(std::stoi(d->name));
                }
                std::sort(got.begin(), got.end());
                const test::Words key_split = test::naive_split(key);
                std::vector<int> want;
                for (std::size_t i = 0; i < patterns.size(); ++i) {
                    if (live[i] && test::naive_match(split_patterns[i], 0, key_split, 0)) {
                        want.push_back(static_cast<int>(i));
                    }
                }
                ASSERT_EQ(got, want) << "seed " << seed << " key \"" << key << "\"";
                matches_seen += want.size();
            }
            for (std::size_t i = 1; round == 0 && i < patterns.size(); i += 2) {
                ASSERT_TRUE(
                    index.erase(split(patterns[i]), Destination::queue(std::to_string(i)), {}));
                live[i] = false;
            }
        }
    }
    EXPECT_GT(matches_seen, 5000u);
}

// Keys of more than 16 words take the path without precomputed plans; long literal words do not
// fit a table record and are compared from the entry.
TEST(TopicShapeIndex, LongKeysAndLongWords) {
    TopicShapeIndex index;
    std::string long_key;
    for (int i = 0; i < 20; ++i) {
        long_key += (i == 0 ? "w" : ".w") + std::to_string(i);
    }
    const std::string long_word(60, 'x');
    ASSERT_TRUE(index.insert(split(long_key), Destination::queue("exact"), {}));
    ASSERT_TRUE(index.insert(split("w0.#.w19"), Destination::queue("ends"), {}));
    ASSERT_TRUE(index.insert(split("#.w19"), Destination::queue("last"), {}));
    ASSERT_TRUE(index.insert(split(long_word + ".*.#"), Destination::queue("long"), {}));
    ASSERT_TRUE(index.insert(split("#." + long_word), Destination::queue("long_last"), {}));
    EXPECT_EQ(match(index, long_key), (Names{"ends", "exact", "last"}));
    EXPECT_EQ(match(index, long_key + ".w19"), (Names{"ends", "last"}));
    EXPECT_EQ(match(index, "w0.w19"), (Names{"ends", "last"}));
    EXPECT_EQ(match(index, long_word + ".a"), Names{"long"});
    EXPECT_EQ(match(index, long_word + "y.a"), Names{});
    EXPECT_EQ(match(index, long_key + "." + long_word), Names{"long_last"});
    EXPECT_EQ(match(index, long_word + "." + long_key + "." + long_word),
              (Names{"long", "long_last"}));
}

// Words that are not one stretch of text (not made by split_topic_key) still match by word.
TEST(TopicShapeIndex, MatchesWordsThatAreNotOneString) {
    TopicShapeIndex index;
    ASSERT_TRUE(index.insert(split("a.b.*"), Destination::queue("q"), {}));
    const std::string a = "a";
    const std::string b = "b";
    const std::string c = "c";
    TopicWords key;
    for (const std::string* w : {&a, &b, &c}) {
        key.push_back(HashedWord{*w, hash_string(*w)});
    }
    std::vector<const Destination*> out;
    index.match(key, out);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]->name, "q");
}

// A binding gained or lost keeps the single destination a record carries in step.
TEST(TopicShapeIndex, EntriesWithOneAndSeveralDestinations) {
    TopicShapeIndex index;
    const boost::json::object args{{"k", 1}};
    ASSERT_TRUE(index.insert(split("a.*"), Destination::queue("q1"), {}));
    EXPECT_EQ(match(index, "a.x"), Names{"q1"});
    ASSERT_TRUE(index.insert(split("a.*"), Destination::queue("q2"), {}));
    ASSERT_TRUE(index.insert(split("a.*"), Destination::queue("q1"), args));
    EXPECT_EQ(match(index, "a.x"), (Names{"q1", "q1", "q2"}));
    ASSERT_TRUE(index.erase(split("a.*"), Destination::queue("q1"), {}));
    ASSERT_TRUE(index.erase(split("a.*"), Destination::queue("q1"), args));
    EXPECT_EQ(match(index, "a.x"), Names{"q2"});
    ASSERT_TRUE(index.erase(split("a.*"), Destination::queue("q2"), {}));
    EXPECT_EQ(match(index, "a.x"), Names{});
    EXPECT_EQ(index.shape_count(), 0u);
}

} // namespace
} // namespace warren::routing
