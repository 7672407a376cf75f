#pragma once

// wait_until(pred, timeout): polls a condition until it holds or the time is up, so tests wait for
// an effect instead of sleeping a guessed amount and hoping. Returns whether it held.

#include <chrono>
#include <thread>

namespace warren::test {

template <class Predicate>
bool wait_until(Predicate&& predicate,
                std::chrono::steady_clock::duration timeout = std::chrono::seconds(5)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (predicate()) {
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

} // namespace warren::test
