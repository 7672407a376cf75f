#include "web/commit.hpp"

#include "web/await_callback.hpp"

namespace warren::web {

boost::asio::awaitable<Result<void>> wait_for_commit(server::Broker& broker) {
    co_return co_await await_callback<Result<void>>(
        [&broker](std::function<void(Result<void>)> done) {
            broker.when_committed(std::move(done));
        });
}

} // namespace warren::web
