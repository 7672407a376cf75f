#pragma once

// Broker: the one door into the core. Every protocol edge (web/ for HTTP and WebSocket, amqp/
// later) does the same few things through it: authenticate a client, declare, bind, publish and
// wait for the commit, consume with credit through a Session, settle, and read lists as value
// views. Every decision two edges would otherwise both make lives behind it: authorization (the
// caller's Principal on every call), password checks, the default user, declare semantics,
// definitions import and export, the queue behind a WebSocket exchange subscription.
//
// It never hands out a live Vhost, Queue or Connection: lists and details are value views
// (server/views.hpp), sorted, filtered and paged here (server/list_query.hpp).
//
// Errors are Result values with warren::Errc codes; an edge maps them once (web/json_error for
// HTTP, an error frame for WebSocket). Refusals: permission_denied, with RabbitMQ's sentences.
//
// Threading: not thread-safe by design. The broker and everything behind it live on one executor
// (the "core" thread, docs/architecture.md); edges call it there. No call blocks.
// Lifetime: app/ owns it; every Session must be destroyed before it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/message.hpp"
#include "server/clock.hpp"
#include "server/list_query.hpp"
#include "server/principal.hpp"
#include "server/specs.hpp"
#include "server/views.hpp"

namespace warren::storage {
class Store;
}

namespace warren::server {

class Core;
class Session;

// Runs a function later on the core executor (the journal's flush, the store's completions).
using Post = std::function<void(std::function<void()>)>;
// Told once a commit is durable, or why it failed.
using Completion = std::function<void(Result<void>)>;

// What recovery brought back, for the startup log.
struct Recovered {
    std::uint64_t messages = 0;
    std::size_t queues = 0;
};

// The operator's resource watermarks (--memory-high-watermark, --disk-free-limit).
struct ResourceLimits {
    std::uint64_t memory_limit = 0; // bytes of resident memory; 0 = no memory alarm
    std::uint64_t disk_free_limit = 0;
};

// What the host said at one moment (app/ measures; the broker decides the alarms).
struct ResourceReadings {
    std::optional<std::uint64_t> resident_memory;
    std::optional<std::uint64_t> disk_free;
};

// Which bindings a list shows. Unset fields do not filter; a set source or destination must
// exist (else not_found). The default exchange's implicit binding to every queue is listed
// wherever it matches.
struct BindingFilter {
    std::optional<std::string> vhost; // unset: every vhost the caller sees
    std::optional<std::string> source;
    std::optional<std::string> destination;
    bool to_exchange = false; // what `destination` names
};

// Which permissions a list shows.
struct PermissionFilter {
    std::optional<std::string> user;  // must exist when set
    std::optional<std::string> vhost; // must exist when set
};

// What the aliveness test found: the message went through, or why not.
struct Aliveness {
    bool alive = false;
    std::string reason;
};

// Everything GET /metrics shows, read in one pass.
struct MetricsView {
    std::vector<QueueView> queues; // without consumer details
    std::vector<ExchangeView> exchanges;
    Totals totals;
    MessageCounters counters; // node totals since start
    ResourcesView resources;
};

class Broker {
public:
    // store == nullptr: nothing is persisted (transient-only; unit tests).
    explicit Broker(Clock& clock, storage::Store* store = nullptr, Post post = {});
    ~Broker();
    Broker(const Broker&) = delete;
    Broker& operator=(const Broker&) = delete;

    // ---- lifecycle (app/) -------------------------------------------------------------------

    // Rebuilds everything durable from the store. Call once, before serving.
    Result<Recovered> recover();
    // The first start's administrator, as RabbitMQ creates guest/guest: tag administrator and
    // every permission on "/". Done only when the broker has no users; true when it was.
    bool ensure_default_user(const std::string& name, const std::string& password);
    // Users who may log in only from loopback (RabbitMQ's loopback_users); empty lifts it.
    void set_loopback_users(std::vector<std::string> users);
    // Ready messages held in memory before durable queues page to the store.
    void set_memory_budget(std::uint64_t bytes);
    void set_resource_limits(ResourceLimits limits);
    // Sets or clears the memory and disk alarms; while one is in effect publishes are refused
    // with resource_alarm (503 + Retry-After) and consumers go on. A reading left unset keeps
    // its last value and alarm.
    void report_resources(const ResourceReadings& readings);
    // Expires messages and queues; returns when it is next due. Call periodically.
    Millis run_timers();
    // Turns the counters into rates (O(objects)); call every few seconds.
    void sample_stats();
    // Hands what is pending to the store now (shutdown).
    void flush_now();

    // ---- who is asking ----------------------------------------------------------------------

    // Name and password against the stored salted hash, then the loopback rule. Errors:
    // not_authorized "Login failed" (unknown user and wrong password are not told apart), or
    // RabbitMQ's loopback sentence.
    Result<Principal> authenticate(std::string_view user, std::string_view password,
                                   bool from_loopback) const;
    // The user as it is now, for a login that was decided earlier (a WebSocket token): its
    // current tags, or not_authorized "Login failed" when it has been deleted since.
    Result<Principal> current_principal(std::string_view user) const;
    // May the caller use the vhost at all? Ok for an unknown vhost (the call's own not_found),
    // and for administrators and monitoring users, who see every vhost.
    Result<void> check_vhost_access(const Principal& who, std::string_view vhost) const;
    // May the caller do `access` on the queue or exchange (kind) `name`? Ok for an unknown
    // vhost. Every call below checks for itself; an edge asks first only to refuse early.
    Result<void> check_permission(const Principal& who, std::string_view vhost, Access access,
                                  std::string_view kind, std::string_view name) const;

    // ---- durability -------------------------------------------------------------------------

    // `done` runs once everything changed so far is committed (a publisher's confirm, the answer
    // to a durable declare), on the core executor: later, from the store's completion, or at once
    // (inside this call) when the broker has no store.
    void when_committed(Completion done);

    // ---- vhosts (changes: administrators) ---------------------------------------------------

    // The creator of a vhost gets every permission on it, as in RabbitMQ.
    Result<Declared> declare_vhost(const Principal& who, const std::string& name);
    Result<void> delete_vhost(const Principal& who, const std::string& name);
    Result<VhostView> vhost(const Principal& who, std::string_view name) const;
    Result<Page<VhostView>> list_vhosts(const Principal& who, const ListQuery& query) const;

    // ---- exchanges --------------------------------------------------------------------------

    // configure permission. Redeclaring a built-in exchange exactly as it is answers existed.
    Result<Declared> declare_exchange(const Principal& who, std::string_view vhost,
                                      const ExchangeSpec& spec);
    Result<void> delete_exchange(const Principal& who, std::string_view vhost,
                                 std::string_view name, bool if_unused);
    Result<ExchangeView> exchange(const Principal& who, std::string_view vhost,
                                  std::string_view name) const;
    // vhost unset: every vhost the caller sees.
    Result<Page<ExchangeView>> list_exchanges(const Principal& who,
                                              std::optional<std::string_view> vhost,
                                              const ListQuery& query) const;

    // ---- queues -----------------------------------------------------------------------------

    // configure permission. An exclusive queue needs a Session (Session::declare_queue).
    Result<Declared> declare_queue(const Principal& who, std::string_view vhost,
                                   const QueueSpec& spec);
    Result<void> delete_queue(const Principal& who, std::string_view vhost, std::string_view name,
                              bool if_unused, bool if_empty);
    // read permission; how many messages went.
    Result<std::uint64_t> purge_queue(const Principal& who, std::string_view vhost,
                                      std::string_view name);
    // With its consumers.
    Result<QueueView> queue(const Principal& who, std::string_view vhost,
                            std::string_view name) const;
    Result<Page<QueueView>> list_queues(const Principal& who, std::optional<std::string_view> vhost,
                                        const ListQuery& query) const;
    // read permission: up to `count` ready messages, settled by `mode`.
    Result<std::vector<GotMessage>> get(const Principal& who, std::string_view vhost,
                                        std::string_view queue, std::size_t count, GetMode mode);

    // ---- streams (DESIGN.md section 7) ------------------------------------------------------

    // A stream's log: offsets, size, retention, named consumers. Errors: not_found, bad_request
    // (a queue that is not a stream).
    Result<StreamView> stream(const Principal& who, std::string_view vhost,
                              std::string_view name) const;
    // read permission: up to `count` committed messages from `start`. `done` runs on the core
    // executor, later (inside the call only when the broker has no store).
    void read_stream(const Principal& who, std::string_view vhost, std::string_view name,
                     const StreamStart& start, std::size_t count,
                     std::function<void(Result<StreamMessages>)> done);
    // read permission: a named consumer's stored offset (not_found when it has none).
    Result<StreamConsumerView> stream_consumer(const Principal& who, std::string_view vhost,
                                               std::string_view name,
                                               std::string_view consumer) const;
    // read permission: stores a named consumer's offset (a Kafka-style commit); answer once
    // when_committed says so.
    Result<void> set_stream_offset(const Principal& who, std::string_view vhost,
                                   std::string_view name, std::string_view consumer,
                                   std::uint64_t offset);

    // ---- bindings ---------------------------------------------------------------------------

    // write on the destination, read on the source (queue.bind / exchange.bind). Ok(false):
    // it existed already / there was none.
    Result<bool> bind(const Principal& who, std::string_view vhost, const BindingSpec& binding);
    Result<bool> unbind(const Principal& who, std::string_view vhost, const BindingSpec& binding);
    // In RabbitMQ's order: vhost, source, routing key, destination kind, destination.
    Result<Page<BindingView>> list_bindings(const Principal& who, const BindingFilter& filter,
                                            const ListQuery& query) const;

    // ---- messages ---------------------------------------------------------------------------

    // write permission on the exchange. Routes and enqueues; refusals of single queues show in
    // the outcome (rejected). Errors: not_found (vhost, exchange), access_refused (internal
    // exchange), resource_alarm. A stored message is confirmed once when_committed says so.
    // A duplicate (x-message-deduplication; options.idempotency_key) is confirmed the same way
    // and not enqueued: PublishOutcome::duplicate.
    Result<PublishOutcome> publish(const Principal& who, std::string_view vhost,
                                   std::string_view exchange, MessagePtr message,
                                   const PublishOptions& options = {});
    // RabbitMQ's aliveness test: declares the transient queue "aliveness-test", publishes a
    // message to it through the default exchange and gets it back. Errors: not_found (vhost),
    // permission_denied (write on the default exchange, read on the queue).
    Result<Aliveness> check_aliveness(const Principal& who, std::string_view vhost);

    // ---- connections ------------------------------------------------------------------------

    // One client connection (a WebSocket, an AMQP connection): consumers, delivery tags,
    // exclusive queues. Destroying it closes it.
    std::unique_ptr<Session> open_session(Principal who, SessionInfo info);
    std::size_t session_count() const;
    // Channels of multiplexed connections (AMQP), for GET /api/channels; visible as connections.
    Result<Page<ChannelView>> list_channels(const Principal& who, const ListQuery& query) const;
    // Administrators and monitoring users see every connection, others their own.
    Result<Page<ConnectionView>> list_connections(const Principal& who,
                                                  const ListQuery& query) const;
    Result<Page<ConsumerView>> list_consumers(const Principal& who,
                                              std::optional<std::string_view> vhost,
                                              const ListQuery& query) const;

    // ---- users and permissions (administrators) ----------------------------------------------

    Result<Declared> put_user(const Principal& who, const UserSpec& spec);
    // The user's open connections, of every protocol, are asked to close at once (RabbitMQ does
    // so since 3.7): Session::on_close_request.
    Result<void> delete_user(const Principal& who, std::string_view name);
    // Absent names are ignored; the names are checked first, then all go in one commit.
    Result<void> delete_users(const Principal& who, const std::vector<std::string>& names);
    Result<User> user(const Principal& who, std::string_view name) const;
    Result<Page<User>> list_users(const Principal& who, const ListQuery& query,
                                  bool without_permissions = false) const;
    // Errors: bad_request "vhost_or_user_not_found: ...", or a regex that does not compile.
    Result<Declared> set_permission(const Principal& who, const Permission& permission);
    Result<void> clear_permission(const Principal& who, std::string_view user,
                                  std::string_view vhost);
    Result<Permission> permission(const Principal& who, std::string_view user,
                                  std::string_view vhost) const;
    Result<Page<Permission>> list_permissions(const Principal& who, const PermissionFilter& filter,
                                              const ListQuery& query) const;

    // ---- definitions (administrators) -------------------------------------------------------

    // Everything durable that can be declared again (no built-in exchanges, exclusive queues or
    // implicit bindings); one vhost's exchanges, queues and bindings when `vhost` is set.
    Result<Definitions> export_definitions(const Principal& who,
                                           std::optional<std::string_view> vhost) const;
    // Checks the whole document first (names, vhosts that exist or are in it, users of
    // permissions, regexes, hashes) and changes nothing when any of it is wrong; then declares
    // in dependency order, keeping what exists. With `vhost`, only its exchanges, queues and
    // bindings (the items name no vhost).
    Result<void> import_definitions(const Principal& who, const Definitions& definitions,
                                    std::optional<std::string_view> vhost);

    // ---- monitoring -------------------------------------------------------------------------

    OverviewView overview() const;
    ResourcesView resources() const;
    MetricsView metrics() const;

    // The state behind the facade, for the core's own unit tests.
    Core& core_for_test() { return *core_; }

private:
    friend class Session;

    Result<Declared> declare_queue_owned(const Principal& who, std::string_view vhost,
                                         const QueueSpec& spec, std::uint64_t owner,
                                         bool server_named = false);
    Result<void> check_binding(const Principal& who, std::string_view vhost,
                               const BindingSpec& binding) const;
    void close_connections_of_deleted(std::string_view user);

    std::unique_ptr<Core> core_;
};

} // namespace warren::server
