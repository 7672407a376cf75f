#include "server/vhost.hpp"

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "common/properties_json.hpp"
#include "server/core.hpp"
#include "server/dead_letter.hpp"
#include "server/equivalence.hpp"
#include "server/names.hpp"

namespace warren::server {

using routing::Destination;
using routing::ExchangeType;

std::string describe(std::string_view kind, std::string_view name, std::string_view vhost) {
    return std::string(kind) + " '" + std::string(name) + "' in vhost '" + std::string(vhost) + "'";
}

namespace {

// The built-in exchanges every vhost has (DESIGN.md 1).
const std::pair<const char*, ExchangeType> kPredeclared[] = {
    {"amq.direct", ExchangeType::direct}, {"amq.fanout", ExchangeType::fanout},
    {"amq.topic", ExchangeType::topic},   {"amq.headers", ExchangeType::headers},
    {"amq.match", ExchangeType::headers},
};

} // namespace

Vhost::Vhost(Core& core, std::string name) : core_(core), name_(std::move(name)) {
    auto built_in = [](std::string exchange, ExchangeType type) {
        return ExchangeState{
            ExchangeSpec{
                std::move(exchange), std::string(routing::to_string(type)), true, false, false, {}},
            type,
            false,
            {},
            nullptr};
    };
    exchanges_.emplace("", built_in("", ExchangeType::direct));
    for (const auto& [exchange, type] : kPredeclared) {
        exchanges_.emplace(exchange, built_in(exchange, type));
        router_.add_exchange(exchange, type);
    }
}

Vhost::~Vhost() {
    clear();
}

Result<Declared> Vhost::declare_exchange(const ExchangeSpec& spec) {
    if (auto ok = check_name("exchange", spec.name); !ok) {
        return ok.error();
    }
    const std::string what = describe("exchange", spec.name, name_);
    const auto type = routing::parse_exchange_type(spec.type);
    if (!type) {
        return make_error(Errc::bad_request, "unknown exchange type '" + spec.type + "'");
    }
    std::string alternate;
    if (const auto* ae = spec.arguments.if_contains("alternate-exchange")) {
        if (!ae->is_string()) {
            return make_error(Errc::bad_request, "invalid arg 'alternate-exchange' for " + what +
                                                     ": expected a string");
        }
        alternate = std::string(ae->get_string());
    }
    auto options = routing::parse_exchange_options(*type, spec.arguments, what);
    if (!options) {
        return options.error();
    }
    auto dedup = parse_dedup_arguments(spec.arguments, what);
    if (!dedup) {
        return dedup.error();
    }
    if (spec.name.empty() || is_reserved_name(spec.name)) {
        return make_error(Errc::access_refused,
                          "exchange name '" + spec.name + "' contains reserved prefix 'amq.*'");
    }
    if (auto it = exchanges_.find(spec.name); it != exchanges_.end()) {
        const ExchangeSpec& current = it->second.spec;
        if (current.type != spec.type) {
            return inequivalent("type", what, spec.type, current.type);
        }
        if (current.durable != spec.durable) {
            return inequivalent("durable", what, bool_word(spec.durable),
                                bool_word(current.durable));
        }
        if (current.auto_delete != spec.auto_delete) {
            return inequivalent("auto_delete", what, bool_word(spec.auto_delete),
                                bool_word(current.auto_delete));
        }
        if (current.internal != spec.internal) {
            return inequivalent("internal", what, bool_word(spec.internal),
                                bool_word(current.internal));
        }
        if (current.arguments != spec.arguments) {
            return inequivalent("arguments", what, boost::json::serialize(spec.arguments),
                                boost::json::serialize(current.arguments));
        }
        return Declared::existed;
    }
    router_.add_exchange(spec.name, *type, alternate, *options);
    ExchangeState state{spec, *type, false, {}, nullptr};
    if (*dedup) {
        state.dedup = std::make_unique<Deduplication>(**dedup, exchange_scope(name_, spec.name));
    }
    exchanges_.emplace(spec.name, std::move(state));
    if (spec.durable && journal().enabled()) {
        const std::pair<std::string, std::string> key{name_, spec.name};
        journal()
            .batch_for_put([&](const storage::Batch& b) {
                return std::find(b.deleted_exchanges.begin(), b.deleted_exchanges.end(), key) !=
                       b.deleted_exchanges.end();
            })
            .put_exchanges.push_back({name_, spec.name, spec.type, spec.auto_delete, spec.internal,
                                      boost::json::serialize(spec.arguments)});
    }
    return Declared::created;
}

Result<void> Vhost::delete_exchange(std::string_view name, bool if_unused) {
    auto it = exchanges_.find(name);
    if (it == exchanges_.end()) {
        return make_error(Errc::not_found, "no " + describe("exchange", name, name_));
    }
    if (name.empty()) {
        return make_error(Errc::access_refused, "operation not permitted on the default exchange");
    }
    if (is_reserved_name(name)) {
        return make_error(Errc::access_refused, "deletion of system " +
                                                    describe("exchange", name, name_) +
                                                    " not allowed"); // RabbitMQ's sentence
    }
    if (if_unused && !router_.bindings_from(name).empty()) {
        return make_error(Errc::precondition_failed, describe("exchange", name, name_) + " in use");
    }
    const std::string key(name);
    // Exchanges bound *to* this one lose a source binding: auto-delete may apply to them.
    std::vector<std::string> sources;
    for (const auto& b : router_.bindings_to(Destination::exchange(key))) {
        sources.push_back(b.source);
    }
    if (it->second.spec.durable && journal().enabled()) {
        journal().batch().deleted_exchanges.emplace_back(name_, key);
        if (it->second.dedup) {
            it->second.dedup->forget_all(journal().batch());
        }
    }
    router_.remove_exchange(key);
    exchanges_.erase(it);
    for (const auto& source : sources) {
        maybe_auto_delete_exchange(source);
    }
    return {};
}

const ExchangeState* Vhost::find_exchange(std::string_view name) const {
    auto it = exchanges_.find(name);
    return it == exchanges_.end() ? nullptr : &it->second;
}

Result<Declared> Vhost::declare_queue(const QueueSpec& spec, std::uint64_t owner,
                                      bool server_named) {
    if (auto ok = check_name("queue", spec.name); !ok) {
        return ok.error();
    }
    if (spec.name.empty()) {
        return make_error(Errc::bad_request, "queue name must not be empty");
    }
    const std::string what = describe("queue", spec.name, name_);
    auto arguments = parse_queue_arguments(spec.arguments, what);
    if (!arguments) {
        return arguments.error();
    }
    if (spec.exclusive && owner == 0) {
        return make_error(Errc::bad_request,
                          "exclusive queues belong to a connection; declare them over one");
    }
    // A stream is a log kept for readers to come: it outlives its connection and its consumers
    // (RabbitMQ's wording).
    if (arguments->stream) {
        const char* property = !spec.durable      ? "non-durable"
                               : spec.exclusive   ? "exclusive-owner"
                               : spec.auto_delete ? "auto-delete"
                                                  : nullptr;
        if (property != nullptr) {
            return make_error(Errc::precondition_failed,
                              "invalid property '" + std::string(property) + "' for " + what);
        }
    }
    const Millis now = core_.clock().now();
    if (auto it = queues_.find(spec.name); it != queues_.end()) {
        Queue& queue = *it->second;
        if (queue.owner() != 0 && queue.owner() != owner) {
            return make_error(Errc::resource_locked,
                              "cannot obtain exclusive access to locked " + what);
        }
        const QueueSpec& current = queue.spec();
        if (current.durable != spec.durable) {
            return inequivalent("durable", what, bool_word(spec.durable),
                                bool_word(current.durable));
        }
        if (current.exclusive != spec.exclusive) {
            return inequivalent("exclusive", what, bool_word(spec.exclusive),
                                bool_word(current.exclusive));
        }
        if (current.auto_delete != spec.auto_delete) {
            return inequivalent("auto_delete", what, bool_word(spec.auto_delete),
                                bool_word(current.auto_delete));
        }
        if (current.arguments != spec.arguments) {
            return inequivalent_arguments(spec.arguments, current.arguments, what);
        }
        queue.touch(now);
        return Declared::existed;
    }
    if (!server_named && is_reserved_name(spec.name)) {
        return make_error(Errc::access_refused,
                          "queue name '" + spec.name + "' contains reserved prefix 'amq.*'");
    }
    const std::uint64_t id = core_.next_queue_id();
    // `owner` is who asks (its connection); only an exclusive queue belongs to it.
    auto queue = std::make_shared<Queue>(*this, id, spec, std::move(*arguments),
                                         spec.exclusive ? owner : 0, now);
    queues_.emplace(spec.name, std::move(queue));
    router_.add_queue(spec.name);
    if (spec.durable && !spec.exclusive && journal().enabled()) {
        // A queue deleted in the pending batch may be this name's old queue: the store would
        // put the new row first and then fail to find the old one's bindings by name, so they
        // would come back on the new queue. Deleted queues are known by id only, so any pending
        // deletion seals the batch (deleting and declaring durable queues in one turn is rare).
        journal()
            .batch_for_put([](const storage::Batch& b) { return !b.deleted_queues.empty(); })
            .put_queues.push_back({id, name_, spec.name, spec.auto_delete,
                                   boost::json::serialize(spec.arguments), 0});
    }
    return Declared::created;
}

Result<Queue*> Vhost::restore_queue(const QueueSpec& spec, std::uint64_t id) {
    const std::string what = describe("queue", spec.name, name_);
    auto arguments = parse_queue_arguments(spec.arguments, what);
    if (!arguments) {
        return arguments.error();
    }
    auto queue =
        std::make_shared<Queue>(*this, id, spec, std::move(*arguments), 0, core_.clock().now());
    Queue* raw = queue.get();
    queues_.insert_or_assign(spec.name, std::move(queue));
    router_.add_queue(spec.name);
    return raw;
}

Journal& Vhost::journal() const {
    return core_.journal();
}

Result<void> Vhost::delete_queue(std::string_view name, bool if_unused, bool if_empty) {
    auto it = queues_.find(name);
    if (it == queues_.end()) {
        return make_error(Errc::not_found, "no " + describe("queue", name, name_));
    }
    const Queue& queue = *it->second;
    if (if_unused && !queue.consumers().empty()) {
        return make_error(Errc::precondition_failed, describe("queue", name, name_) + " in use");
    }
    if (if_empty && queue.messages_ready() + queue.messages_unacknowledged() > 0) {
        return make_error(Errc::precondition_failed, describe("queue", name, name_) + " not empty");
    }
    erase_queue(it->first);
    return {};
}

std::shared_ptr<Queue> Vhost::find_queue(std::string_view name) const {
    auto it = queues_.find(name);
    return it == queues_.end() ? nullptr : it->second;
}

void Vhost::remove_queue(Queue& queue) {
    if (auto it = queues_.find(queue.name()); it != queues_.end() && it->second.get() == &queue) {
        erase_queue(it->first);
    }
}

void Vhost::erase_queue(const std::string& name) {
    auto it = queues_.find(name);
    if (it == queues_.end()) {
        return;
    }
    std::shared_ptr<Queue> queue = it->second; // keeps it alive while it is taken apart
    std::vector<std::string> sources;
    for (const auto& b : router_.bindings_to(Destination::queue(name))) {
        sources.push_back(b.source);
    }
    queues_.erase(it);
    router_.remove_queue(queue->name());
    if (queue->persists() && !queue->spec().exclusive) {
        journal().batch().deleted_queues.push_back(queue->id());
        if (const Deduplication* dedup = queue->deduplication()) {
            dedup->forget_all(journal().batch());
        }
    }
    queue->mark_deleted();
    for (const auto& source : sources) {
        maybe_auto_delete_exchange(source);
    }
}

Result<void> Vhost::check_destination(const Destination& destination) const {
    if (destination.kind == Destination::Kind::queue) {
        if (!queues_.contains(destination.name)) {
            return make_error(Errc::not_found, "no " + describe("queue", destination.name, name_));
        }
    } else if (!exchanges_.contains(destination.name)) {
        return make_error(Errc::not_found, "no " + describe("exchange", destination.name, name_));
    }
    return {};
}

Result<bool> Vhost::bind(const routing::Binding& binding) {
    if (!exchanges_.contains(binding.source)) {
        return make_error(Errc::not_found, "no " + describe("exchange", binding.source, name_));
    }
    if (auto ok = check_destination(binding.destination); !ok) {
        return ok.error();
    }
    if (binding.routing_key.size() > kMaxNameBytes) {
        return make_error(Errc::bad_request, "routing key is longer than 255 bytes");
    }
    auto added = router_.bind(binding);
    if (added && *added) {
        exchanges_.find(binding.source)->second.had_binding = true;
        journal_binding(binding, true);
        core_.groups().topic_changed(name_, binding.source); // a new partition joins its groups
    }
    return added;
}

Result<bool> Vhost::unbind(const routing::Binding& binding) {
    if (!exchanges_.contains(binding.source)) {
        return make_error(Errc::not_found, "no " + describe("exchange", binding.source, name_));
    }
    if (auto ok = check_destination(binding.destination); !ok) {
        return ok.error();
    }
    auto removed = router_.unbind(binding);
    if (removed && *removed) {
        journal_binding(binding, false);
        maybe_auto_delete_exchange(binding.source);
        core_.groups().topic_changed(name_, binding.source);
    }
    return removed;
}

bool Vhost::is_durable(const Destination& destination) const {
    if (destination.kind == Destination::Kind::queue) {
        auto q = find_queue(destination.name);
        return q && q->spec().durable && !q->spec().exclusive;
    }
    const auto* e = find_exchange(destination.name);
    return e && e->spec.durable;
}

// A binding is stored when both of its ends are (RabbitMQ: durable source and destination).
void Vhost::journal_binding(const routing::Binding& binding, bool put) {
    if (!journal().enabled() || !is_durable(Destination::exchange(binding.source)) ||
        !is_durable(binding.destination)) {
        return;
    }
    storage::BindingRecord record{name_,
                                  binding.source,
                                  binding.destination.name,
                                  binding.destination.kind == Destination::Kind::exchange,
                                  binding.routing_key,
                                  boost::json::serialize(binding.arguments)};
    if (!put) {
        journal().batch().deleted_bindings.push_back(std::move(record));
        return;
    }
    auto same = [&](const storage::BindingRecord& r) {
        return r.vhost == record.vhost && r.source == record.source &&
               r.destination == record.destination && r.to_exchange == record.to_exchange &&
               r.routing_key == record.routing_key && r.arguments == record.arguments;
    };
    journal()
        .batch_for_put([&](const storage::Batch& b) {
            return std::any_of(b.deleted_bindings.begin(), b.deleted_bindings.end(), same);
        })
        .put_bindings.push_back(std::move(record));
}

void Vhost::maybe_auto_delete_exchange(const std::string& name) {
    auto it = exchanges_.find(name);
    if (it == exchanges_.end() || !it->second.spec.auto_delete || !it->second.had_binding ||
        !router_.bindings_from(name).empty()) {
        return;
    }
    (void)delete_exchange(name, false);
}

Result<PublishOutcome> Vhost::publish(std::string_view exchange, MessagePtr message,
                                      const PublishOptions& options) {
    auto it = exchanges_.find(exchange);
    if (it == exchanges_.end()) {
        return make_error(Errc::not_found, "no " + describe("exchange", exchange, name_));
    }
    if (it->second.spec.internal) {
        return make_error(Errc::access_refused,
                          "cannot publish to internal " + describe("exchange", exchange, name_));
    }
    if (message->properties.expiration) {
        if (auto ok = parse_expiration(*message->properties.expiration); !ok) {
            return ok.error();
        }
    }
    ExchangeState& source = it->second;
    ++source.stats.publish_in;
    const Millis now = core_.clock().now();
    // Exchange-level deduplication, before routing: a duplicate is answered as its first
    // publish was and goes nowhere. It is confirmed after a commit like any publish, so never
    // before the first one is durable.
    bool claimed = false;
    if (source.dedup) {
        if (auto key = source.dedup->key_of(*message, options.idempotency_key)) {
            auto claim = source.dedup->claim(std::move(*key), core_.next_dedup_seq(), now);
            claimed = claim.claimed;
            if (claim.duplicate) {
                PublishOutcome duplicate;
                duplicate.routed = claim.duplicate->routed;
                duplicate.duplicate = true;
                duplicate.stored = journal().enabled();
                return duplicate;
            }
        }
    }
    const auto route = router_.route(exchange, message->routing_key, message->properties.headers,
                                     &message->properties);
    PublishOutcome outcome;
    outcome.routed = route.routed();
    if (outcome.routed) {
        ++source.stats.publish_out;
    }
    const auto delivered = deliver_to(route.queues, message, nullptr, options.idempotency_key);
    outcome.rejected = delivered.rejected;
    outcome.stored = delivered.stored;
    outcome.duplicate = delivered.duplicate;
    if (claimed) {
        // Stored with the message (same commit) when both it and the exchange are durable.
        const bool durable =
            source.spec.durable && message->properties.persistent() && journal().enabled();
        source.dedup->finish(outcome.routed, now, durable ? &journal().batch() : nullptr);
        outcome.stored = outcome.stored || durable;
    }
    return outcome;
}

PublishOutcome Vhost::deliver_to(std::span<const std::string_view> queue_names,
                                 const MessagePtr& message, const Queue* skip_cycles_of,
                                 std::string_view idempotency_key) {
    PublishOutcome outcome;
    const Millis now = core_.clock().now();
    // Copy the targets first: enqueueing can dead-letter, which routes again.
    std::vector<std::shared_ptr<Queue>> targets;
    targets.reserve(queue_names.size());
    for (std::string_view name : queue_names) {
        if (auto queue = find_queue(name)) {
            if (skip_cycles_of && is_dead_letter_cycle(*message, queue->name())) {
                continue;
            }
            targets.push_back(std::move(queue));
        }
    }
    std::uint64_t message_id = 0;
    bool stored = false;
    // A stream keeps every message it gets, whatever its delivery mode (as RabbitMQ's do).
    const bool to_stream = std::any_of(targets.begin(), targets.end(),
                                       [](const auto& q) { return q->stream() != nullptr; });
    if ((message->properties.persistent() || to_stream) && journal().enabled()) {
        message_id = core_.next_message_id();
    }
    std::size_t duplicates = 0;
    for (const auto& queue : targets) {
        // Queue-level deduplication, at enqueue into this queue.
        Deduplication* dedup = queue->deduplication();
        bool claimed = false;
        if (dedup != nullptr) {
            if (auto key = dedup->key_of(*message, idempotency_key)) {
                auto claim = dedup->claim(std::move(*key), core_.next_dedup_seq(), now);
                if (claim.duplicate) {
                    ++duplicates;
                    continue;
                }
                claimed = claim.claimed;
            }
        }
        const bool persisted = message_id != 0 && queue->persists() &&
                               (message->properties.persistent() || queue->stream() != nullptr);
        if (!queue->enqueue(message, persisted ? message_id : 0, now)) {
            outcome.rejected = true;
            if (claimed) {
                dedup->undo(); // refused: a retry must not count as a duplicate
            }
            continue;
        }
        stored = stored || persisted;
        if (claimed) {
            dedup->finish(true, now, persisted ? &journal().batch() : nullptr);
        }
    }
    if (stored) {
        journal().batch().messages.push_back({message_id, message->exchange, message->routing_key,
                                              serialize_properties(message->properties),
                                              message->body});
    }
    outcome.routed = !targets.empty();
    outcome.duplicate = duplicates > 0 && duplicates == targets.size();
    // A duplicate waits for a commit like its first publish did (which may not be durable yet).
    outcome.stored = stored || (duplicates > 0 && journal().enabled());
    return outcome;
}

void Vhost::dead_letter(const Queue& from, const QueueEntry& entry, DeadLetterReason reason) {
    const auto& args = from.arguments();
    const std::string& dlx = *args.dead_letter_exchange;
    const Millis now = core_.clock().now();
    auto letter = make_dead_letter(
        *entry.message, from.name(), to_string(reason), dlx,
        args.dead_letter_routing_key ? &*args.dead_letter_routing_key : nullptr, now);
    const auto route =
        router_.route(dlx, letter.message->routing_key, letter.message->properties.headers,
                      &letter.message->properties);
    deliver_to(route.queues, letter.message, &from);
}

Millis Vhost::run_timers(Millis now) {
    Millis due = kNever;
    std::vector<std::string> expired;
    // Copy the list: expiring messages can dead-letter into other queues.
    std::vector<std::shared_ptr<Queue>> queues;
    queues.reserve(queues_.size());
    for (const auto& [name, queue] : queues_) {
        queues.push_back(queue);
    }
    for (const auto& queue : queues) {
        if (queue->deleted()) {
            continue;
        }
        if (queue->unused_since_expiry(now)) {
            expired.push_back(queue->name());
            continue;
        }
        due = std::min(due, queue->run_timers(now));
    }
    for (const auto& name : expired) {
        erase_queue(name);
    }
    return due;
}

void Vhost::clear() {
    while (!queues_.empty()) {
        erase_queue(queues_.begin()->first);
    }
    // The exchanges go with the vhost's row in the store; their dedup windows are cut here.
    if (journal().enabled()) {
        for (const auto& [name, exchange] : exchanges_) {
            if (exchange.dedup && exchange.spec.durable) {
                exchange.dedup->forget_all(journal().batch());
            }
        }
    }
}

void Vhost::collect_dedup_windows(std::unordered_map<std::string, Deduplication*>& out) {
    for (auto& [name, exchange] : exchanges_) {
        if (exchange.dedup) {
            out.emplace(exchange.dedup->scope(), exchange.dedup.get());
        }
    }
}

} // namespace warren::server
