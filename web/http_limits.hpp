#pragma once

// HttpLimits: the bounds an HttpSession reads requests with (main() sets them from the
// configuration). Apart from the session so that what reads requests without a socket (the
// fuzz targets, fuzz/) uses the very same values.

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "common/receive_budget.hpp"

namespace warren::web {

struct HttpLimits {
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 16 * 1024 * 1024;
    std::chrono::steady_clock::duration idle_timeout = std::chrono::seconds(60);
    std::size_t max_connections = 10000;
    // Bytes of bodies being received, server-wide (--receive-memory-limit); null: unbounded.
    ReceiveBudget* budget = nullptr;
};

// Body limit for a given --max-message-size: room for the message base64-encoded (4/3) inside a
// JSON publish request, plus 64 KiB for properties and headers.
inline std::size_t body_limit_for(std::uint64_t max_message_size) {
    return static_cast<std::size_t>(max_message_size + (max_message_size + 2) / 3 + 64 * 1024);
}

} // namespace warren::web
