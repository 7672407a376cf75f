// The Broker facade as an edge sees it: only server/broker.hpp and server/session.hpp, no
// sockets. Authorization decided in the core, lists sorted, filtered and paged in the core,
// sessions that consume and settle, definitions planned before they change anything, alarms
// from host readings, and the login rules.

#include <gtest/gtest.h>

#include "server/broker.hpp"
#include "server/session.hpp"

namespace warren::server {
namespace {

class Recorder : public DeliverySink {
public:
    bool ready() const override { return true; }
    void deliver(const Delivery& d) override {
        tags.push_back(d.delivery_tag);
        bodies.push_back(*d.message->body);
    }
    std::vector<std::uint64_t> tags;
    std::vector<std::string> bodies;
};

class BrokerFacade : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(broker.ensure_default_user("admin", "secret"));
        admin = *broker.authenticate("admin", "secret", true);
    }

    // A user with the given permissions on "/" (and a management tag).
    Principal user(const std::string& name, std::string configure, std::string write,
                   std::string read) {
        EXPECT_TRUE(broker.put_user(admin, UserSpec{name, {"management"}, "pw", {}, {}}));
        EXPECT_TRUE(broker.set_permission(
            admin, Permission{name, "/", std::move(configure), std::move(write), std::move(read)}));
        return *broker.authenticate(name, "pw", true);
    }

    void declare(const std::string& queue) {
        QueueSpec spec;
        spec.name = queue;
        ASSERT_TRUE(broker.declare_queue(admin, "/", spec));
    }

    MessagePtr message(const std::string& key, const std::string& body) {
        return make_message("", key, {}, body);
    }

    static std::vector<std::string> names(const Page<QueueView>& page) {
        std::vector<std::string> out;
        for (const auto& q : page.items) {
            out.push_back(q.name);
        }
        return out;
    }

    FakeClock clock;
    Broker broker{clock};
    Principal admin;
};

TEST_F(BrokerFacade, TheDefaultUserIsMadeOnceAndLogsIn) {
    EXPECT_FALSE(broker.ensure_default_user("other", "x")); // users exist now
    EXPECT_EQ(admin.name, "admin");
    EXPECT_TRUE(admin.has_tag("administrator"));
    EXPECT_TRUE(broker.permission(admin, "admin", "/"));
    auto wrong = broker.authenticate("admin", "nope", true);
    ASSERT_FALSE(wrong);
    EXPECT_EQ(wrong.error(), (Error{Errc::not_authorized, "Login failed"}));
    auto unknown = broker.authenticate("nobody", "secret", true);
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error(), wrong.error()); // unknown users and wrong passwords look alike
}

TEST_F(BrokerFacade, LoopbackUsersLogInOnlyFromLoopback) {
    broker.set_loopback_users({"admin"});
    EXPECT_TRUE(broker.authenticate("admin", "secret", true));
    auto remote = broker.authenticate("admin", "secret", false);
    ASSERT_FALSE(remote);
    EXPECT_EQ(remote.error().reason, kLoopbackOnlyReason);
    broker.set_loopback_users({});
    EXPECT_TRUE(broker.authenticate("admin", "secret", false));
}

TEST_F(BrokerFacade, PermissionsAreDecidedInTheCoreWithRabbitMqsSentences) {
    const Principal reader = user("reader", "^$", "^$", ".*");
    QueueSpec spec;
    spec.name = "orders";
    auto refused = broker.declare_queue(reader, "/", spec);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::permission_denied);
    EXPECT_EQ(refused.error().reason, "ACCESS_REFUSED - configure access to queue 'orders' in "
                                      "vhost '/' refused for user 'reader'");
    declare("orders");
    auto publish = broker.publish(reader, "/", "", message("orders", "x"));
    ASSERT_FALSE(publish);
    EXPECT_EQ(publish.error().reason, "ACCESS_REFUSED - write access to exchange 'amq.default' "
                                      "in vhost '/' refused for user 'reader'");
    EXPECT_TRUE(broker.get(reader, "/", "orders", 1, GetMode::ack_requeue_true));
    // Administration needs the administrator tag, whatever the permissions.
    auto vhost = broker.declare_vhost(reader, "shop");
    ASSERT_FALSE(vhost);
    EXPECT_EQ(vhost.error().reason, "Not administrator user");
    EXPECT_FALSE(broker.list_users(reader, {}));
}

TEST_F(BrokerFacade, AVhostWithoutPermissionsIsClosedButAdministratorsSeeAll) {
    ASSERT_TRUE(broker.declare_vhost(admin, "shop"));
    const Principal stranger = user("stranger", ".*", ".*", ".*"); // on "/" only
    auto gate = broker.check_vhost_access(stranger, "shop");
    ASSERT_FALSE(gate);
    EXPECT_EQ(gate.error().reason, "User not authorised to access virtual host");
    EXPECT_TRUE(broker.check_vhost_access(admin, "shop"));
    EXPECT_TRUE(broker.check_vhost_access(stranger, "no-such-vhost")); // the call's own 404
    auto listed = broker.list_vhosts(stranger, {});
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->items.size(), 1u);
    EXPECT_EQ(listed->items[0].name, "/");
    EXPECT_EQ(broker.list_vhosts(admin, {})->items.size(), 2u);
}

TEST_F(BrokerFacade, ListsAreFilteredSortedAndPagedInTheCore) {
    for (const char* name : {"b-orders", "a-orders", "c-payments", "d-orders"}) {
        declare(name);
    }
    ASSERT_TRUE(broker.publish(admin, "/", "", message("c-payments", "1")));
    ASSERT_TRUE(broker.publish(admin, "/", "", message("c-payments", "2")));
    ASSERT_TRUE(broker.publish(admin, "/", "", message("a-orders", "3")));

    EXPECT_EQ(names(*broker.list_queues(admin, std::nullopt, {})),
              (std::vector<std::string>{"a-orders", "b-orders", "c-payments", "d-orders"}));

    ListQuery by_depth;
    by_depth.sort = "messages";
    by_depth.sort_reverse = true;
    EXPECT_EQ(names(*broker.list_queues(admin, "/", by_depth)),
              (std::vector<std::string>{"c-payments", "a-orders", "b-orders", "d-orders"}));

    ListQuery filtered;
    filtered.name = "ORDERS"; // case-insensitive substring
    filtered.page = 2;
    filtered.page_size = 2;
    auto page = broker.list_queues(admin, "/", filtered);
    ASSERT_TRUE(page);
    EXPECT_EQ(names(*page), std::vector<std::string>{"d-orders"});
    EXPECT_EQ(page->total_count, 4u);
    EXPECT_EQ(page->filtered_count, 3u);
    EXPECT_EQ(page->page_count, 2u);

    ListQuery regex;
    regex.name = "^[ab]-";
    regex.use_regex = true;
    EXPECT_EQ(names(*broker.list_queues(admin, "/", regex)),
              (std::vector<std::string>{"a-orders", "b-orders"}));
    regex.name = "(";
    auto bad = broker.list_queues(admin, "/", regex);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, Errc::bad_request);

    ListQuery too_far;
    too_far.page = 9;
    auto out_of_range = broker.list_queues(admin, "/", too_far);
    ASSERT_FALSE(out_of_range);
    EXPECT_TRUE(out_of_range.error().reason.starts_with(kPageOutOfRangeReason));

    // Found by fuzz/list_query (fuzz/regressions/list_query/page_size_zero): a page size of 0
    // divided by zero. The HTTP edge refuses these first; the facade must too.
    for (auto [number, size] : {std::pair<std::uint64_t, std::uint64_t>{1, 0},
                                {0, 10},
                                {1, kMaxPageSize + 1},
                                {2, UINT64_MAX}}) {
        ListQuery invalid;
        invalid.page = number;
        invalid.page_size = size;
        auto refused = broker.list_queues(admin, "/", invalid);
        ASSERT_FALSE(refused) << number << " " << size;
        EXPECT_TRUE(refused.error().reason.starts_with(kInvalidPaginationReason));
    }

    auto unknown = broker.list_queues(admin, "nowhere", {});
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error().code, Errc::not_found);
}

TEST_F(BrokerFacade, APageOfAHundredOutOfTenThousandBuildsAHundredViews) {
    for (int i = 0; i < 10000; ++i) {
        declare("queue-" + std::to_string(10000 + i));
    }
    ListQuery query;
    query.page = 37;
    query.page_size = 100;
    auto page = broker.list_queues(admin, "/", query);
    ASSERT_TRUE(page);
    ASSERT_EQ(page->items.size(), 100u);
    EXPECT_EQ(page->items.front().name, "queue-13600");
    EXPECT_EQ(page->total_count, 10000u);
    EXPECT_EQ(page->page_count, 100u);
}

TEST_F(BrokerFacade, SortingByAnArgumentUsesErlangTermOrder) {
    QueueSpec spec;
    for (auto [name, length] : {std::pair{"x", 30}, std::pair{"y", 10}, std::pair{"z", 20}}) {
        spec.name = name;
        spec.arguments = {{"x-max-length", length}};
        ASSERT_TRUE(broker.declare_queue(admin, "/", spec));
    }
    spec.name = "w"; // no argument: 'undefined' sorts after numbers
    spec.arguments = {};
    ASSERT_TRUE(broker.declare_queue(admin, "/", spec));
    ListQuery query;
    query.sort = "arguments.x-max-length";
    EXPECT_EQ(names(*broker.list_queues(admin, "/", query)),
              (std::vector<std::string>{"y", "z", "x", "w"}));
}

TEST_F(BrokerFacade, ViewsAreCopiesOfTheStateAtTheCall) {
    declare("orders");
    auto before = broker.queue(admin, "/", "orders");
    ASSERT_TRUE(before);
    ASSERT_TRUE(broker.publish(admin, "/", "", message("orders", "a")));
    EXPECT_EQ(before->messages_ready, 0u);
    auto after = broker.queue(admin, "/", "orders");
    EXPECT_EQ(after->messages_ready, 1u);
    EXPECT_EQ(after->counters.publish, 1u);
    auto missing = broker.queue(admin, "/", "nope");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, Errc::not_found);
}

TEST_F(BrokerFacade, BindingListsIncludeTheImplicitDefaultExchangeBinding) {
    declare("orders");
    ExchangeSpec events;
    events.name = "events";
    events.type = "topic";
    ASSERT_TRUE(broker.declare_exchange(admin, "/", events));
    ASSERT_TRUE(broker.bind(admin, "/", BindingSpec{"events", "orders", false, "order.*", {}}));
    BindingFilter to_orders;
    to_orders.vhost = "/";
    to_orders.destination = "orders";
    auto bindings = broker.list_bindings(admin, to_orders, {});
    ASSERT_TRUE(bindings);
    ASSERT_EQ(bindings->items.size(), 2u);
    EXPECT_EQ(bindings->items[0].binding, (BindingSpec{"", "orders", false, "orders", {}}));
    EXPECT_EQ(bindings->items[1].binding.routing_key, "order.*");
    BindingFilter from_missing;
    from_missing.vhost = "/";
    from_missing.source = "missing";
    auto none = broker.list_bindings(admin, from_missing, {});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, Errc::not_found);
    auto bad_type =
        broker.declare_exchange(admin, "/", ExchangeSpec{"x", "nope", true, {}, {}, {}});
    ASSERT_FALSE(bad_type);
    EXPECT_EQ(bad_type.error().reason, "unknown exchange type 'nope'");
}

TEST_F(BrokerFacade, ASessionConsumesSettlesAndRequeuesWhenItCloses) {
    declare("work");
    const Principal worker = user("worker", "", ".*", ".*");
    Recorder sink;
    {
        auto session = broker.open_session(worker, SessionInfo{"c1", "test", "10.0.0.1", 5000, 1});
        EXPECT_EQ(broker.session_count(), 1u);
        ConsumeOptions options;
        options.prefetch = 10;
        auto tag = session->consume("/", "work", options, sink);
        ASSERT_TRUE(tag);
        ASSERT_TRUE(session->publish("/", "", message("work", "one")));
        ASSERT_TRUE(session->publish("/", "", message("work", "two")));
        ASSERT_EQ(sink.bodies, (std::vector<std::string>{"one", "two"}));
        ASSERT_TRUE(session->ack(sink.tags[0], false));
        auto unknown = session->ack(999, false);
        ASSERT_FALSE(unknown);
        EXPECT_EQ(unknown.error().reason, "unknown delivery tag 999");

        auto connections = broker.list_connections(admin, {});
        ASSERT_EQ(connections->items.size(), 1u);
        EXPECT_EQ(connections->items[0].user, "worker");
        EXPECT_EQ(connections->items[0].peer_host, "10.0.0.1");
        auto consumers = broker.list_consumers(admin, "/", {});
        ASSERT_EQ(consumers->items.size(), 1u);
        EXPECT_EQ(consumers->items[0].tag, *tag);
        // Others see only their own connections.
        const Principal other = user("other", "", "", "");
        EXPECT_TRUE(broker.list_connections(other, {})->items.empty());
    }
    EXPECT_EQ(broker.session_count(), 0u);
    auto queue = broker.queue(admin, "/", "work");
    EXPECT_EQ(queue->messages_ready, 1u); // "two" went back
    EXPECT_EQ(queue->messages_unacknowledged, 0u);
}

// AMQP's channels: a Session per channel under the connection's Session (SessionInfo::parent).
TEST_F(BrokerFacade, ChannelsShareTheirConnectionsExclusiveQueuesAndCountAsChannels) {
    const Principal worker = user("worker", ".*", ".*", ".*");
    auto connection = broker.open_session(worker, SessionInfo{"c1", "AMQP 0-9-1", "", 0, 0});
    SessionInfo channel_info{"c1 (1)", "AMQP 0-9-1", "", 0, 1};
    channel_info.parent = connection->id();
    auto one = broker.open_session(worker, channel_info);
    auto two = broker.open_session(worker, channel_info);
    auto stranger = broker.open_session(worker, SessionInfo{"c2", "AMQP 0-9-1", "", 0, 1});

    QueueSpec reply{"reply", false, true, false, {}};
    ASSERT_EQ(*one->declare_queue("/", reply), Declared::created);
    Recorder sink;
    // Declared on channel 1, consumed and redeclared on channel 2: the same connection.
    ASSERT_TRUE(two->consume("/", "reply", ConsumeOptions{}, sink));
    EXPECT_EQ(*two->declare_queue("/", reply), Declared::existed);
    auto locked = stranger->consume("/", "reply", ConsumeOptions{}, sink);
    ASSERT_FALSE(locked);
    EXPECT_EQ(locked.error().code, Errc::resource_locked);
    // A non-exclusive queue declared over a channel belongs to nobody.
    ASSERT_EQ(*one->declare_queue("/", QueueSpec{"shared", false, false, false, {}}),
              Declared::created);
    ASSERT_TRUE(stranger->consume("/", "shared", ConsumeOptions{}, sink));

    const auto overview = broker.overview();
    EXPECT_EQ(overview.totals.connections, 2u);
    EXPECT_EQ(overview.totals.channels, 3u); // two channels of c1, c2's one
    const auto connections = broker.list_connections(admin, {});
    ASSERT_EQ(connections->items.size(), 2u);
    EXPECT_EQ(connections->items[0].name, "c1");
    EXPECT_EQ(connections->items[0].channels, 2u);
    EXPECT_EQ(connections->items[0].consumers, 1u); // channel 2's, counted for its connection
    const auto channels = broker.list_channels(admin, {});
    ASSERT_EQ(channels->items.size(), 2u);
    EXPECT_EQ(channels->items[0].connection_name, "c1");
    EXPECT_EQ(channels->items[1].consumers, 1u);
    // Consumers of channels are listed like any others.
    EXPECT_EQ(broker.list_consumers(admin, "/", {})->items.size(), 2u);

    one.reset(); // the channel that declared it closes: the queue stays with the connection
    EXPECT_TRUE(broker.queue(admin, "/", "reply"));
    two.reset();
    connection.reset();
    EXPECT_FALSE(broker.queue(admin, "/", "reply"));
}

TEST_F(BrokerFacade, AnExchangeSubscriptionHasAQueueOfItsOwnThatGoesWithIt) {
    ExchangeSpec events;
    events.name = "events";
    events.type = "fanout";
    ASSERT_TRUE(broker.declare_exchange(admin, "/", events));
    const Principal listener = user("listener", "", "", "^events$");
    Recorder sink;
    auto session = broker.open_session(listener, SessionInfo{"c1", "test", "", 0, 1});
    ConsumeOptions options;
    options.tag = "s1";
    options.auto_ack = true;
    auto queue = session->subscribe_exchange("/", "events", "", {}, options, sink);
    ASSERT_TRUE(queue) << queue.error().reason;
    EXPECT_TRUE(queue->starts_with("amq.gen-")) << *queue; // RabbitMQ's form
    ASSERT_TRUE(broker.publish(admin, "/", "events", message("", "hello")));
    EXPECT_EQ(sink.bodies, std::vector<std::string>{"hello"});
    auto view = broker.queue(admin, "/", *queue);
    ASSERT_TRUE(view);
    EXPECT_TRUE(view->exclusive);
    ASSERT_TRUE(session->cancel("s1"));
    EXPECT_FALSE(broker.queue(admin, "/", *queue)); // auto-deleted with its consumer
    auto refused = session->subscribe_exchange("/", "amq.topic", "#", {}, options, sink);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::permission_denied);
}

TEST_F(BrokerFacade, DeletingAUserAsksEachOfItsSessionsToCloseAndRefusesItsLogins) {
    const Principal gone = user("gone", ".*", ".*", ".*");
    const Principal stays = user("stays", ".*", ".*", ".*");
    std::vector<std::string> asked;
    auto first = broker.open_session(gone, SessionInfo{"c1", "test", "", 0, 1});
    auto second = broker.open_session(gone, SessionInfo{"c2", "test", "", 0, 1});
    auto other = broker.open_session(stays, SessionInfo{"c3", "test", "", 0, 1});
    for (auto* s : {first.get(), second.get(), other.get()}) {
        s->on_close_request([&asked, s](const std::string& reason) {
            asked.push_back(s->info().name + ": " + reason);
        });
    }
    ASSERT_TRUE(broker.current_principal("gone"));
    ASSERT_TRUE(broker.delete_user(admin, "gone"));
    EXPECT_EQ(asked, (std::vector<std::string>{"c1: user 'gone' was deleted",
                                               "c2: user 'gone' was deleted"}));
    EXPECT_EQ(broker.current_principal("gone").error().code, Errc::not_authorized);
    EXPECT_EQ(broker.current_principal("stays")->name, "stays");
    // Its sessions can no longer do anything in the vhost meanwhile.
    QueueSpec spec;
    spec.name = "q";
    EXPECT_EQ(first->declare_queue("/", spec).error().code, Errc::permission_denied);
}

TEST_F(BrokerFacade, AHostPastItsWatermarksRaisesAlarmsThatRefusePublishes) {
    declare("q");
    broker.set_resource_limits(ResourceLimits{100u << 20, 50u << 20});
    broker.report_resources(ResourceReadings{200u << 20, 10u << 20});
    ResourcesView resources = broker.resources();
    ASSERT_TRUE(resources.memory_alarm);
    EXPECT_EQ(*resources.memory_alarm,
              "memory alarm: the broker uses 200 MiB, past its high watermark of 100 MiB");
    ASSERT_TRUE(resources.disk_alarm);
    auto refused = broker.publish(admin, "/", "", message("q", "x"));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::resource_alarm);
    broker.report_resources(ResourceReadings{1u << 20, 60u << 20});
    resources = broker.resources();
    EXPECT_FALSE(resources.memory_alarm);
    EXPECT_FALSE(resources.disk_alarm);
    EXPECT_EQ(resources.resident_memory, 1u << 20);
    EXPECT_TRUE(broker.publish(admin, "/", "", message("q", "x")));
}

// AMQP's connection.blocked / unblocked: a session that asked hears when publishing starts to
// be refused (every alarm's reason) and when the last alarm clears, once per change.
TEST_F(BrokerFacade, ASessionHearsWhenAlarmsBeginAndEnd) {
    broker.set_resource_limits(ResourceLimits{100u << 20, 50u << 20});
    auto session = broker.open_session(admin, SessionInfo{"c1", "AMQP 0-9-1", "", 0, 0});
    std::vector<std::vector<std::string>> heard;
    session->on_alarm([&](const std::vector<std::string>& alarms) { heard.push_back(alarms); });
    broker.report_resources(ResourceReadings{1u << 20, 60u << 20});
    EXPECT_TRUE(heard.empty()); // nothing changed
    broker.report_resources(ResourceReadings{1u << 20, 10u << 20});
    ASSERT_EQ(heard.size(), 1u);
    ASSERT_EQ(heard[0].size(), 1u);
    EXPECT_TRUE(heard[0][0].starts_with("disk alarm")) << heard[0][0];
    broker.report_resources(ResourceReadings{200u << 20, 10u << 20});
    EXPECT_EQ(heard.size(), 1u); // still blocked: no second notice
    broker.report_resources(ResourceReadings{1u << 20, 60u << 20});
    ASSERT_EQ(heard.size(), 2u);
    EXPECT_TRUE(heard[1].empty()); // unblocked
}

// basic.qos global=true: the channel's consumers share one limit of unacked deliveries; an ack
// on one queue lets a consumer of another take the room.
TEST_F(BrokerFacade, AChannelPrefetchIsSharedByItsConsumers) {
    declare("a");
    declare("b");
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(broker.publish(admin, "/", "", message("a", "a" + std::to_string(i))));
        ASSERT_TRUE(broker.publish(admin, "/", "", message("b", "b" + std::to_string(i))));
    }
    auto session = broker.open_session(admin, SessionInfo{"c1", "test", "", 0, 1});
    ChannelSettings settings;
    settings.global_prefetch = 3;
    session->set_channel_settings(settings);
    Recorder sink;
    ASSERT_TRUE(session->consume("/", "a", {}, sink));
    ASSERT_TRUE(session->consume("/", "b", {}, sink));
    EXPECT_EQ(sink.bodies.size(), 3u);
    ASSERT_TRUE(session->ack(sink.tags[0], false));
    EXPECT_EQ(sink.bodies.size(), 4u);
    settings.global_prefetch = 0; // lifted: everything flows
    session->set_channel_settings(settings);
    EXPECT_EQ(sink.bodies.size(), 10u);
}

// Consumer priorities (x-priority): the highest-priority consumers with credit get the messages,
// round-robin among themselves; a lower one only while every higher one is blocked.
TEST_F(BrokerFacade, HigherPriorityConsumersGoFirstWhileTheyHaveCredit) {
    declare("work");
    auto session = broker.open_session(admin, SessionInfo{"c1", "test", "", 0, 1});
    Recorder low;
    Recorder high_a;
    Recorder high_b;
    ConsumeOptions options;
    options.prefetch = 2;
    options.tag = "low";
    ASSERT_TRUE(session->consume("/", "work", options, low));
    options.priority = 5;
    options.tag = "high-a";
    ASSERT_TRUE(session->consume("/", "work", options, high_a));
    options.tag = "high-b";
    ASSERT_TRUE(session->consume("/", "work", options, high_b));
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(broker.publish(admin, "/", "", message("work", std::to_string(i))));
    }
    // The two high ones share the first four (round-robin), then both are full: the fifth
    // goes to the low one.
    EXPECT_EQ(high_a.bodies, (std::vector<std::string>{"0", "2"}));
    EXPECT_EQ(high_b.bodies, (std::vector<std::string>{"1", "3"}));
    EXPECT_EQ(low.bodies, (std::vector<std::string>{"4"}));
    ASSERT_TRUE(session->ack(high_a.tags[0], false));
    ASSERT_TRUE(broker.publish(admin, "/", "", message("work", "5")));
    EXPECT_EQ(high_a.bodies.back(), "5"); // room again at the top
    auto consumers = broker.list_consumers(admin, "/", {});
    ASSERT_TRUE(consumers);
    EXPECT_EQ(consumers->items.size(), 3u);
}

// Server-named queues take RabbitMQ's reserved prefix, which a client's own declare may not.
TEST_F(BrokerFacade, ServerNamedQueuesAreAmqGenAndTheirPrefixIsReserved) {
    auto session = broker.open_session(admin, SessionInfo{"c1", "AMQP 0-9-1", "", 0, 0});
    QueueSpec spec;
    spec.durable = false;
    spec.exclusive = true;
    auto named = session->declare_server_named("/", spec);
    ASSERT_TRUE(named) << named.error().reason;
    EXPECT_TRUE(named->starts_with("amq.gen-"));
    EXPECT_EQ(named->size(), std::string("amq.gen-").size() + 22);
    EXPECT_NE(*session->declare_server_named("/", spec), *named);
    spec.name = "amq.gen-mine";
    auto refused = session->declare_queue("/", spec);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::access_refused);
}

TEST_F(BrokerFacade, ABadDefinitionsDocumentChangesNothing) {
    Definitions doc;
    doc.vhosts = {"shop"};
    doc.queues = {{"shop", QueueSpec{"orders", true, false, false, {}}}};
    doc.permissions = {Permission{"ghost", "shop", ".*", ".*", ".*"}};
    auto refused = broker.import_definitions(admin, doc, std::nullopt);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().reason,
              "permissions[0]: vhost_or_user_not_found: user 'ghost', vhost 'shop'");
    EXPECT_FALSE(broker.vhost(admin, "shop")); // nothing went in

    doc.permissions.clear();
    doc.users = {UserSpec{"ghost", {"management"}, "pw", {}, {}}};
    doc.permissions = {Permission{"ghost", "shop", ".*", ".*", ".*"}};
    ASSERT_TRUE(broker.import_definitions(admin, doc, std::nullopt));
    EXPECT_TRUE(broker.queue(admin, "shop", "orders"));
    EXPECT_TRUE(broker.authenticate("ghost", "pw", true));

    auto exported = broker.export_definitions(admin, "shop");
    ASSERT_TRUE(exported);
    ASSERT_EQ(exported->queues.size(), 1u);
    EXPECT_EQ(exported->queues[0].second.name, "orders");
    EXPECT_TRUE(exported->users.empty()); // a per-vhost export has no users
    EXPECT_EQ(broker.export_definitions(admin, std::nullopt)->users.size(), 2u);
}

TEST_F(BrokerFacade, AlivenessGoesThroughAQueueAndIsRefusedWithoutPermission) {
    auto alive = broker.check_aliveness(admin, "/");
    ASSERT_TRUE(alive);
    EXPECT_TRUE(alive->alive) << alive->reason;
    const Principal nobody = user("nobody", "", "", "");
    auto refused = broker.check_aliveness(nobody, "/");
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, Errc::permission_denied);
    EXPECT_EQ(broker.check_aliveness(admin, "nowhere").error().code, Errc::not_found);
}

} // namespace
} // namespace warren::server
