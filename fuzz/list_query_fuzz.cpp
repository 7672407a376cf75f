// list_query: a list request's name filter, sort and page (server/list_query.hpp), as the core
// answers it (server/list_page: NameFilter, term_less, make_page) through Broker::list_queues,
// list_exchanges, list_bindings and list_vhosts, over a broker with a few vhosts, queues of
// different shapes (arguments of every JSON type, messages, mixed-case and UTF-8 names) and a
// user who sees only one vhost. The ListQuery comes from the bytes (fuzz/support/byte_reader,
// in the order of main below and make_query), over its whole domain: the HTTP edge refuses page 0
// and page sizes outside 1..500 first (web/list_query), but the facade is every edge's, so it must
// answer those too.
//
// Invariants besides "no crash, leak or UB": a refusal is an Error, never an exception; counts
// add up (filtered <= total, a page no larger than page_size, page_count = ceil(filtered /
// page_size)); a substring filter keeps only names that contain it (ASCII case ignored); a page
// is exactly its slice of the same list asked for unpaged.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>

#include "fuzz/support/byte_reader.hpp"
#include "fuzz/support/check.hpp"
#include "server/broker.hpp"
#include "server/clock.hpp"

namespace {

namespace json = boost::json;
using warren::server::Broker;
using warren::server::ListQuery;
using warren::server::Page;
using warren::server::Principal;

const Principal kAdmin{"guest", {"administrator"}, true};
const Principal kUser{"alice", {"management"}, true};

// Sort fields the views know, and some they do not.
constexpr std::array<std::string_view, 16> kSortFields = {"name",
                                                          "vhost",
                                                          "messages",
                                                          "durable",
                                                          "arguments",
                                                          "arguments.x-max-length",
                                                          "type",
                                                          "consumers",
                                                          "message_stats.publish",
                                                          "internal",
                                                          "arguments.x-q",
                                                          "message_stats.publish_details.rate",
                                                          "auto_delete",
                                                          "routing_key",
                                                          "destination",
                                                          "arguments.x-queue-type"};

struct Fixture {
    warren::server::FakeClock clock;
    Broker broker{clock};

    Fixture() {
        broker.ensure_default_user("guest", "guest");
        must(broker.declare_vhost(kAdmin, "other"));
        must(broker.declare_vhost(kAdmin, "Ünïcødé"));
        must(broker.put_user(kAdmin, {"alice", {"management"}, "pw", {}, {}}));
        must(broker.set_permission(kAdmin, {"alice", "other", ".*", ".*", ".*"}));
        const std::array<std::pair<const char*, const char*>, 12> queues = {{
            {"/", "orders"},
            {"/", "Orders-EU"},
            {"/", "payments.é"},
            {"/", "amq.gen-JzTY20BRgKO"},
            {"/", "a"},
            {"/", "b"},
            {"other", "orders"},
            {"other", "ORDERS.dlq"},
            {"other", "zz"},
            {"Ünïcødé", "ü"},
            {"Ünïcødé", "x"},
            {"other", "0"},
        }};
        const std::array<const char*, 6> arguments = {
            R"({})",
            R"({"x-max-length":10})",
            R"({"x-max-length":3,"x-queue-type":"classic"})",
            R"({"x-message-ttl":60000,"x-q":true})",
            R"({"x-q":"text","x-dead-letter-exchange":"dlx"})",
            R"({"x-q":{"nested":[1,2]},"x-max-length":1.5e3})",
        };
        for (std::size_t i = 0; i < queues.size(); ++i) {
            warren::server::QueueSpec spec;
            spec.name = queues[i].second;
            spec.durable = i % 2 == 0;
            spec.arguments = json::parse(arguments[i % arguments.size()]).as_object();
            (void)broker.declare_queue(kAdmin, queues[i].first, spec); // some refuse a shape
            for (std::size_t m = 0; m < i % 4; ++m) {
                (void)broker.publish(
                    kAdmin, queues[i].first, "",
                    warren::make_message("", spec.name, {}, std::string(m * 10, 'x')));
            }
        }
        for (const char* name : {"events", "Events.Topic", "zz"}) {
            warren::server::ExchangeSpec spec;
            spec.name = name;
            spec.type = name[0] == 'e' ? "topic" : "fanout";
            must(broker.declare_exchange(kAdmin, "/", spec));
            warren::server::BindingSpec binding;
            binding.source = name;
            binding.destination = "orders";
            binding.routing_key = std::string(name) + ".#";
            must(broker.bind(kAdmin, "/", binding));
        }
    }

    template <class R> static void must(const R& result) {
        FUZZ_CHECK(result.has_value(), "fixture setup failed: " + result.error().reason);
    }
};

Fixture& fixture() {
    static Fixture f; // read only from here on: every list call is const
    return f;
}

ListQuery make_query(warren::fuzz::ByteReader& in) {
    ListQuery q;
    q.name = in.string(32);
    q.use_regex = in.boolean();
    if (in.boolean()) {
        q.sort = kSortFields[in.choice(kSortFields.size())];
    } else {
        q.sort = in.string(32);
    }
    q.sort_reverse = in.boolean();
    if (in.boolean()) {
        q.page = in.boolean() ? in.integer_in(0, 20) : in.integer();
        q.page_size = in.boolean() ? in.integer_in(0, 8) : in.integer();
    }
    return q;
}

bool contains_ignoring_ascii_case(std::string_view haystack, std::string_view needle) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
        bool all = true;
        for (std::size_t j = 0; j < needle.size() && all; ++j) {
            all = lower(haystack[i + j]) == lower(needle[j]);
        }
        if (all) {
            return true;
        }
    }
    return false;
}

// The invariants of one answer; `name_of` gives an item's name (a binding's source: bindings
// have no name and the filter does not apply to them). `denied`: the caller may not see the
// vhost, so the answer is permission_denied (or bad_request, whichever is checked first).
template <class View, class List, class Name>
void check_list(const ListQuery& query, List list, Name name_of, bool denied, bool named = true) {
    const warren::Result<Page<View>> page = list(query);
    if (!page) {
        FUZZ_CHECK(page.error().code == warren::Errc::bad_request ||
                       (denied && page.error().code == warren::Errc::permission_denied),
                   "a list refused with an unexpected error: " + page.error().reason);
        return;
    }
    FUZZ_CHECK(!denied, "a list of a vhost the caller may not see");
    FUZZ_CHECK(page->filtered_count <= page->total_count, "more filtered than total");
    if (!query.page) {
        FUZZ_CHECK(page->items.size() == page->filtered_count, "an unpaged list lost items");
    } else {
        FUZZ_CHECK(page->items.size() <= query.page_size, "a page larger than page_size");
        FUZZ_CHECK(page->page_count ==
                       (page->filtered_count + query.page_size - 1) / query.page_size,
                   "page_count is not ceil(filtered / page_size)");
    }
    if (named && !query.name.empty() && !query.use_regex) {
        for (const View& view : page->items) {
            FUZZ_CHECK(contains_ignoring_ascii_case(name_of(view), query.name),
                       "an item the name filter should have dropped");
        }
    }
    if (query.page) {
        ListQuery whole = query;
        whole.page.reset();
        const warren::Result<Page<View>> all = list(whole);
        FUZZ_CHECK(all.has_value(), "the unpaged list failed where the page did not");
        const std::uint64_t first = (*query.page - 1) * query.page_size;
        for (std::size_t i = 0; i < page->items.size(); ++i) {
            FUZZ_CHECK(first + i < all->items.size(), "a page item past the whole list");
            FUZZ_CHECK(name_of(page->items[i]) == name_of(all->items[first + i]),
                       "a page is not its slice of the whole list");
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    warren::fuzz::ByteReader in(data, size);
    const Principal& who = in.boolean() ? kAdmin : kUser;
    const ListQuery query = make_query(in);
    const Broker& broker = fixture().broker;
    std::optional<std::string_view> vhost;
    if (in.boolean()) {
        vhost = in.boolean() ? std::string_view("/") : std::string_view("other");
    }
    using namespace warren::server;
    const bool denied = &who == &kUser && vhost == "/"; // alice has permissions on "other" only
    check_list<QueueView>(
        query, [&](const ListQuery& q) { return broker.list_queues(who, vhost, q); },
        [](const QueueView& v) { return std::string_view(v.name); }, denied);
    check_list<ExchangeView>(
        query, [&](const ListQuery& q) { return broker.list_exchanges(who, vhost, q); },
        [](const ExchangeView& v) { return std::string_view(v.name); }, denied);
    check_list<VhostView>(
        query, [&](const ListQuery& q) { return broker.list_vhosts(who, q); },
        [](const VhostView& v) { return std::string_view(v.name); }, false);
    BindingFilter filter;
    if (vhost) {
        filter.vhost = std::string(*vhost);
    }
    check_list<BindingView>(
        query, [&](const ListQuery& q) { return broker.list_bindings(who, filter, q); },
        [](const BindingView& v) { return std::string_view(v.binding.source); }, denied, false);
    return 0;
}
