#pragma once

// What warrenctl's WebSocket commands share: connecting (an upgrade refusal becomes the same
// Failure an HTTP answer would), and server frames parsed, with error frames turned into
// Failures (not_found -> exit 3, others -> exit 1).

#include <memory>
#include <string_view>

#include <boost/json/object.hpp>

#include "tools/client/ws_client.hpp"
#include "tools/warrenctl/context.hpp"

namespace warren::ctl {

std::unique_ptr<client::WsClient> connect_ws(Context& ctx);

// The frame as a JSON object; throws Failure for a frame that is not one.
boost::json::object parse_frame(std::string_view text);

// The Failure an {"type":"error"} frame means.
Failure failure_of_frame(const boost::json::object& frame);

} // namespace warren::ctl
