#pragma once

// ConsumerGroups: Kafka's consumer groups on a topic (DESIGN.md section 7). A topic is an
// x-consistent-hash exchange with "x-partitions" and its partition streams bound to it. A
// subscription with a group joins the group's live members; the topic's partitions are split
// among them (partition i of the sorted list goes to member i mod M, members in join order), and
// each member reads its partitions as the stream consumer named like the group, so each
// partition's offset is stored under the group's name and a restarted group goes on where it
// stopped.
//
// Rebalancing: when a member joins or leaves, every partition whose owner changes is cancelled
// on its old owner first and then consumed by its new one. The stream keeps the new reader
// waiting until the old one's in-flight deliveries are settled (acked, or returned when its
// connection closes): a partition moves only then, and the new owner starts after the stored
// offset, so nothing acked is read twice and one key's messages keep their order across the
// move. The partitions are read from the exchange's bindings at each rebalance, which also runs
// when a binding of the topic comes or goes.
//
// Lifetime: owned by the Core. Members belong to their Connection, which leaves (cancel or close)
// before it goes. Thread: the core executor only.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/error.hpp"
#include "server/delivery_sink.hpp"
#include "server/specs.hpp"

namespace warren::server {

class Core;
class Connection;

class ConsumerGroups {
public:
    explicit ConsumerGroups(Core& core);
    ~ConsumerGroups();
    ConsumerGroups(const ConsumerGroups&) = delete;
    ConsumerGroups& operator=(const ConsumerGroups&) = delete;

    // Joins subscription `options.tag` of `connection` to `group` on topic `exchange`.
    // Deliveries of every partition it gets go to `sink` (each with its queue and offset);
    // `options` applies per partition (prefetch, ack mode, where a new group starts). Returns
    // the partitions it got at once. Errors: not_found (vhost, exchange), bad_request (not a
    // topic, no partitions), precondition_failed (the tag is in use).
    Result<std::vector<std::string>> join(Connection& connection, std::string_view vhost,
                                          std::string_view exchange, std::string_view group,
                                          ConsumeOptions options, DeliverySink& sink);
    // The member of `connection` with subscription `tag` leaves; false when there is none.
    bool leave(Connection& connection, std::string_view tag);
    // Every member of `connection` leaves (it is closing).
    void leave_all(Connection& connection);
    // A binding of `exchange` came or went: its groups (if it is a topic with any) rebalance
    // over its partitions as they are now.
    void topic_changed(std::string_view vhost, std::string_view exchange);

private:
    class Member;
    struct Group {
        std::string vhost;
        std::string exchange;
        std::string name;
        std::vector<std::unique_ptr<Member>> members; // join order
    };
    using Key = std::tuple<std::string, std::string, std::string>; // vhost, exchange, group

    // Moves partitions to their owners; tells every member whose set changed but `quiet`.
    void rebalance(Group& group, const Member* quiet);
    std::vector<std::string> partitions_of(const Group& group) const;
    void remove(std::map<Key, Group>::iterator group, std::size_t member);

    Core& core_;
    std::map<Key, Group> groups_;
};

} // namespace warren::server
