#pragma once

// ManualExecutor: a stand-in for the core thread in tests without Asio. Other threads post();
// the test thread runs what was posted with run_until(pred), which waits (bounded) for work.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace warren::testing {

class ManualExecutor {
public:
    std::function<void(std::function<void()>)> poster() {
        return [this](std::function<void()> f) { post(std::move(f)); };
    }

    void post(std::function<void()> f) {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(f));
        wake_.notify_all();
    }

    // Runs posted work until pred() holds; false if it did not within the timeout.
    template <class Pred>
    bool run_until(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!pred()) {
            std::function<void()> f;
            {
                std::unique_lock lock(mutex_);
                if (!wake_.wait_until(lock, deadline, [&] { return !queue_.empty(); })) {
                    return pred();
                }
                f = std::move(queue_.front());
                queue_.pop_front();
            }
            f();
        }
        return true;
    }

    // Runs whatever is queued now (not what it posts in turn).
    void run_ready() {
        std::deque<std::function<void()>> ready;
        {
            std::lock_guard lock(mutex_);
            ready.swap(queue_);
        }
        for (auto& f : ready) {
            f();
        }
    }

private:
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> queue_;
};

} // namespace warren::testing
