#include "server/dead_letter.hpp"

#include <boost/json.hpp>

namespace warren::server {

namespace json = boost::json;

namespace {

// The entries moved (the latest goes first), so x-death's type records are written afresh, as
// RabbitMQ types them: `time` an AMQP timestamp (T); count is a long, the default letter for
// an integer, and the rest are strings (Properties::header_types has the path format).
void type_deaths(json::object& types, const json::array& deaths) {
    constexpr std::string_view kPrefix = "/x-death";
    for (auto it = types.begin(); it != types.end();) {
        const std::string_view path = it->key();
        if (path.starts_with(kPrefix) &&
            (path.size() == kPrefix.size() || path[kPrefix.size()] == '/')) {
            it = types.erase(it);
        } else {
            ++it;
        }
    }
    for (std::size_t i = 0; i < deaths.size(); ++i) {
        const auto* entry = deaths[i].if_object();
        const auto* time = entry != nullptr ? entry->if_contains("time") : nullptr;
        if (time != nullptr && (time->is_int64() || time->is_uint64())) {
            types[std::string(kPrefix) + "/" + std::to_string(i) + "/time"] = "T";
        }
    }
}

} // namespace

DeadLetter make_dead_letter(const Message& original, std::string_view queue,
                            std::string_view reason, std::string_view dead_letter_exchange,
                            const std::string* dead_letter_routing_key, Millis now) {
    Message copy = original;
    auto& headers = copy.properties.headers;

    json::array deaths;
    if (auto* existing = headers.if_contains("x-death"); existing && existing->is_array()) {
        deaths = existing->get_array();
    }
    json::object entry;
    for (auto it = deaths.begin(); it != deaths.end(); ++it) {
        if (!it->is_object()) {
            continue;
        }
        const auto& o = it->get_object();
        const auto* q = o.if_contains("queue");
        const auto* r = o.if_contains("reason");
        if (q && r && q->is_string() && r->is_string() && q->get_string() == queue &&
            r->get_string() == reason) {
            entry = o;
            deaths.erase(it);
            break;
        }
    }
    if (entry.empty()) {
        entry["count"] = 0;
        entry["reason"] = reason;
        entry["queue"] = queue;
        entry["time"] = now / 1000; // AMQP timestamp: seconds
        entry["exchange"] = original.exchange;
        entry["routing-keys"] = json::array{json::value(original.routing_key)};
    }
    const auto* count = entry.if_contains("count");
    entry["count"] = (count && count->is_int64() ? count->get_int64() : 0) + 1;
    if (copy.properties.expiration) {
        entry["original-expiration"] = *copy.properties.expiration;
        copy.properties.expiration.reset();
    }
    deaths.insert(deaths.begin(), json::value(std::move(entry)));
    type_deaths(copy.properties.header_types, deaths);
    headers["x-death"] = std::move(deaths);

    if (!headers.contains("x-first-death-queue")) {
        headers["x-first-death-queue"] = queue;
        headers["x-first-death-reason"] = reason;
        headers["x-first-death-exchange"] = original.exchange;
    }
    headers["x-last-death-queue"] = queue;
    headers["x-last-death-reason"] = reason;
    headers["x-last-death-exchange"] = original.exchange;

    copy.exchange = std::string(dead_letter_exchange);
    if (dead_letter_routing_key) {
        copy.routing_key = *dead_letter_routing_key;
    }
    return DeadLetter{std::make_shared<const Message>(std::move(copy))};
}

bool is_dead_letter_cycle(const Message& message, std::string_view queue) {
    const auto* deaths = message.properties.headers.if_contains("x-death");
    if (!deaths || !deaths->is_array()) {
        return false;
    }
    bool seen_queue = false;
    for (const auto& d : deaths->get_array()) {
        if (!d.is_object()) {
            continue;
        }
        const auto* r = d.get_object().if_contains("reason");
        if (r && r->is_string() && r->get_string() == "rejected") {
            return false; // a consumer rejected it somewhere on the way: not an automatic loop
        }
        const auto* q = d.get_object().if_contains("queue");
        if (q && q->is_string() && q->get_string() == queue) {
            seen_queue = true;
        }
    }
    return seen_queue;
}

} // namespace warren::server
