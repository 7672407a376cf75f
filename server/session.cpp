// Session: a client connection's door into the core; the Connection behind it owns the
// consumers, delivery tags and exclusive queues.

#include "server/session.hpp"

#include <array>

#include <openssl/rand.h>

#include "server/broker.hpp"
#include "server/connection.hpp"
#include "server/core.hpp"
#include "server/view_builders.hpp"

namespace warren::server {

namespace {

// `prefix` + 128 random bits in URL-safe base64 (22 characters), as RabbitMQ names server-named
// queues ("amq.gen-..."; its users' own declares may not use the "amq." prefix).
Result<std::string> generated_queue_name(std::string_view prefix) {
    std::array<unsigned char, 16> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        return make_error(Errc::internal, "cannot name a queue: the random source failed");
    }
    static constexpr char kDigits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string name(prefix);
    std::uint32_t bits = 0;
    int held = 0;
    for (unsigned char b : bytes) {
        bits = (bits << 8) | b;
        held += 8;
        while (held >= 6) {
            held -= 6;
            name += kDigits[(bits >> held) & 0x3f];
        }
    }
    if (held > 0) {
        name += kDigits[(bits << (6 - held)) & 0x3f];
    }
    return name;
}

} // namespace

Session::Session(Broker& broker, Principal principal, SessionInfo info)
    : broker_(broker), principal_(std::move(principal)), info_(std::move(info)),
      connection_(broker.core_->open_connection(info_, principal_.name)) {}

Session::~Session() {
    connection_.reset(); // closes: consumers cancelled, unacked requeued, exclusive queues go
}

void Session::on_close_request(CloseRequest request) {
    connection_->on_close_request(std::move(request));
}

std::uint64_t Session::id() const {
    return connection_->id();
}

Result<Declared> Session::declare_queue(std::string_view vhost, const QueueSpec& spec) {
    // Who asks, so that redeclaring its own exclusive queue is not refused as locked.
    return broker_.declare_queue_owned(principal_, vhost, spec, connection_->owner_id());
}

Result<std::optional<GotDelivery>> Session::get(std::string_view vhost, std::string_view queue,
                                                bool auto_ack) {
    if (auto ok = broker_.check_permission(principal_, vhost, Access::read, "queue", queue); !ok) {
        return ok.error();
    }
    return connection_->get(vhost, queue, auto_ack);
}

Result<std::string> Session::declare_server_named(std::string_view vhost, QueueSpec spec,
                                                  std::string_view prefix) {
    auto name = generated_queue_name(prefix);
    if (!name) {
        return name.error();
    }
    spec.name = *name;
    if (auto declared =
            broker_.declare_queue_owned(principal_, vhost, spec, connection_->owner_id(), true);
        !declared) {
        return declared.error();
    }
    return std::move(spec.name);
}

void Session::set_channel_settings(const ChannelSettings& settings) {
    connection_->set_settings(settings);
}

void Session::on_alarm(AlarmListener listener) {
    connection_->on_alarm(std::move(listener));
}

Result<PublishOutcome> Session::publish(std::string_view vhost, std::string_view exchange,
                                        MessagePtr message, const PublishOptions& options) {
    return broker_.core_->publish(principal_, vhost, exchange, std::move(message), options);
}

Result<std::string> Session::consume(std::string_view vhost, std::string_view queue,
                                     ConsumeOptions options, DeliverySink& sink) {
    if (auto ok = broker_.check_permission(principal_, vhost, Access::read, "queue", queue); !ok) {
        return ok.error();
    }
    return connection_->consume(vhost, queue, std::move(options), sink);
}

// The queue is the session's own, so declaring and binding it needs no configure or write
// permission of the caller: read on the exchange is what subscribing to it takes.
Result<std::string> Session::subscribe_exchange(std::string_view vhost, std::string_view exchange,
                                                std::string_view binding_key,
                                                const boost::json::object& arguments,
                                                ConsumeOptions options, DeliverySink& sink) {
    if (auto ok = broker_.check_permission(principal_, vhost, Access::read, "exchange", exchange);
        !ok) {
        return ok.error();
    }
    auto name = generated_queue_name("amq.gen-");
    if (!name) {
        return name.error();
    }
    Core& core = *broker_.core_;
    QueueSpec spec;
    spec.name = *name;
    spec.durable = false;
    spec.exclusive = true;
    spec.auto_delete = true;
    if (auto declared = core.declare_queue(vhost, spec, id(), true); !declared) {
        return declared.error();
    }
    const BindingSpec binding{std::string(exchange), *name, false, std::string(binding_key),
                              arguments};
    if (auto bound = core.bind(vhost, routing_binding(binding)); !bound) {
        (void)core.delete_queue(vhost, *name, false, false);
        return bound.error();
    }
    if (auto consumed = connection_->consume(vhost, *name, std::move(options), sink); !consumed) {
        (void)core.delete_queue(vhost, *name, false, false);
        return consumed.error();
    }
    return name;
}

Result<std::vector<std::string>>
Session::subscribe_group(std::string_view vhost, std::string_view exchange, std::string_view group,
                         ConsumeOptions options, DeliverySink& sink) {
    if (auto ok = broker_.check_permission(principal_, vhost, Access::read, "exchange", exchange);
        !ok) {
        return ok.error();
    }
    return broker_.core_->groups().join(*connection_, vhost, exchange, group, std::move(options),
                                        sink);
}

Result<void> Session::cancel(std::string_view consumer_tag) {
    return connection_->cancel(consumer_tag);
}

Result<void> Session::ack(std::uint64_t delivery_tag, bool multiple) {
    return connection_->ack(delivery_tag, multiple);
}

Result<void> Session::nack(std::uint64_t delivery_tag, bool multiple, bool requeue) {
    return connection_->nack(delivery_tag, multiple, requeue);
}

Result<void> Session::reject(std::uint64_t delivery_tag, bool requeue) {
    return connection_->reject(delivery_tag, requeue);
}

void Session::resume() {
    connection_->resume();
}

std::size_t Session::unacked_count() const {
    return connection_->unacked_count();
}

} // namespace warren::server
