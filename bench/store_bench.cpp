// Durable-path benchmarks (issue: durable queues). All in one process, no network:
//
//   BM_BrokerPublish   persistent messages through Core::publish into durable queues, with the
//                      confirm barrier (Core::flush) every `kWindow` messages and at most
//                      kInFlight barriers outstanding, as many concurrent publishers would do.
//   BM_RawInsert       the SQLite ceiling: the same message + entry rows with plain prepared
//                      INSERTs, kWindow rows per transaction, same PRAGMAs, one thread.
//   BM_BrokerAck       consume + ack of stored messages, until the acks are committed.
//   BM_BrokerCycle     publish -> deliver -> ack at a steady state, as a consumer that keeps up
//                      does it: each turn publishes kWindow messages (delivered at once to a
//                      manual-ack consumer) and acks the window delivered one turn before (or,
//                      with ack_after_commit, only windows whose publish is committed, so the
//                      writer never sees an entry's insert and removal in one group).
//                      `writer_us` is the writer thread's CPU time per message.
//   BM_Recovery        Core::recover over a database of N stored messages.
//
// Arguments: body size, fanout (queues per message), sync (0 normal, 1 full).
//   build/release/bench/store_bench --benchmark_counters_tabular=true

#include <deque>
#include <fstream>

#include <benchmark/benchmark.h>

#include "server/connection.hpp"
#include "server/core.hpp"
#include "server/vhost.hpp"
#include "storage/sqlite/schema.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "support/manual_executor.hpp"
#include "support/temp_dir.hpp"
#include <dirent.h>
#include <unistd.h>

namespace {

using namespace warren;
using storage::sqlite::SyncMode;

constexpr int kWindow = 256; // messages per confirm barrier
constexpr int kInFlight = 8; // barriers outstanding before the publisher waits

struct Harness {
    explicit Harness(SyncMode sync, const testing::TempDir& dir) {
        storage::sqlite::SqliteOptions options;
        options.path = dir.file("warren.db");
        options.sync = sync;
        store = std::move(*storage::sqlite::SqliteStore::open(options, executor.poster()));
        broker = std::make_unique<server::Core>(clock, store.get(), executor.poster());
        if (!broker->recover()) {
            std::abort();
        }
    }
    ~Harness() {
        flush();
        broker.reset();
        store->close();
    }
    void flush() {
        bool done = false;
        broker->flush([&](Result<void>) { done = true; });
        executor.run_until([&] { return done; }, std::chrono::minutes(5));
    }

    testing::ManualExecutor executor;
    server::SystemClock clock;
    std::unique_ptr<storage::sqlite::SqliteStore> store;
    std::unique_ptr<server::Core> broker;
};

// `stream`: the queues are streams (x-queue-type stream), which keep what they store.
void declare_topology(server::Core& broker, int fanout, bool stream = false) {
    server::ExchangeSpec fan{"fan", "fanout", true, false, false, {}};
    (void)broker.declare_exchange("/", fan);
    for (int q = 0; q < fanout; ++q) {
        server::QueueSpec spec;
        spec.name = "q" + std::to_string(q);
        if (stream) {
            spec.arguments["x-queue-type"] = "stream";
        }
        (void)broker.declare_queue("/", spec);
        (void)broker.bind("/", {"fan", routing::Destination::queue(spec.name), "", {}});
    }
}

// Durable publish into `fanout` queues (BM_BrokerPublish) or one stream (BM_StreamAppend).
void publish_loop(benchmark::State& state, bool stream) {
    const auto size = static_cast<std::size_t>(state.range(0));
    const int fanout = stream ? 1 : static_cast<int>(state.range(1));
    const auto sync = state.range(2) ? SyncMode::full : SyncMode::normal;
    testing::TempDir dir;
    Harness h(sync, dir);
    declare_topology(*h.broker, fanout, stream);
    h.flush();
    Properties props;
    props.delivery_mode = 2;
    const std::string body(size, 'x');
    int outstanding = 0;
    std::int64_t messages = 0;
    for (auto _ : state) {
        for (int i = 0; i < kWindow; ++i) {
            auto r = h.broker->publish("/", "fan", make_message("fan", "k", props, body));
            benchmark::DoNotOptimize(r);
        }
        ++outstanding;
        h.broker->flush([&](Result<void>) { --outstanding; });
        h.executor.run_ready();
        h.executor.run_until([&] { return outstanding < kInFlight; }, std::chrono::minutes(1));
        messages += kWindow;
    }
    h.executor.run_until([&] { return outstanding == 0; }, std::chrono::minutes(5));
    state.SetItemsProcessed(messages);
    state.SetBytesProcessed(messages * static_cast<std::int64_t>(size));
    state.counters["commits"] = static_cast<double>(h.store->writer_stats().commits.load());
    // Keep the queues from growing without bound across iterations (a stream keeps its log:
    // that is what it measures).
    for (int q = 0; q < fanout && !stream; ++q) {
        (void)h.broker->purge_queue("/", "q" + std::to_string(q));
    }
}

void BM_BrokerPublish(benchmark::State& state) {
    publish_loop(state, false);
}

// Issue 17: a stream's append (each message stored with its offset, timestamp and segment),
// next to BM_BrokerPublish with fanout 1 and BM_RawInsert of the same rows.
void BM_StreamAppend(benchmark::State& state) {
    publish_loop(state, true);
}

void BM_RawInsert(benchmark::State& state) {
    const auto size = static_cast<std::size_t>(state.range(0));
    const int fanout = static_cast<int>(state.range(1));
    const auto sync = state.range(2) ? SyncMode::full : SyncMode::normal;
    testing::TempDir dir;
    auto db = std::move(*storage::sqlite::Db::open(dir.file("raw.db")));
    (void)storage::sqlite::configure_writer(db, sync);
    (void)storage::sqlite::migrate(db);
    auto put_message = std::move(*db.prepare(
        "INSERT INTO messages (id, exchange, routing_key, properties, body) VALUES (?1, ?2, ?3, "
        "?4, ?5)"));
    auto put_entry = std::move(*db.prepare(
        "INSERT INTO entries (queue_id, seq, message_id, expires_at, delivery_count) VALUES "
        "(?1, ?2, ?3, ?4, 0)"));
    const std::string body(size, 'x');
    std::int64_t id = 0;
    for (auto _ : state) {
        (void)db.exec("BEGIN IMMEDIATE");
        for (int i = 0; i < kWindow; ++i) {
            ++id;
            (void)put_message.bind(1, id)
                .bind(2, "fan")
                .bind(3, "k")
                .bind(4, R"({"delivery_mode":2})")
                .bind_blob(5, body)
                .run();
            for (int q = 1; q <= fanout; ++q) {
                (void)put_entry.bind(1, std::int64_t{q})
                    .bind(2, id)
                    .bind(3, id)
                    .bind(4, INT64_MAX)
                    .run();
            }
        }
        (void)db.exec("COMMIT");
    }
    state.SetItemsProcessed(id);
    state.SetBytesProcessed(id * static_cast<std::int64_t>(size));
}

struct AckSink : server::DeliverySink {
    bool ready() const override { return true; }
    void deliver(const server::Delivery& d) override { tags.push_back(d.delivery_tag); }
    std::vector<std::uint64_t> tags;
};

void BM_BrokerAck(benchmark::State& state) {
    const auto sync = state.range(0) ? SyncMode::full : SyncMode::normal;
    testing::TempDir dir;
    Harness h(sync, dir);
    declare_topology(*h.broker, 1);
    Properties props;
    props.delivery_mode = 2;
    const std::string body(256, 'x');
    auto connection = h.broker->open_connection("bench", "guest");
    AckSink sink;
    server::ConsumeOptions options;
    options.prefetch = kWindow;
    (void)connection->consume("/", "q0", options, sink);
    std::int64_t acks = 0;
    for (auto _ : state) {
        state.PauseTiming();
        for (int i = 0; i < kWindow; ++i) {
            (void)h.broker->publish("/", "fan", make_message("fan", "k", props, body));
        }
        h.flush();
        state.ResumeTiming();
        for (auto tag : sink.tags) {
            (void)connection->ack(tag, false);
        }
        acks += static_cast<std::int64_t>(sink.tags.size());
        sink.tags.clear();
        h.flush();
    }
    state.SetItemsProcessed(acks);
    connection.reset();
}

// CPU time (ns) of the store's writer thread, from /proc (schedstat: ns on a CPU): the thread
// named warren-writer, or else the oldest thread after the main one (the store starts it first).
std::uint64_t writer_cpu_ns() {
    DIR* tasks = opendir("/proc/self/task");
    if (tasks == nullptr) {
        return 0;
    }
    std::string found;
    long oldest = 0;
    while (const dirent* t = readdir(tasks)) {
        const long tid = std::atol(t->d_name);
        if (tid <= 0 || tid == getpid()) {
            continue;
        }
        std::string comm;
        std::getline(std::ifstream(std::string("/proc/self/task/") + t->d_name + "/comm"), comm);
        if (comm == "warren-writer") {
            found = t->d_name;
            break;
        }
        if (oldest == 0 || tid < oldest) {
            oldest = tid;
            found = t->d_name;
        }
    }
    closedir(tasks);
    std::uint64_t ns = 0;
    std::ifstream("/proc/self/task/" + found + "/schedstat") >> ns;
    return ns;
}

void BM_BrokerCycle(benchmark::State& state) {
    const bool ack_after_commit = state.range(0) != 0;
    testing::TempDir dir;
    Harness h(SyncMode::normal, dir);
    declare_topology(*h.broker, 1);
    h.flush();
    Properties props;
    props.delivery_mode = 2;
    const std::string body(256, 'x');
    auto connection = h.broker->open_connection("bench", "guest");
    AckSink sink;
    server::ConsumeOptions options;
    options.prefetch = kWindow * (kInFlight + 2);
    (void)connection->consume("/", "q0", options, sink);
    struct Window {
        std::vector<std::uint64_t> tags;
        bool committed = false;
    };
    std::deque<std::shared_ptr<Window>> windows; // delivered, not acked yet, oldest first
    int outstanding = 0;
    std::int64_t messages = 0;
    const std::uint64_t writer_before = writer_cpu_ns();
    for (auto _ : state) {
        for (int i = 0; i < kWindow; ++i) {
            (void)h.broker->publish("/", "fan", make_message("fan", "k", props, body));
        }
        // Ack the previous window(s) in the same turn, before this one's commit.
        while (!windows.empty() && (!ack_after_commit || windows.front()->committed)) {
            for (auto tag : windows.front()->tags) {
                (void)connection->ack(tag, false);
            }
            windows.pop_front();
        }
        auto window = std::make_shared<Window>();
        window->tags.swap(sink.tags);
        windows.push_back(window);
        ++outstanding;
        h.broker->flush([&, window](Result<void>) {
            window->committed = true;
            --outstanding;
        });
        h.executor.run_ready();
        h.executor.run_until([&] { return outstanding < kInFlight; }, std::chrono::minutes(1));
        messages += kWindow;
    }
    for (const auto& w : windows) {
        for (auto tag : w->tags) {
            (void)connection->ack(tag, false);
        }
    }
    h.flush();
    const std::uint64_t writer_ns = writer_cpu_ns() - writer_before;
    state.SetItemsProcessed(messages);
    state.counters["writer_us"] =
        static_cast<double>(writer_ns) / 1e3 / static_cast<double>(messages);
    state.counters["commits"] = static_cast<double>(h.store->writer_stats().commits.load());
    connection.reset();
}

void BM_Recovery(benchmark::State& state) {
    const auto messages = state.range(0);
    testing::TempDir dir;
    {
        Harness h(SyncMode::normal, dir);
        declare_topology(*h.broker, 1);
        h.flush();
        auto db = std::move(*storage::sqlite::Db::open(dir.file("warren.db")));
        (void)db.exec("BEGIN");
        auto put_message = std::move(*db.prepare(
            "INSERT INTO messages VALUES (?1, 'fan', 'k', '{\"delivery_mode\":2}', ?2)"));
        auto put_entry = std::move(*db.prepare(
            "INSERT INTO entries VALUES ((SELECT id FROM queues WHERE name = 'q0'), ?1, ?1, "
            "9223372036854775807, 0, 256)"));
        const std::string body(256, 'x');
        for (std::int64_t i = 1; i <= messages; ++i) {
            (void)put_message.bind(1, i).bind_blob(2, body).run();
            (void)put_entry.bind(1, i).run();
        }
        (void)db.exec("COMMIT");
    }
    for (auto _ : state) {
        auto h = std::make_unique<Harness>(SyncMode::normal, dir);
        state.PauseTiming(); // closing is not part of recovery
        state.counters["ready"] =
            static_cast<double>(h->broker->find_vhost("/")->find_queue("q0")->messages_ready());
        h.reset();
        state.ResumeTiming();
    }
    state.SetItemsProcessed(state.iterations() * messages);
}

const std::vector<std::int64_t> kSizes = {256, 4096};
const std::vector<std::int64_t> kFanouts = {1, 10};
const std::vector<std::int64_t> kSync = {0, 1};

} // namespace

BENCHMARK(BM_BrokerPublish)
    ->ArgsProduct({kSizes, kFanouts, kSync})
    ->ArgNames({"size", "fanout", "full_sync"})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->UseRealTime();
BENCHMARK(BM_RawInsert)
    ->ArgsProduct({kSizes, kFanouts, kSync})
    ->ArgNames({"size", "fanout", "full_sync"})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->UseRealTime();
BENCHMARK(BM_StreamAppend)
    ->ArgsProduct({kSizes, {1}, kSync})
    ->ArgNames({"size", "fanout", "full_sync"})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->UseRealTime();
BENCHMARK(BM_BrokerAck)->Arg(0)->Arg(1)->ArgNames({"full_sync"})->MinTime(2.0)->UseRealTime();
BENCHMARK(BM_BrokerCycle)
    ->Arg(0)
    ->Arg(1)
    ->ArgNames({"ack_after_commit"})
    ->MinTime(2.0)
    ->UseRealTime();
BENCHMARK(BM_Recovery)
    ->Arg(1'000'000)
    ->ArgNames({"messages"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();
