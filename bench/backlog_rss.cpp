// backlog_rss: how much memory a large durable backlog costs. Publishes N persistent messages
// of S bytes into one durable queue through the broker core and SQLite (no network), with the
// default memory budget unless --budget is given, printing the process RSS as it goes; then
// restarts on the same file and reports the recovery time and RSS again, and drains a sample.
//
//   build/release/bench/backlog_rss [messages=10000000] [size=256] [budget_mib=256] [dir]

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "common/host_resources.hpp"
#include "server/core.hpp"
#include "server/vhost.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "support/manual_executor.hpp"
#include "support/temp_dir.hpp"

using namespace warren;

namespace {

double mib(std::uint64_t bytes) {
    return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

struct Node {
    Node(const std::string& path, std::uint64_t budget) {
        storage::sqlite::SqliteOptions options;
        options.path = path;
        store = std::move(*storage::sqlite::SqliteStore::open(options, executor.poster()));
        broker = std::make_unique<server::Core>(clock, store.get(), executor.poster());
        broker->set_memory_budget(budget);
        auto r = broker->recover();
        if (!r) {
            std::fprintf(stderr, "recover: %s\n", r.error().reason.c_str());
            std::exit(1);
        }
    }
    ~Node() {
        flush();
        broker.reset();
        store->close();
    }
    void flush() {
        bool done = false;
        broker->flush([&](Result<void>) { done = true; });
        executor.run_until([&] { return done; }, std::chrono::minutes(10));
    }
    testing::ManualExecutor executor;
    server::SystemClock clock;
    std::unique_ptr<storage::sqlite::SqliteStore> store;
    std::unique_ptr<server::Core> broker;
};

} // namespace

int main(int argc, char** argv) {
    const std::uint64_t messages = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 10'000'000;
    const std::size_t size = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 256;
    const std::uint64_t budget = (argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 256) << 20;
    testing::TempDir temp;
    const std::string path =
        argc > 4 ? std::string(argv[4]) + "/backlog.db" : temp.file("backlog.db");

    const auto start = std::chrono::steady_clock::now();
    {
        Node node(path, budget);
        server::QueueSpec spec;
        spec.name = "backlog";
        (void)node.broker->declare_queue("/", spec);
        Properties props;
        props.delivery_mode = 2;
        const std::string body(size, 'x');
        int outstanding = 0;
        for (std::uint64_t i = 1; i <= messages; ++i) {
            (void)node.broker->publish("/", "", make_message("", "backlog", props, body));
            if (i % 1024 == 0) {
                ++outstanding;
                node.broker->flush([&](Result<void>) { --outstanding; });
                node.executor.run_ready();
                node.executor.run_until([&] { return outstanding < 8; }, std::chrono::minutes(1));
            }
            if (i % 1'000'000 == 0) {
                std::printf(
                    "published %9llu  rss %7.1f MiB  in memory %llu\n",
                    static_cast<unsigned long long>(i), mib(resident_memory_bytes().value_or(0)),
                    static_cast<unsigned long long>(
                        node.broker->find_vhost("/")->find_queue("backlog")->messages_in_memory()));
                std::fflush(stdout);
            }
        }
        node.executor.run_until([&] { return outstanding == 0; }, std::chrono::minutes(10));
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::printf("published %llu x %zu B in %.1f s (%.0f msg/s); peak-ish rss %.1f MiB\n",
                    static_cast<unsigned long long>(messages), size, secs,
                    static_cast<double>(messages) / secs, mib(resident_memory_bytes().value_or(0)));
    }
    const auto t0 = std::chrono::steady_clock::now();
    Node node(path, budget);
    const double recovery =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto queue = node.broker->find_vhost("/")->find_queue("backlog");
    std::printf("recovered %llu ready (%llu in memory) in %.2f s; rss %.1f MiB\n",
                static_cast<unsigned long long>(queue->messages_ready()),
                static_cast<unsigned long long>(queue->messages_in_memory()), recovery,
                mib(resident_memory_bytes().value_or(0)));
    // Drain a sample through page-in to show the backlog reads back.
    std::uint64_t drained = 0;
    const auto d0 = std::chrono::steady_clock::now();
    while (drained < std::min<std::uint64_t>(messages, 1'000'000)) {
        auto got = node.broker->get("/", "backlog", 1000, server::GetMode::ack_requeue_false);
        drained += got->size();
        if (got->empty()) {
            node.executor.run_until([] { return false; }, std::chrono::milliseconds(5));
        }
    }
    const double dsecs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - d0).count();
    std::printf("drained %llu in %.1f s (%.0f msg/s, with page-in); rss %.1f MiB\n",
                static_cast<unsigned long long>(drained), dsecs,
                static_cast<double>(drained) / dsecs, mib(resident_memory_bytes().value_or(0)));
    return 0;
}
