#pragma once

// What warrenctl knows of topics (DESIGN.md section 7): a topic is an x-consistent-hash
// exchange with the argument x-partitions, its partitions the streams bound to it. Shared by the
// topic commands and consume (which reads every partition of a topic, or joins a group).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/warrenctl/context.hpp"

namespace warren::ctl {

// "orders", 2 -> "orders-2".
std::string partition_name(std::string_view topic, std::uint64_t index);

// The topic's partition streams in natural order ("t-2" before "t-10"); nothing when `name` is
// not a topic (no such exchange, or not one with x-partitions).
std::optional<std::vector<std::string>> topic_partitions(Context& ctx, std::string_view name);

} // namespace warren::ctl
