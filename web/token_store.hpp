#pragma once

// TokenStore: short-lived login tokens for WebSocket clients that cannot send an Authorization
// header (browsers). POST /api/auth/token (Basic auth) issues one; GET /ws?token=... redeems it
// and logs in as the user who asked for it.
//
// Decisions: 32 random bytes from OpenSSL's CSPRNG, hex-encoded (64 characters); valid 60 s;
// single-use (a token in a URL may end up in a proxy log, so it must be worthless once used).
// Tokens live in memory only, keyed by their SHA-256 so that a lookup's timing reveals nothing
// about stored tokens. At most `max_tokens` are live; past that the oldest is dropped.
//
// Thread: safe from any thread (a mutex; touched once per login). Owned by main(); it must
// outlive the HTTP server.

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/error.hpp"
#include "web/auth.hpp"

namespace warren::web {

class TokenStore {
public:
    using Clock = std::chrono::steady_clock;

    explicit TokenStore(std::chrono::seconds lifetime = std::chrono::seconds(60),
                        std::size_t max_tokens = 10000);

    std::chrono::seconds lifetime() const { return lifetime_; }

    // A new token for `principal`. Error: internal when the CSPRNG fails.
    Result<std::string> issue(Principal principal, Clock::time_point now = Clock::now());

    // The principal of a live token, which is used up; nullopt for an unknown, used or expired
    // token.
    std::optional<Principal> redeem(std::string_view token, Clock::time_point now = Clock::now());

    std::size_t size() const;

private:
    struct Entry {
        Principal principal;
        Clock::time_point expires;
    };
    void prune(Clock::time_point now); // with mutex_ held

    std::chrono::seconds lifetime_;
    std::size_t max_tokens_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> tokens_;               // key: SHA-256 of the token
    std::deque<std::pair<Clock::time_point, std::string>> order_; // issue order (= expiry order)
};

} // namespace warren::web
