// Topic routing throughput: route decisions per second (items_per_second) against 10, 1 000 and
// 100 000 topic bindings, through TopicExchange::collect alone and through Router::route (split,
// trie walk, exchange-to-exchange bookkeeping, per-queue dedup, the result vector). A naive scan
// that tests every binding gives the ratio the trie buys.
//
// Keys look like "region3.service17.event42.created" (20 x 200 x 100 x 4 = 1.6 M keys). Bindings:
// 40 % exact keys, 25 % one word replaced by '*', 15 % "rX.sY.#" or "rX.sY.eZ.#", 10 %
// "rX.sY.#.action", 10 % "#.sY.eZ.action"; they lead to min(N, 1000) queues. Half of the routed
// keys are instances of a bound pattern, half uniform over the key space, so that both hits and
// misses are measured at every size; the counter "queues" is the mean number of queues reached.
//
// Keys cycle through kKeyCount = 4096 distinct keys, so at 100 000 bindings the records they hit
// (~600 KiB) stay in L2/L3; with 65 536 distinct keys (a one-off run, same code) Router::route at
// 100 000 bindings fell from ~6.5 M/s to ~3.1 M/s: the probe table's cache misses then reach
// DRAM. Read these figures as the cached case.
//
// Before/after the allocation-free route() and the 4-byte destination ids (interleaved runs of
// `routing_bench --benchmark_filter='RouterRouteTopic|TopicExchangeCollect'`, 7 rounds, fastest
// CPU time, load average ~7 on 2 cores): Router::route 14.4 -> 18.3 M/s (10 bindings),
// 11.1 -> 13.3 M/s (1 000), 5.0 -> 6.5 M/s (100 000). Instructions per route (callgrind,
// --toggle-collect='warren::routing::Router::route*'): 955 -> 897, 1 161 -> 1 110, 1 610 -> 1 518.

#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "routing/router.hpp"
#include "routing/topic_exchange.hpp"
#include "routing/topic_trie.hpp"

namespace {

using namespace warren::routing;

constexpr int kRegions = 20;
constexpr int kServices = 200;
constexpr int kEvents = 100;
constexpr const char* kActions[] = {"created", "updated", "deleted", "archived"};
constexpr std::size_t kKeyCount = 4096; // a power of two: keys are cycled with a mask

struct Workload {
    std::vector<std::string> patterns;
    std::vector<std::string> keys;
};

int pick(std::mt19937& rng, int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
}

// Appends rather than operator+ (which trips GCC 12's false -Wrestrict positive at -O2).
std::string numbered(std::string_view prefix, int n) {
    std::string s(prefix);
    s += std::to_string(n);
    return s;
}

std::vector<std::string> random_words(std::mt19937& rng) {
    return {numbered("region", pick(rng, kRegions)), numbered("service", pick(rng, kServices)),
            numbered("event", pick(rng, kEvents)), kActions[pick(rng, 4)]};
}

std::string join(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& w : words) {
        if (!out.empty()) {
            out += '.';
        }
        out += w;
    }
    return out;
}

std::string random_pattern(std::mt19937& rng) {
    std::vector<std::string> w = random_words(rng);
    const int kind = pick(rng, 100);
    if (kind < 40) {
        return join(w);
    }
    if (kind < 65) {
        w[static_cast<std::size_t>(pick(rng, 4))] = "*";
        return join(w);
    }
    if (kind < 80) {
        return pick(rng, 2) ? join({w[0], w[1], "#"}) : join({w[0], w[1], w[2], "#"});
    }
    if (kind < 90) {
        return join({w[0], w[1], "#", w[3]});
    }
    return join({"#", w[1], w[2], w[3]});
}

// A key the pattern matches: '*' becomes a word, '#' zero to two words.
std::string instance_of(const std::string& pattern, std::mt19937& rng) {
    TopicWords words;
    split_topic_key(pattern, words);
    std::vector<std::string> out;
    for (const HashedWord& w : words) {
        if (w.text == "*") {
            out.push_back(numbered("w", pick(rng, 1000)));
        } else if (w.text == "#") {
            for (int i = pick(rng, 3); i > 0; --i) {
                out.push_back(numbered("w", pick(rng, 1000)));
            }
        } else {
            out.emplace_back(w.text);
        }
    }
    return join(out);
}

Workload make_workload(int bindings) {
    std::mt19937 rng(20240611u + static_cast<unsigned>(bindings));
    Workload w;
    for (int i = 0; i < bindings; ++i) {
        w.patterns.push_back(random_pattern(rng));
    }
    for (std::size_t i = 0; i < kKeyCount; ++i) {
        w.keys.push_back(
            i % 2 ? join(random_words(rng))
                  : instance_of(w.patterns[static_cast<std::size_t>(pick(rng, bindings))], rng));
    }
    return w;
}

Destination queue_for(int i, int bindings) {
    return Destination::queue(numbered("queue", i % std::min(bindings, 1000)));
}

// Built once per size and shared by the benchmarks (Google Benchmark re-enters a benchmark
// function several times while it calibrates the iteration count).
struct Fixture {
    Workload workload;
    TopicExchange exchange;
    Router router;
};

const Fixture& fixture(int bindings) {
    static std::map<int, std::unique_ptr<Fixture>> built;
    auto& f = built[bindings];
    if (!f) {
        f = std::make_unique<Fixture>();
        f->workload = make_workload(bindings);
        f->router.add_exchange("events", ExchangeType::topic);
        // One structure after the other: binding both in one loop interleaves their allocations
        // and measurably slows whichever is laid out worse.
        for (int i = 0; i < bindings; ++i) {
            f->exchange.bind(queue_for(i, bindings), f->workload.patterns[std::size_t(i)], {});
        }
        for (int i = 0; i < bindings; ++i) {
            (void)f->router.bind(
                {"events", queue_for(i, bindings), f->workload.patterns[std::size_t(i)], {}});
        }
    }
    return *f;
}

void BM_TopicExchangeCollect(benchmark::State& state) {
    const Fixture& f = fixture(static_cast<int>(state.range(0)));
    const boost::json::object no_headers;
    std::vector<const Destination*> out;
    std::size_t i = 0;
    std::size_t found = 0;
    for (auto _ : state) {
        out.clear();
        f.exchange.collect(f.workload.keys[i++ & (kKeyCount - 1)], no_headers, out);
        found += out.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["bindings_hit"] =
        static_cast<double>(found) / static_cast<double>(state.iterations());
}

void BM_RouterRouteTopic(benchmark::State& state) {
    const Fixture& f = fixture(static_cast<int>(state.range(0)));
    const boost::json::object no_headers;
    std::size_t i = 0;
    std::size_t queues = 0;
    for (auto _ : state) {
        const RouteResult r =
            f.router.route("events", f.workload.keys[i++ & (kKeyCount - 1)], no_headers);
        queues += r.queues.size();
        benchmark::DoNotOptimize(r.queues.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["queues"] =
        static_cast<double>(queues) / static_cast<double>(state.iterations());
}

// The baseline: test every binding with a backtracking matcher over pre-split words.
bool naive_match(const TopicWords& p, std::size_t i, const TopicWords& k, std::size_t j) {
    if (i == p.size()) {
        return j == k.size();
    }
    if (p[i].text == "#") {
        return naive_match(p, i + 1, k, j) || (j < k.size() && naive_match(p, i, k, j + 1));
    }
    return j < k.size() && (p[i].text == "*" || p[i].text == k[j].text) &&
           naive_match(p, i + 1, k, j + 1);
}

void BM_NaiveScan(benchmark::State& state) {
    const Fixture& f = fixture(static_cast<int>(state.range(0)));
    std::vector<TopicWords> patterns(f.workload.patterns.size());
    for (std::size_t p = 0; p < patterns.size(); ++p) {
        split_topic_key(f.workload.patterns[p], patterns[p]);
    }
    TopicWords key;
    std::size_t i = 0;
    for (auto _ : state) {
        split_topic_key(f.workload.keys[i++ & (kKeyCount - 1)], key);
        std::size_t hits = 0;
        for (const TopicWords& p : patterns) {
            hits += naive_match(p, 0, key, 0) ? 1 : 0;
        }
        benchmark::DoNotOptimize(hits);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

void BM_RouterRouteDefaultExchange(benchmark::State& state) {
    Router router;
    std::vector<std::string> names;
    for (int q = 0; q < state.range(0); ++q) {
        names.push_back(numbered("queue", q));
        router.add_queue(names.back());
    }
    const boost::json::object no_headers;
    std::size_t i = 0;
    for (auto _ : state) {
        const RouteResult r = router.route("", names[i++ % names.size()], no_headers);
        benchmark::DoNotOptimize(r.queues.data());
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

BENCHMARK(BM_TopicExchangeCollect)->Arg(10)->Arg(1000)->Arg(100000);
BENCHMARK(BM_RouterRouteTopic)->Arg(10)->Arg(1000)->Arg(100000);
BENCHMARK(BM_NaiveScan)->Arg(10)->Arg(1000)->Arg(100000);
BENCHMARK(BM_RouterRouteDefaultExchange)->Arg(1000);

} // namespace
