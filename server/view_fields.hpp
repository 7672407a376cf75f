#pragma once

// The sortable fields of each view, by the dotted names the management API gives them
// ("messages", "message_stats.publish_details.rate", "arguments.x-max-length"), for the `sort`
// of a list (server/list_page.hpp). A field a view does not have is nullopt ('undefined'), which
// sorts every item alike and so keeps the list's own order. Internal to server/; pure.

#include <optional>
#include <string_view>

#include <boost/json/value.hpp>

#include "server/views.hpp"

namespace warren::server {

using Field = std::optional<boost::json::value>;

Field field_of(const QueueView& view, std::string_view field);
Field field_of(const ExchangeView& view, std::string_view field);
Field field_of(const VhostView& view, std::string_view field);
Field field_of(const BindingView& view, std::string_view field);
Field field_of(const ConnectionView& view, std::string_view field);
Field field_of(const ConsumerView& view, std::string_view field);
Field field_of(const ChannelView& view, std::string_view field);
Field field_of(const User& view, std::string_view field);
Field field_of(const Permission& view, std::string_view field);

} // namespace warren::server
