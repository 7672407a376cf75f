#include "tools/perf/client_stream.hpp"

#include <cstring>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "tools/perf/connect.hpp"

namespace warren::perf {

namespace asio = boost::asio;

namespace {
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
} // namespace

void ClientStream::fail(const std::string& why) const {
    throw ConnectError(std::string(who_) + " connection lost: " + why);
}

asio::awaitable<void> ClientStream::flush() {
    if (out_.empty()) {
        co_return;
    }
    writing_.swap(out_);
    out_.clear();
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(writing_), kTuple);
    (void)n;
    writing_.clear();
    if (ec) {
        fail(ec.message());
    }
}

asio::awaitable<bool> ClientStream::read_more() {
    const std::size_t left = in_end_ - in_begin_;
    if (in_begin_ > 0) {
        std::memmove(in_.data(), in_.data() + in_begin_, left);
        in_begin_ = 0;
        in_end_ = left;
    }
    if (in_end_ == in_.size()) {
        in_.resize(2 * in_.size()); // a frame bigger than the buffer
    }
    auto [ec, n] = co_await stream_.async_read_some(
        asio::buffer(in_.data() + in_end_, in_.size() - in_end_), kTuple);
    if (ec) {
        if (closing_) {
            co_return false;
        }
        fail(ec.message());
    }
    in_end_ += n;
    co_return true;
}

void ClientStream::abort() {
    boost::system::error_code ec;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    stream_.close();
}

} // namespace warren::perf
