#include "server/consumer_groups.hpp"

#include <algorithm>
#include <set>

#include "routing/exchange.hpp"
#include "server/connection.hpp"
#include "server/core.hpp"
#include "server/vhost.hpp"

namespace warren::server {

// One member: the sink its partitions' consumers deliver to. It passes deliveries on to the
// subscription's sink, and keeps which partitions it reads under which consumer tag.
class ConsumerGroups::Member final : public DeliverySink {
public:
    Member(Connection& connection, DeliverySink& sink, ConsumeOptions options)
        : connection_(connection), sink_(sink), options_(std::move(options)) {}

    bool ready() const override { return sink_.ready(); }
    void deliver(const Delivery& delivery) override { sink_.deliver(delivery); }
    // A partition stream was deleted: it is simply no longer read (its Connection already
    // forgot the consumer).
    void cancelled(std::string_view consumer_tag) override {
        std::erase_if(owned_, [&](const auto& p) { return p.second == consumer_tag; });
    }

    Connection& connection() const { return connection_; }
    const std::string& tag() const { return options_.tag; }
    bool owns(const std::string& partition) const { return owned_.contains(partition); }
    std::vector<std::string> partitions() const {
        std::vector<std::string> out;
        for (const auto& [partition, tag] : owned_) {
            out.push_back(partition);
        }
        return out;
    }

    // Stops reading `partition`; its unacked deliveries stay with the connection.
    void revoke(const std::string& partition) {
        auto it = owned_.find(partition);
        if (it == owned_.end()) {
            return;
        }
        const std::string consumer_tag = it->second;
        owned_.erase(it);
        (void)connection_.cancel(consumer_tag);
    }
    void revoke_all() {
        while (!owned_.empty()) {
            revoke(owned_.begin()->first);
        }
    }

    // Starts reading `partition` as the group's named consumer. False when it cannot (the
    // stream went away meanwhile).
    bool assign(const std::string& vhost, const std::string& group, const std::string& partition) {
        ConsumeOptions options = options_;
        options.tag = options_.tag + "/" + partition;
        options.stream_consumer = group;
        options.stream_start_if_new = true;
        // Registered before consuming: the consume may deliver, and a delivery may cancel.
        owned_[partition] = options.tag;
        auto consumed = connection_.consume(vhost, partition, std::move(options), *this);
        if (!consumed) {
            owned_.erase(partition);
            return false;
        }
        return true;
    }

    void announce() { sink_.assigned(partitions()); }

private:
    Connection& connection_;
    DeliverySink& sink_;
    ConsumeOptions options_;
    std::map<std::string, std::string> owned_; // partition -> consumer tag
};

ConsumerGroups::ConsumerGroups(Core& core) : core_(core) {}

ConsumerGroups::~ConsumerGroups() = default;

Result<std::vector<std::string>>
ConsumerGroups::join(Connection& connection, std::string_view vhost_name, std::string_view exchange,
                     std::string_view group_name, ConsumeOptions options, DeliverySink& sink) {
    auto vhost = core_.vhost(vhost_name);
    if (!vhost) {
        return vhost.error();
    }
    const ExchangeState* state = (*vhost)->find_exchange(exchange);
    if (state == nullptr) {
        return make_error(Errc::not_found, "no " + describe("exchange", exchange, vhost_name));
    }
    if (state->type != routing::ExchangeType::consistent_hash ||
        !state->spec.arguments.contains(routing::kPartitionsArgument)) {
        return make_error(Errc::bad_request,
                          describe("exchange", exchange, vhost_name) +
                              " is not a topic (an x-consistent-hash exchange with the argument " +
                              routing::kPartitionsArgument + "): a group subscribes to a topic");
    }
    for (const auto& [key, group] : groups_) {
        for (const auto& member : group.members) {
            if (&member->connection() == &connection && member->tag() == options.tag) {
                return make_error(Errc::precondition_failed,
                                  "consumer tag '" + options.tag + "' is already in use");
            }
        }
    }
    Key key{std::string(vhost_name), std::string(exchange), std::string(group_name)};
    auto [it, added] = groups_.try_emplace(key);
    Group& group = it->second;
    if (added) {
        group.vhost = std::get<0>(key);
        group.exchange = std::get<1>(key);
        group.name = std::get<2>(key);
    }
    if (partitions_of(group).empty()) {
        if (group.members.empty()) {
            groups_.erase(it);
        }
        return make_error(Errc::bad_request, "topic " + describe("exchange", exchange, vhost_name) +
                                                 " has no partition streams bound to it");
    }
    group.members.push_back(std::make_unique<Member>(connection, sink, std::move(options)));
    Member& joined = *group.members.back();
    rebalance(group, &joined); // the joiner learns its partitions from the answer
    return joined.partitions();
}

bool ConsumerGroups::leave(Connection& connection, std::string_view tag) {
    for (auto it = groups_.begin(); it != groups_.end(); ++it) {
        auto& members = it->second.members;
        for (std::size_t i = 0; i < members.size(); ++i) {
            if (&members[i]->connection() == &connection && members[i]->tag() == tag) {
                remove(it, i);
                return true;
            }
        }
    }
    return false;
}

void ConsumerGroups::leave_all(Connection& connection) {
    std::vector<std::string> tags;
    for (const auto& [key, group] : groups_) {
        for (const auto& member : group.members) {
            if (&member->connection() == &connection) {
                tags.push_back(member->tag());
            }
        }
    }
    for (const auto& tag : tags) {
        leave(connection, tag);
    }
}

void ConsumerGroups::topic_changed(std::string_view vhost, std::string_view exchange) {
    for (auto& [key, group] : groups_) {
        if (group.vhost == vhost && group.exchange == exchange) {
            rebalance(group, nullptr);
        }
    }
}

void ConsumerGroups::remove(std::map<Key, Group>::iterator it, std::size_t index) {
    Group& group = it->second;
    std::unique_ptr<Member> leaver = std::move(group.members[index]);
    group.members.erase(group.members.begin() + static_cast<std::ptrdiff_t>(index));
    leaver->revoke_all(); // its partitions wait for its in-flight deliveries to settle
    if (group.members.empty()) {
        groups_.erase(it);
        return;
    }
    rebalance(group, nullptr);
}

// The topic's partitions: the streams bound to its exchange, in natural order ("t-2" before
// "t-10").
std::vector<std::string> ConsumerGroups::partitions_of(const Group& group) const {
    std::vector<std::string> out;
    const Vhost* vhost = core_.find_vhost(group.vhost);
    if (vhost == nullptr || vhost->find_exchange(group.exchange) == nullptr) {
        return out;
    }
    std::set<std::string> seen;
    for (const auto& binding : vhost->router().bindings_from(group.exchange)) {
        if (binding.destination.kind != routing::Destination::Kind::queue) {
            continue;
        }
        auto queue = vhost->find_queue(binding.destination.name);
        if (queue && queue->stream() != nullptr && seen.insert(queue->name()).second) {
            out.push_back(queue->name());
        }
    }
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() < b.size() : a < b;
    });
    return out;
}

void ConsumerGroups::rebalance(Group& group, const Member* quiet) {
    const auto partitions = partitions_of(group);
    const std::size_t members = group.members.size();
    std::vector<std::vector<std::string>> before;
    for (const auto& member : group.members) {
        before.push_back(member->partitions());
    }
    auto owner_of = [&](std::size_t partition) { return group.members[partition % members].get(); };
    // Every move's old owner lets go first, so the new owner's reader waits for it.
    for (const auto& member : group.members) {
        for (const auto& partition : member->partitions()) {
            const auto at = std::find(partitions.begin(), partitions.end(), partition);
            if (at == partitions.end() ||
                owner_of(static_cast<std::size_t>(at - partitions.begin())) != member.get()) {
                member->revoke(partition);
            }
        }
    }
    for (std::size_t i = 0; i < partitions.size(); ++i) {
        Member* member = owner_of(i);
        if (!member->owns(partitions[i])) {
            (void)member->assign(group.vhost, group.name, partitions[i]);
        }
    }
    for (std::size_t m = 0; m < members; ++m) {
        if (group.members[m].get() != quiet && group.members[m]->partitions() != before[m]) {
            group.members[m]->announce();
        }
    }
}

} // namespace warren::server
