#pragma once

// Router: one vhost's routing table. It knows every exchange (type, alternate exchange), every
// binding (source -> queue or exchange) and which queues exist (the default exchange "" routes to
// the queue named by the routing key). route() follows exchange-to-exchange bindings with a
// visited set, so cycles terminate and each queue is reached at most once. As in RabbitMQ, an
// exchange whose own bindings match nothing passes the message on to its alternate exchange
// (which may pass it to its own, and so on; the visited set ends loops); this applies to every
// exchange the message reaches, and an exchange that matched only other exchanges keeps it even
// when they reach no queue.
// Pure and synchronous: no I/O, no locks. Names are validated by the caller (server/).

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <boost/container/small_vector.hpp>
#include <boost/json/object.hpp>

#include "common/error.hpp"
#include "routing/destination.hpp"
#include "routing/exchange.hpp"
#include "routing/string_hash.hpp"

namespace warren::routing {

struct Binding {
    std::string source;
    Destination destination;
    std::string routing_key;
    boost::json::object arguments;
    friend bool operator==(const Binding&, const Binding&) = default;
};

struct RouteResult {
    // Each queue at most once; views into the Router, valid until it next changes. Room inline
    // for the usual handful, so that routing a message allocates nothing.
    boost::container::small_vector<std::string_view, 8> queues;
    bool routed() const { return !queues.empty(); }
};

class Router {
public:
    Router(); // declares the default exchange ""
    ~Router();
    Router(Router&&) noexcept;
    Router& operator=(Router&&) noexcept;

    // Exchanges. add_exchange returns false if the name exists already (nothing changes).
    bool add_exchange(const std::string& name, ExchangeType type,
                      std::string alternate_exchange = {}, const ExchangeOptions& options = {});
    // Removes the exchange and every binding where it is the source or the destination.
    bool remove_exchange(const std::string& name);
    bool has_exchange(std::string_view name) const;

    // Queues: a known queue is reachable through the default exchange by its name.
    void add_queue(const std::string& name);
    // Forgets the queue and removes every binding to it.
    void remove_queue(const std::string& name);

    // Bindings. Errors: not_found (source missing), access_refused (source is the default
    // exchange), bad_request (headers binding with an invalid x-match). Ok(false) when an
    // identical binding exists already. The destination's existence is the caller's check.
    Result<bool> bind(const Binding& binding);
    // Ok(false) when there was no such binding.
    Result<bool> unbind(const Binding& binding);

    // Bindings whose source is `exchange`, in the order they were made (explicit ones only; the
    // default exchange's implicit bindings are not listed here).
    const std::vector<Binding>& bindings_from(std::string_view exchange) const;
    // Every explicit binding whose destination is `destination`.
    std::vector<Binding> bindings_to(const Destination& destination) const;
    std::size_t binding_count() const;

    // properties: for exchange types that read them (x-consistent-hash with hash-property).
    RouteResult route(std::string_view exchange, std::string_view routing_key,
                      const boost::json::object& headers,
                      const Properties* properties = nullptr) const;

private:
    struct ExchangeEntry;
    // route()'s lookup by name: open addressing with linear probing over a power-of-two table at
    // most half full, so a lookup costs a mask and usually one slot, not unordered_map's modulo
    // (a division) and node chase. exchanges_ owns the entries; this only points at them.
    struct IndexSlot {
        std::size_t hash = 0;
        const ExchangeEntry* entry = nullptr; // nullptr: free
    };
    const ExchangeEntry* find_exchange(std::string_view name) const;
    void index_insert(const ExchangeEntry* entry);
    void index_erase(const ExchangeEntry* entry);
    // Removes every binding from `source` to `destination`; returns how many.
    std::size_t remove_bindings(ExchangeEntry& source, const Destination& destination);
    void remove_bindings_to(const Destination& destination);
    void forget_source(const Destination& destination, std::string_view source);

    // Transparent hashing: route() looks names up by string_view without building a std::string.
    std::unordered_map<std::string, std::unique_ptr<ExchangeEntry>, StringHash, std::equal_to<>>
        exchanges_;
    std::vector<IndexSlot> index_;
    std::size_t indexed_ = 0;
    std::unordered_set<std::string, StringHash, std::equal_to<>> queues_;
    // Destination -> the source exchange of each binding to it (one entry per binding), so that
    // removing a queue or an exchange visits only the exchanges that bind to it.
    std::unordered_map<Destination, std::vector<std::string>, DestinationHash> sources_;
    std::size_t binding_count_ = 0;
};

} // namespace warren::routing
