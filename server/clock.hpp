#pragma once

// Clock: the broker's only source of time, injected so that TTL, x-expires and timers can be
// tested with a fake clock. Times are milliseconds since the Unix epoch: they are persisted
// (message expiry) and so must mean the same after a restart.

#include <chrono>
#include <cstdint>

namespace warren::server {

using Millis = std::int64_t;
inline constexpr Millis kNever = INT64_MAX;

class Clock {
public:
    virtual ~Clock() = default;
    virtual Millis now() const = 0;
};

class SystemClock final : public Clock {
public:
    Millis now() const override {
        using namespace std::chrono;
        return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    }
};

class FakeClock final : public Clock {
public:
    explicit FakeClock(Millis start = 1'700'000'000'000) : now_(start) {}
    Millis now() const override { return now_; }
    void advance(Millis ms) { now_ += ms; }

private:
    Millis now_;
};

} // namespace warren::server
