#pragma once

// How warrenctl prints: aligned tables and key/value blocks for people, compact JSON (one
// document, one line) for scripts. Tables align by code points, so UTF-8 names line up.

#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace warren::ctl {

using Row = std::vector<std::string>;

void print_table(std::ostream& out, const Row& headers, const std::vector<Row>& rows);
void print_fields(std::ostream& out,
                  const std::vector<std::pair<std::string, std::string>>& fields);
void print_json(std::ostream& out, const boost::json::value& value);

// A JSON value as a table cell: strings bare, containers as compact JSON, null as "".
std::string cell(const boost::json::value& value);
// object[key] as a cell ("" when missing); `key` may be dotted ("message_stats.publish").
std::string cell(const boost::json::value& object, std::string_view key);
// The exchange name as RabbitMQ's tools show the default exchange.
std::string exchange_display(std::string_view name);

} // namespace warren::ctl
