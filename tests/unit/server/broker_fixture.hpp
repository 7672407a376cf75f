#pragma once

// BrokerTest: a Core on a fake clock, driven directly (no sockets), with sinks that record
// what they were given.

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "server/broker.hpp"
#include "server/connection.hpp"
#include "server/core.hpp"
#include "server/vhost.hpp"

namespace warren::server::testing {

struct Received {
    std::string consumer_tag;
    std::uint64_t tag = 0;
    bool redelivered = false;
    std::uint32_t delivery_count = 0;
    MessagePtr message;
    std::string body() const { return *message->body; }
};

class RecordingSink : public DeliverySink {
public:
    bool ready() const override { return ready_; }
    void deliver(const Delivery& d) override {
        got.push_back(Received{std::string(d.consumer_tag), d.delivery_tag, d.redelivered,
                               d.delivery_count, d.message});
    }
    void cancelled(std::string_view tag) override { cancelled_tags.emplace_back(tag); }

    std::vector<std::string> bodies() const {
        std::vector<std::string> out;
        for (const auto& r : got) {
            out.push_back(r.body());
        }
        return out;
    }

    bool ready_ = true;
    std::vector<Received> got;
    std::vector<std::string> cancelled_tags;
};

class BrokerTest : public ::testing::Test {
protected:
    void declare_queue(const std::string& name, boost::json::object arguments = {},
                       bool auto_delete = false) {
        QueueSpec spec;
        spec.name = name;
        spec.arguments = std::move(arguments);
        spec.auto_delete = auto_delete;
        auto r = broker.declare_queue("/", spec);
        ASSERT_TRUE(r.has_value()) << r.error().reason;
    }

    void declare_exchange(const std::string& name, routing::ExchangeType type) {
        ExchangeSpec spec;
        spec.name = name;
        spec.type = std::string(routing::to_string(type));
        auto r = broker.declare_exchange("/", spec);
        ASSERT_TRUE(r.has_value()) << r.error().reason;
    }

    void bind(const std::string& source, const std::string& queue, const std::string& key) {
        auto r =
            broker.bind("/", routing::Binding{source, routing::Destination::queue(queue), key, {}});
        ASSERT_TRUE(r.has_value()) << r.error().reason;
    }

    PublishOutcome publish(const std::string& exchange, const std::string& key,
                           const std::string& body, Properties props = {}) {
        auto r = broker.publish("/", exchange, make_message(exchange, key, props, body));
        EXPECT_TRUE(r.has_value()) << r.error().reason;
        return r ? *r : PublishOutcome{};
    }

    // Publishes through the default exchange straight to `queue`.
    void send(const std::string& queue, const std::string& body, Properties props = {}) {
        EXPECT_TRUE(publish("", queue, body, std::move(props)).routed);
    }

    std::shared_ptr<Queue> queue(const std::string& name) {
        return broker.find_vhost("/")->find_queue(name);
    }

    std::string consume(Connection& c, const std::string& queue, DeliverySink& sink,
                        std::uint32_t prefetch = 0, bool auto_ack = false) {
        ConsumeOptions options;
        options.prefetch = prefetch;
        options.auto_ack = auto_ack;
        auto r = c.consume("/", queue, options, sink);
        EXPECT_TRUE(r.has_value()) << r.error().reason;
        return r ? *r : std::string();
    }

    FakeClock clock;
    // The facade, for tests of what edges see; `broker` is the core behind it, for tests of the
    // core's own rules.
    Broker facade{clock};
    Core& broker = facade.core_for_test();
};

} // namespace warren::server::testing
