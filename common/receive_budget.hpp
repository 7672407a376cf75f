#pragma once

// ReceiveBudget: the bytes of client input held at once, across every connection of every edge,
// by requests and messages still being received (an HTTP body read so far, a WebSocket message
// being assembled). Each connection reserves before it reads a large input, as Redpanda
// reserves memory units per request; when the budget is spent the input is refused (HTTP 503
// with Retry-After, a WebSocket close 1013 "try again later") instead of held, so slow or
// hostile clients sending all but the last byte of many big bodies cannot grow the server's
// memory without bound.
//
// Thread-safe (an atomic count), though under threading model A every caller is the core thread.
// The budget must outlive its reservations.

#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>

namespace warren {

class ReceiveBudget {
public:
    explicit ReceiveBudget(std::uint64_t limit) : limit_(limit) {}
    ReceiveBudget(const ReceiveBudget&) = delete;
    ReceiveBudget& operator=(const ReceiveBudget&) = delete;

    // Bytes held against the budget; returned when it is destroyed or resized down.
    class Reservation {
    public:
        Reservation() = default;
        Reservation(Reservation&& other) noexcept
            : budget_(std::exchange(other.budget_, nullptr)),
              bytes_(std::exchange(other.bytes_, 0)) {}
        Reservation& operator=(Reservation&& other) noexcept {
            if (this != &other) {
                release();
                budget_ = std::exchange(other.budget_, nullptr);
                bytes_ = std::exchange(other.bytes_, 0);
            }
            return *this;
        }
        ~Reservation() { release(); }

        std::uint64_t bytes() const { return bytes_; }
        // Grows or shrinks to `bytes`; false (and unchanged) when growing would pass the limit.
        bool resize(ReceiveBudget& budget, std::uint64_t bytes) {
            if (budget_ != nullptr && budget_ != &budget) {
                release();
            }
            if (bytes > bytes_ && !budget.take(bytes - bytes_)) {
                return false;
            }
            if (bytes < bytes_) {
                budget.give(bytes_ - bytes);
            }
            budget_ = &budget;
            bytes_ = bytes;
            return true;
        }
        void release() {
            if (budget_ != nullptr && bytes_ > 0) {
                budget_->give(bytes_);
            }
            bytes_ = 0;
        }

    private:
        ReceiveBudget* budget_ = nullptr;
        std::uint64_t bytes_ = 0;
    };

    // A reservation of `bytes`, or nullopt when it would pass the limit.
    std::optional<Reservation> try_reserve(std::uint64_t bytes) {
        Reservation reservation;
        if (!reservation.resize(*this, bytes)) {
            return std::nullopt;
        }
        return reservation;
    }

    std::uint64_t in_use() const { return in_use_.load(std::memory_order_relaxed); }
    std::uint64_t limit() const { return limit_; }

private:
    bool take(std::uint64_t bytes) {
        std::uint64_t now = in_use_.load(std::memory_order_relaxed);
        do {
            if (bytes > limit_ || now > limit_ - bytes) {
                return false;
            }
        } while (!in_use_.compare_exchange_weak(now, now + bytes, std::memory_order_relaxed));
        return true;
    }
    void give(std::uint64_t bytes) { in_use_.fetch_sub(bytes, std::memory_order_relaxed); }

    std::atomic<std::uint64_t> in_use_{0};
    const std::uint64_t limit_;
};

} // namespace warren
