#pragma once

// HeadersExchange: the routing key is ignored; a binding's arguments are matched against the
// message headers (rabbit_exchange_type_headers semantics, checked against RabbitMQ 3.10):
// - x-match "all" (the default) needs every key, "any" at least one key, present with an equal
//   value; "all-with-x" / "any-with-x" do the same but also count keys starting with "x-",
//   which the plain modes skip. The key "x-match" itself never counts.
// - "all" with no counted keys matches every message; "any" with none matches nothing.
// - A binding value of JSON null (AMQP void) matches on the header's presence alone.
// - Values compare by JSON equality, except that two numbers at the top level compare by value
//   (1 equals 1.0, as Erlang's == does); inside arrays and objects types must agree.
// Lifetime and threads: owned by Router's exchange entry; no locks, the owner serializes calls.

#include <string>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "common/error.hpp"
#include "routing/bound_destination.hpp"
#include "routing/exchange.hpp"

namespace warren::routing {

enum class HeadersMatch { all, any, all_with_x, any_with_x };

// Reads "x-match" from binding arguments: absent -> all; otherwise it must be one of the four
// mode strings, else bad_request (RabbitMQ refuses the binding too).
Result<HeadersMatch> parse_x_match(const boost::json::object& arguments);

// Whether a message with `headers` matches a binding with `arguments` in `mode`.
bool headers_match(HeadersMatch mode, const boost::json::object& arguments,
                   const boost::json::object& headers);

// Whether a header value equals a binding value, as the headers exchange compares them.
bool header_value_equal(const boost::json::value& binding, const boost::json::value& header);

class HeadersExchange final : public Exchange {
public:
    ExchangeType type() const override { return ExchangeType::headers; }
    // Arguments with an invalid x-match are not bound (false); Router reports why beforehand.
    bool bind(const Destination& destination, std::string_view binding_key,
              const boost::json::object& arguments) override;
    bool unbind(const Destination& destination, std::string_view binding_key,
                const boost::json::object& arguments) override;
    // Tests every binding: headers routing has no index (nor has RabbitMQ's).
    void collect(std::string_view routing_key, const boost::json::object& headers,
                 std::vector<const Destination*>& out) const override;

private:
    struct Entry {
        std::string key; // part of the binding's identity only
        BoundDestination bound;
        HeadersMatch mode;
    };
    std::vector<Entry> bindings_;
};

} // namespace warren::routing
