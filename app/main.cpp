// warren: the server executable. Wires Config -> Broker -> HttpServer and runs them on one
// io_context thread (threading model A, STYLE 2.3); stops cleanly on SIGTERM and SIGINT.
// Exit codes: 0 after a clean stop (or --help/--version), 1 when startup fails, 2 for bad flags.

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "amqp/amqp_server.hpp"
#include "app/config.hpp"
#include "app/malloc_tuning.hpp"
#include "app/store_metrics.hpp"
#include "common/host_resources.hpp"
#include "server/broker.hpp"
#include "server/clock.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "web/api_router.hpp"
#include "web/auth.hpp"
#include "web/handlers/handlers.hpp"
#include "web/handlers/monitoring.hpp"
#include "web/http_server.hpp"
#include "web/static_assets.hpp"
#include "web/tls_context.hpp"
#include "web/token_store.hpp"
#include "web/ws_endpoint.hpp"

namespace {

namespace asio = boost::asio;
using namespace warren;

spdlog::level::level_enum spdlog_level(app::LogLevel level) {
    switch (level) {
    case app::LogLevel::trace:
        return spdlog::level::trace;
    case app::LogLevel::debug:
        return spdlog::level::debug;
    case app::LogLevel::info:
        return spdlog::level::info;
    case app::LogLevel::warn:
        return spdlog::level::warn;
    case app::LogLevel::error:
        return spdlog::level::err;
    }
    return spdlog::level::info;
}

// One sink (stdout) for every module's named logger. Flushed at info and above so that the
// "listening on" line reaches a pipe at once (tests and supervisors read it).
void setup_logging(app::LogLevel level) {
    auto sink = std::make_shared<spdlog::sinks::stdout_color_sink_mt>();
    for (const char* name : {"server", "web"}) {
        if (!spdlog::get(name)) {
            spdlog::register_logger(std::make_shared<spdlog::logger>(name, sink));
        }
    }
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("warren", sink));
    spdlog::set_level(spdlog_level(level));
    spdlog::flush_on(spdlog::level::info);
}

// Calls Broker::run_timers every 100 ms, or sooner when it says something is due sooner, and
// reports the host's disk to the broker at each of those ticks and its memory once a second (it
// sets or clears the alarms). The disk is read that often because a fast publisher writes
// ~10 MB a second: read once a second, a 16 MB margin was gone before the alarm (statvfs costs
// a microsecond).
// `timer` and `stopping` belong to main(); the signal handler sets stopping and cancels the timer.
asio::awaitable<void> run_broker_timers(server::Broker& broker, const server::Clock& clock,
                                        const std::filesystem::path& data_dir,
                                        asio::steady_timer& timer, const bool& stopping) {
    constexpr server::Millis kPeriod = 100;
    constexpr server::Millis kMonitorPeriod = 1000;
    server::Millis last_check = 0;
    while (!stopping) {
        if (clock.now() - last_check >= kMonitorPeriod) {
            broker.report_resources({resident_memory_bytes(), disk_free_bytes(data_dir)});
            last_check = clock.now();
        } else {
            broker.report_resources({std::nullopt, disk_free_bytes(data_dir)});
        }
        server::Millis next = broker.run_timers();
        server::Millis wait = std::clamp<server::Millis>(next - clock.now(), 1, kPeriod);
        timer.expires_after(std::chrono::milliseconds(wait));
        co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

// Samples the message counters into rates every 5 s: O(queues + exchanges) per period, nothing
// per message (server/stats.hpp). Every minute it also hands glibc's free pages back to the
// kernel (malloc_trim: every arena, well under a ms for a heap this size). Under a long mixed
// load the live heap stays small (heaptrack: a 3.5 MB peak in an 8-minute soak) while the main
// arena holds ~16 MB; the trim took the 30-minute soak's RSS slope from +2.5 to +1.9 MiB per 10
// minutes. What it cannot return are chunks parked in the per-thread tcache, which the opt-in
// app/malloc_tuning enlarges; untuned (the default) the soak is flat.
asio::awaitable<void> run_stats_sampler(server::Broker& broker, asio::steady_timer& timer,
                                        const bool& stopping) {
    constexpr int kTrimEvery = 12; // periods
    int period = 0;
    while (!stopping) {
        timer.expires_after(std::chrono::seconds(5));
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec || stopping) {
            co_return;
        }
        broker.sample_stats();
#if defined(__GLIBC__)
        if (++period % kTrimEvery == 0) {
            ::malloc_trim(0);
        }
#endif
    }
}

// The watermarks of --memory-high-watermark (a fraction of RAM or bytes) and --disk-free-limit.
server::ResourceLimits resource_limits(const app::Config& config) {
    server::ResourceLimits limits;
    limits.disk_free_limit = config.disk_free_limit;
    const app::Watermark& w = config.memory_high_watermark;
    limits.memory_limit =
        w.fraction ? static_cast<std::uint64_t>(
                         *w.fraction * static_cast<double>(physical_memory_bytes().value_or(0)))
                   : w.bytes;
    return limits;
}

std::string url_host(const asio::ip::address& address) {
    return address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
}

int run(const app::Config& config) {
    std::error_code fs_error;
    std::filesystem::create_directories(config.data_dir, fs_error);
    if (fs_error || !std::filesystem::is_directory(config.data_dir)) {
        spdlog::error("cannot create data directory '{}': {}", config.data_dir.string(),
                      fs_error ? fs_error.message() : "not a directory");
        return 1;
    }

    // One budget for every HTTP body and WebSocket message being received (common/
    // receive_budget), big enough for at least one body of the largest size. Before the
    // io_context: sessions left in it at exit release their reservations when it is destroyed.
    ReceiveBudget receive_budget(std::max<std::uint64_t>(
        config.receive_memory_limit, web::body_limit_for(config.max_message_size)));

    // The io_context comes first: the store posts its completions onto it, and the broker's
    // journal schedules its flushes there. Handlers queued at exit are dropped, never run.
    asio::io_context ioc{1};
    server::Post post = [&ioc](std::function<void()> f) { asio::post(ioc, std::move(f)); };

    storage::sqlite::SqliteOptions store_options;
    store_options.path = (config.data_dir / "warren.db").string();
    store_options.sync = config.sync == app::SyncMode::full ? storage::sqlite::SyncMode::full
                                                            : storage::sqlite::SyncMode::normal;
    auto store = storage::sqlite::SqliteStore::open(store_options, post);
    if (!store) {
        spdlog::error("cannot open the store: {}", store.error().reason);
        return 1;
    }

    server::SystemClock clock;
    server::Broker broker{clock, store->get(), post};
    broker.set_memory_budget(config.memory_budget);
    broker.set_loopback_users(config.loopback_users);
    broker.set_resource_limits(resource_limits(config));
    const auto recovery_start = std::chrono::steady_clock::now();
    auto recovered = broker.recover();
    if (!recovered) {
        spdlog::error("recovery failed: {}", recovered.error().reason);
        return 1;
    }
    spdlog::info("recovered {} messages in {} queues in {} ms", recovered->messages,
                 recovered->queues,
                 std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - recovery_start)
                     .count());
    if (broker.ensure_default_user(config.default_user, config.default_password)) {
        spdlog::info("no users in the store: created '{}' (administrator)", config.default_user);
    }
    web::BasicAuth auth(broker);
    web::ApiRouter router(auth);
    router.set_vhost_gate([&broker](const web::Principal& principal, std::string_view vhost) {
        return broker.check_vhost_access(principal, vhost);
    });
    web::NodeInfo node{web::default_node_name(), web::default_node_name(), {}, std::nullopt};

    web::HttpLimits limits;
    limits.max_body_bytes = web::body_limit_for(config.max_message_size);
    limits.budget = &receive_budget;
    limits.max_connections = config.max_connections;
    // WebSocket (GET /ws): declared before the server, which refers to it.
    web::TokenStore ws_tokens;
    web::WsLimits ws_limits;
    ws_limits.max_message_size = config.max_message_size;
    ws_limits.budget = &receive_budget;
    ws_limits.ping_interval = std::chrono::seconds(config.ws_ping_interval_s);
    ws_limits.idle_timeout = std::chrono::seconds(config.ws_idle_timeout_s);
    web::WsEndpoint websocket(broker, auth, ws_tokens, ws_limits);
    web::HttpServer http(ioc, router, limits);
    http.enable_websocket(websocket);

    boost::system::error_code ec;
    auto address = asio::ip::make_address(config.bind, ec);
    if (ec) {
        spdlog::error("invalid bind address '{}': {}", config.bind, ec.message());
        return 1;
    }
    auto endpoint = http.listen({address, config.http_port});
    if (!endpoint) {
        spdlog::error("{}", endpoint.error().reason);
        return 1;
    }
    node.listeners.push_back({"http", endpoint->address().to_string(), endpoint->port()});
    // HTTPS: a second listener over the same router and WebSocket endpoint.
    std::unique_ptr<asio::ssl::context> tls;
    std::optional<web::HttpServer> https;
    std::optional<asio::ip::tcp::endpoint> https_endpoint;
    if (config.https_port || config.amqps_port) {
        auto loaded = web::load_tls_context(config.tls_cert.string(), config.tls_key.string());
        if (!loaded) {
            spdlog::error("{}", loaded.error().reason);
            return 1;
        }
        tls = std::move(*loaded);
    }
    if (config.https_port) {
        https.emplace(ioc, router, limits, tls.get());
        https->enable_websocket(websocket);
        auto listened = https->listen({address, *config.https_port});
        if (!listened) {
            spdlog::error("{}", listened.error().reason);
            return 1;
        }
        https_endpoint = *listened;
        if (auto not_after = web::certificate_not_after(config.tls_cert.string())) {
            node.tls_certificate = web::NodeInfo::Certificate{config.tls_cert.string(), *not_after};
        }
        node.listeners.push_back({"https", listened->address().to_string(), listened->port()});
    }
    // AMQP 0-9-1 (DESIGN.md section 8): plain, and over TLS with the same certificate.
    amqp::AmqpLimits amqp_limits;
    amqp_limits.max_message_size = config.max_message_size;
    std::optional<amqp::AmqpServer> amqp_server;
    std::optional<amqp::AmqpServer> amqps_server;
    std::vector<std::string> amqp_urls;
    const auto listen_amqp = [&](std::optional<amqp::AmqpServer>& server, std::uint16_t port,
                                 asio::ssl::context* context, const char* protocol,
                                 const char* scheme) {
        server.emplace(ioc, broker, amqp_limits, config.max_connections, context);
        auto listened = server->listen({address, port});
        if (!listened) {
            spdlog::error("{}", listened.error().reason);
            return false;
        }
        node.listeners.push_back({protocol, listened->address().to_string(), listened->port()});
        amqp_urls.push_back(std::string(scheme) + "://" + url_host(listened->address()) + ":" +
                            std::to_string(listened->port()));
        return true;
    };
    if (config.amqp_port != 0 &&
        !listen_amqp(amqp_server, config.amqp_port, nullptr, "amqp", "amqp")) {
        return 1;
    }
    if (config.amqps_port &&
        !listen_amqp(amqps_server, *config.amqps_port, tls.get(), "amqp/ssl", "amqps")) {
        return 1;
    }
    web::register_overview_routes(router, broker, node);
    web::register_vhost_routes(router, broker, node);
    web::register_exchange_routes(router, broker);
    web::register_queue_routes(router, broker, node);
    web::register_binding_routes(router, broker);
    web::register_connection_routes(router, broker, node);
    web::register_whoami_routes(router);
    web::PublishLimits publish_limits;
    publish_limits.max_message_size = config.max_message_size;
    web::register_publish_routes(router, broker, publish_limits);
    web::register_queue_get_routes(router, broker);
    web::register_stream_routes(router, broker);
    web::register_auth_token_routes(router, ws_tokens);
    web::register_user_routes(router, broker);
    web::register_definition_routes(router, broker);
    web::register_static_asset_routes(router, web::admin_assets());
    web::register_health_routes(router, broker, node);
    web::register_metrics_routes(
        router,
        web::MetricsSources{broker, node,
                            [&http, &https] {
                                return http.connection_count() +
                                       (https ? https->connection_count() : 0);
                            },
                            [&store] { return std::optional(app::store_metrics(**store)); }},
        config.metrics_auth);
    http.start();
    if (https) {
        https->start();
    }
    for (auto* server : {&amqp_server, &amqps_server}) {
        if (*server) {
            (*server)->start();
        }
    }

    bool stopping = false;
    asio::steady_timer broker_timer(ioc);
    asio::co_spawn(ioc, run_broker_timers(broker, clock, config.data_dir, broker_timer, stopping),
                   [](std::exception_ptr error) {
                       if (!error) {
                           return;
                       }
                       try {
                           std::rethrow_exception(error);
                       } catch (const std::exception& e) {
                           spdlog::critical("broker timers stopped: {}", e.what());
                       }
                   });

    asio::steady_timer stats_timer(ioc);
    asio::co_spawn(ioc, run_stats_sampler(broker, stats_timer, stopping), asio::detached);

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& error, int signal_number) {
        if (error) {
            return;
        }
        spdlog::info("received {}, stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
        stopping = true;
        broker_timer.cancel();
        stats_timer.cancel();
        http.close();
        if (https) {
            https->close();
        }
        for (auto* server : {&amqp_server, &amqps_server}) {
            if (*server) {
                (*server)->close();
            }
        }
    });

    spdlog::info("warren {} data dir {}, sync {}", WARREN_VERSION, config.data_dir.string(),
                 app::to_string(config.sync));
    if (https_endpoint) {
        spdlog::info("listening on https://{}:{}", url_host(https_endpoint->address()),
                     https_endpoint->port());
    }
    for (const auto& url : amqp_urls) {
        spdlog::info("listening on {}", url);
    }
    spdlog::info("listening on http://{}:{}", url_host(endpoint->address()), endpoint->port());
    ioc.run();
    // Everything the broker changed goes to the store, which commits it before closing.
    broker.flush_now();
    (*store)->close();
    spdlog::info("stopped");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    app::ensure_malloc_tuning(argv); // may re-execute warren once (app/malloc_tuning.hpp)
    auto config = app::parse_config(argc, argv, app::process_env());
    if (!config) {
        std::cerr << "warren: " << config.error().reason << "\nTry 'warren --help'.\n";
        return 2;
    }
    switch (config->action) {
    case app::Config::Action::help:
        std::cout << app::usage();
        return 0;
    case app::Config::Action::version:
        std::cout << "warren " << WARREN_VERSION << "\n";
        return 0;
    case app::Config::Action::run:
        break;
    }
    setup_logging(config->log_level);
    try {
        return run(*config);
    } catch (const std::exception& e) {
        spdlog::critical("fatal: {}", e.what());
        return 1;
    }
}
