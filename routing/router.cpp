#include "routing/router.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include <boost/container/small_vector.hpp>

#include "routing/consistent_hash_exchange.hpp"
#include "routing/headers_exchange.hpp"
#include "routing/topic_exchange.hpp"

namespace warren::routing {

struct Router::ExchangeEntry {
    std::string_view name; // the key of this entry in exchanges_ (map nodes do not move)
    std::size_t hash = 0;  // hash_string(name)
    ExchangeType type;
    std::string alternate_exchange; // "" = none
    std::unique_ptr<Exchange> exchange;
    std::vector<Binding> bindings; // explicit ones, in creation order
};

namespace {

constexpr std::string_view kDefaultExchangeRefused =
    "operation not permitted on the default exchange";

bool touches_default_exchange(const Binding& binding) {
    return binding.source.empty() || (binding.destination.kind == Destination::Kind::exchange &&
                                      binding.destination.name.empty());
}

// Equal for equal strings, and for short names (up to 8 bytes) nearly always different for
// different ones: a cheap filter before comparing two names.
std::uint64_t fingerprint(std::string_view s) {
    const char* p = s.data();
    const std::size_t n = s.size();
    std::uint64_t v = 0;
    if (n >= 8) {
        std::memcpy(&v, p + n - 8, 8);
    } else if (n >= 4) {
        std::uint32_t a = 0;
        std::uint32_t b = 0;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + n - 4, 4);
        v = std::uint64_t{a} << 32 | b;
    } else if (n > 0) {
        const auto byte = [&](std::size_t i) {
            return std::uint64_t{static_cast<unsigned char>(p[i])};
        };
        v = byte(0) << 16 | byte(n / 2) << 8 | byte(n - 1);
    }
    return v ^ (std::uint64_t{n} << 56);
}

// Up to this many queues (duplicates included) are deduplicated in the order they were reached.
constexpr std::size_t kLinearDedupLimit = 16;

// Each queue once. Few results (the usual case): a linear scan that keeps the order in which the
// queues were reached, comparing fingerprints first; many: sort and unique.

void remove_duplicates(decltype(RouteResult::queues)& queues) {
    constexpr std::size_t kLinearLimit = kLinearDedupLimit;
    if (queues.size() <= kLinearLimit) {
        std::string_view* const q = queues.data();
        std::uint64_t kept_prints[kLinearLimit];
        std::size_t kept = 0;
        for (std::size_t i = 0; i < queues.size(); ++i) {
            const std::string_view name = q[i];
            const std::uint64_t print = fingerprint(name);
            std::size_t j = 0;
            while (j < kept && !(kept_prints[j] == print && same_string(q[j], name))) {
                ++j;
            }
            if (j == kept) {
                kept_prints[kept] = print;
                q[kept++] = name;
            }
        }
        queues.resize(kept);
        return;
    }
    std::sort(queues.begin(), queues.end());
    queues.erase(std::unique(queues.begin(), queues.end()), queues.end());
}

} // namespace

Router::Router() {
    add_exchange("", ExchangeType::direct);
}
Router::~Router() = default;
Router::Router(Router&&) noexcept = default;
Router& Router::operator=(Router&&) noexcept = default;

bool Router::add_exchange(const std::string& name, ExchangeType type,
                          std::string alternate_exchange, const ExchangeOptions& options) {
    if (exchanges_.contains(name)) {
        return false;
    }
    const auto it =
        exchanges_
            .emplace(
                name,
                std::make_unique<ExchangeEntry>(ExchangeEntry{
                    {}, 0, type, std::move(alternate_exchange), make_exchange(type, options), {}}))
            .first;
    it->second->name = it->first;
    it->second->hash = hash_string(it->first);
    index_insert(it->second.get());
    return true;
}

bool Router::remove_exchange(const std::string& exchange) {
    const std::string name = exchange; // `exchange` may live in what is about to be erased
    const auto it = exchanges_.find(name);
    if (name.empty() || it == exchanges_.end()) {
        return false; // the default exchange cannot be deleted
    }
    for (const Binding& b : it->second->bindings) {
        forget_source(b.destination, name);
    }
    binding_count_ -= it->second->bindings.size();
    index_erase(it->second.get());
    exchanges_.erase(it);
    remove_bindings_to(Destination::exchange(name));
    return true;
}

bool Router::has_exchange(std::string_view name) const {
    return find_exchange(name) != nullptr;
}

void Router::add_queue(const std::string& name) {
    queues_.insert(name);
}

void Router::remove_queue(const std::string& queue) {
    Destination destination = Destination::queue(queue); // a copy: `queue` may be erased below
    if (const auto it = queues_.find(destination.name); it != queues_.end()) {
        queues_.erase(it);
    }
    remove_bindings_to(destination);
}

Result<bool> Router::bind(const Binding& binding) {
    if (touches_default_exchange(binding)) {
        return make_error(Errc::access_refused, std::string(kDefaultExchangeRefused));
    }
    const auto it = exchanges_.find(binding.source);
    if (it == exchanges_.end()) {
        return make_error(Errc::not_found, "no exchange '" + binding.source + "'");
    }
    ExchangeEntry& source = *it->second;
    if (source.type == ExchangeType::headers) {
        if (auto mode = parse_x_match(binding.arguments); !mode) {
            return mode.error();
        }
    }
    if (source.type == ExchangeType::consistent_hash) {
        if (auto weight = parse_weight(binding.routing_key); !weight) {
            return weight.error();
        }
    }
    if (!source.exchange->bind(binding.destination, binding.routing_key, binding.arguments)) {
        return false;
    }
    source.bindings.push_back(binding);
    sources_[binding.destination].push_back(binding.source);
    ++binding_count_;
    return true;
}

Result<bool> Router::unbind(const Binding& binding) {
    if (touches_default_exchange(binding)) {
        return make_error(Errc::access_refused, std::string(kDefaultExchangeRefused));
    }
    const auto it = exchanges_.find(binding.source);
    if (it == exchanges_.end()) {
        return make_error(Errc::not_found, "no exchange '" + binding.source + "'");
    }
    ExchangeEntry& source = *it->second;
    if (!source.exchange->unbind(binding.destination, binding.routing_key, binding.arguments)) {
        return false;
    }
    forget_source(binding.destination, binding.source);
    --binding_count_;
    // Last: `binding` may be the very element erased.
    source.bindings.erase(std::find(source.bindings.begin(), source.bindings.end(), binding));
    return true;
}

const std::vector<Binding>& Router::bindings_from(std::string_view exchange) const {
    static const std::vector<Binding> kNone;
    const ExchangeEntry* entry = find_exchange(exchange);
    return entry != nullptr ? entry->bindings : kNone;
}

std::vector<Binding> Router::bindings_to(const Destination& destination) const {
    std::vector<Binding> out;
    const auto it = sources_.find(destination);
    if (it == sources_.end()) {
        return out;
    }
    std::vector<std::string_view> sources(it->second.begin(), it->second.end());
    std::sort(sources.begin(), sources.end());
    sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
    for (const std::string_view source : sources) {
        for (const Binding& b : find_exchange(source)->bindings) {
            if (b.destination == destination) {
                out.push_back(b);
            }
        }
    }
    return out;
}

std::size_t Router::binding_count() const {
    return binding_count_;
}

RouteResult Router::route(std::string_view exchange, std::string_view routing_key,
                          const boost::json::object& headers, const Properties* properties) const {
    const RouteInput input{routing_key, headers, properties};
    RouteResult result;
    const ExchangeEntry* start = find_exchange(exchange);
    if (start == nullptr) {
        return result;
    }
    if (exchange.empty()) {
        // The default exchange: every known queue is bound by its name; no AE.
        if (const auto q = queues_.find(routing_key); q != queues_.end()) {
            result.queues.push_back(*q);
        }
        return result;
    }

    // Reused per thread so that routing allocates nothing but the result.
    thread_local std::vector<const Destination*> matched;
    matched.clear();
    start->exchange->collect_from(input, matched);

    // The usual case: the exchange's bindings lead to queues only. Then the queues are the
    // matched destinations, and the general walk below would find nothing more.
    if (!matched.empty()) {
        // A topic exchange whose bindings all sit in its shape index reports each destination
        // through one pooled Destination: equal names are then equal pointers.
        const bool pooled =
            start->type == ExchangeType::topic && matched.size() <= kLinearDedupLimit &&
            static_cast<const TopicExchange&>(*start->exchange).trie_bindings() == 0;
        const Destination* const* const first = matched.data();
        const std::size_t count = matched.size();
        // Written through a pointer, not push_back: GCC spills each pushed string_view in two
        // halves and reloads it whole, which stalls store forwarding on every queue.
        result.queues.resize(count, boost::container::default_init);
        std::string_view* const queues = result.queues.data();
        std::size_t kept = 0;
        std::size_t i = 0;
        // One bit per pointer reached so far, from its address: a clear bit proves a pointer
        // new, so the scan of the earlier ones runs only on a (rare) shared bit.
        std::uint64_t reached_bits = 0;
        for (; i < count; ++i) {
            const Destination* d = first[i];
            if (d->kind != Destination::Kind::queue) {
                break;
            }
            // Reached already? Then skip it, keeping the order of first arrival.
            const std::uint64_t bit = std::uint64_t{1}
                                      << ((reinterpret_cast<std::uintptr_t>(d) >> 3) & 63);
            bool reached = false;
            if (pooled && (reached_bits & bit) != 0) {
                for (std::size_t j = 0; j < i; ++j) {
                    reached = reached || first[j] == d;
                }
            }
            reached_bits |= bit;
            if (!reached) {
                queues[kept++] = d->name;
            }
        }
        if (i == count) {
            result.queues.resize(kept);
            if (!pooled) {
                remove_duplicates(result.queues);
            }
            return result;
        }
        result.queues.clear();
    }

    // RabbitMQ's rabbit_exchange:route/2: a work list of exchanges with a visited set. An exchange
    // whose own bindings match nothing hands the message to its alternate exchange; one that
    // matched only exchanges does not, even if they reach no queue (checked on RabbitMQ 3.10).
    boost::container::small_vector<const ExchangeEntry*, 8> seen{start};
    boost::container::small_vector<const ExchangeEntry*, 8> pending;
    const auto reach = [&](std::string_view name) {
        const ExchangeEntry* next = find_exchange(name);
        if (next != nullptr && std::find(seen.begin(), seen.end(), next) == seen.end()) {
            seen.push_back(next);
            pending.push_back(next);
        }
    };
    // What `current` matched (in `matched`): its queues are reached, its exchanges queued.
    const auto absorb = [&](const ExchangeEntry* current) {
        if (matched.empty()) {
            if (!current->alternate_exchange.empty()) {
                reach(current->alternate_exchange);
            }
            return;
        }
        for (const Destination* d : matched) {
            if (d->kind == Destination::Kind::queue) {
                result.queues.push_back(d->name);
            } else {
                reach(d->name);
            }
        }
    };
    absorb(start);
    while (!pending.empty()) {
        const ExchangeEntry* current = pending.back();
        pending.pop_back();
        matched.clear();
        current->exchange->collect_from(input, matched);
        absorb(current);
    }
    remove_duplicates(result.queues);
    return result;
}

const Router::ExchangeEntry* Router::find_exchange(std::string_view name) const {
    if (index_.empty()) {
        return nullptr; // moved from
    }
    const std::size_t hash = hash_string(name);
    const std::size_t mask = index_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const IndexSlot& slot = index_[i];
        if (slot.entry == nullptr) {
            return nullptr;
        }
        if (slot.hash == hash && same_string(slot.entry->name, name)) {
            return slot.entry;
        }
    }
}

void Router::index_insert(const ExchangeEntry* entry) {
    if ((indexed_ + 1) * 2 > index_.size()) {
        std::vector<IndexSlot> old(std::max<std::size_t>(16, index_.size() * 2));
        old.swap(index_);
        indexed_ = 0;
        for (const IndexSlot& slot : old) {
            if (slot.entry != nullptr) {
                index_insert(slot.entry);
            }
        }
    }
    const std::size_t mask = index_.size() - 1;
    std::size_t i = entry->hash & mask;
    while (index_[i].entry != nullptr) {
        i = (i + 1) & mask;
    }
    index_[i] = IndexSlot{entry->hash, entry};
    ++indexed_;
}

void Router::index_erase(const ExchangeEntry* entry) {
    const std::size_t mask = index_.size() - 1;
    std::size_t hole = entry->hash & mask;
    while (index_[hole].entry != entry) {
        hole = (hole + 1) & mask;
    }
    // Backward shift instead of a tombstone: a later slot of the same probe run moves into the
    // hole when the hole lies between its home slot and where it sits, so every run stays
    // unbroken.
    for (std::size_t j = (hole + 1) & mask; index_[j].entry != nullptr; j = (j + 1) & mask) {
        const std::size_t home = index_[j].hash & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            index_[hole] = index_[j];
            hole = j;
        }
    }
    index_[hole] = IndexSlot{};
    --indexed_;
}

std::size_t Router::remove_bindings(ExchangeEntry& source, const Destination& destination) {
    std::size_t removed = 0;
    std::erase_if(source.bindings, [&](const Binding& b) {
        if (b.destination != destination) {
            return false;
        }
        source.exchange->unbind(b.destination, b.routing_key, b.arguments);
        ++removed;
        return true;
    });
    return removed;
}

void Router::remove_bindings_to(const Destination& destination) {
    const auto it = sources_.find(destination);
    if (it == sources_.end()) {
        return;
    }
    std::vector<std::string> sources = std::move(it->second);
    sources_.erase(it);
    std::sort(sources.begin(), sources.end());
    sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
    for (const std::string& name : sources) {
        if (const auto source = exchanges_.find(name); source != exchanges_.end()) {
            binding_count_ -= remove_bindings(*source->second, destination);
        }
    }
}

void Router::forget_source(const Destination& destination, std::string_view source) {
    const auto it = sources_.find(destination);
    if (it == sources_.end()) {
        return;
    }
    std::vector<std::string>& list = it->second;
    if (const auto s = std::find(list.begin(), list.end(), source); s != list.end()) {
        list.erase(s);
    }
    if (list.empty()) {
        sources_.erase(it);
    }
}

} // namespace warren::routing
