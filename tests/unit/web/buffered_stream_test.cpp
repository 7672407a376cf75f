// BufferedStream over a real loopback TCP connection: corked writes reach the peer together and
// in order, an uncorked write goes out by itself, a peer that never reads stalls the writer with
// the buffer bounded, the first socket error sticks, a drain completes only once every byte is in
// the socket, and small reads are served from one socket read.

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

#include "common/buffered_stream.hpp"

namespace warren {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

struct Pair {
    asio::io_context ioc;
    tcp::socket peer{ioc};
    std::unique_ptr<BufferedStream<tcp::socket>> writer;

    explicit Pair(std::size_t limit = BufferedStream<tcp::socket>::kDefaultWriteLimit,
                  int socket_buffer = 0) {
        tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
        tcp::socket client(ioc);
        client.open(tcp::v4());
        if (socket_buffer > 0) {
            client.set_option(asio::socket_base::send_buffer_size(socket_buffer));
        }
        client.connect(acceptor.local_endpoint());
        peer = acceptor.accept();
        if (socket_buffer > 0) {
            peer.set_option(asio::socket_base::receive_buffer_size(socket_buffer));
        }
        writer = std::make_unique<BufferedStream<tcp::socket>>(std::move(client));
        writer->set_write_limit(limit);
    }

    // Writes `text` through the coalescer; `done` sees the completion.
    void write(const std::string& text, std::function<void(error_code, std::size_t)> done) {
        auto data = std::make_shared<std::string>(text);
        writer->async_write_some(
            asio::buffer(*data),
            [data, done = std::move(done)](error_code ec, std::size_t n) { done(ec, n); });
    }

    std::string read_exactly(std::size_t n) {
        std::string out(n, '\0');
        asio::read(peer, asio::buffer(out));
        return out;
    }
};

TEST(BufferedStream, CorkedWritesWaitThenGoOutInOrder) {
    Pair pair;
    pair.writer->cork();
    std::string expected;
    int completed = 0;
    for (int i = 0; i < 100; ++i) {
        const std::string frame = "frame" + std::to_string(i) + ";";
        expected += frame;
        pair.write(frame, [&](error_code ec, std::size_t n) {
            EXPECT_FALSE(ec);
            EXPECT_GT(n, 0u);
            ++completed;
        });
    }
    pair.ioc.poll();
    EXPECT_EQ(completed, 100); // each write completed into the buffer
    EXPECT_EQ(pair.writer->pending_bytes(), expected.size()); // and nothing reached the socket
    EXPECT_EQ(pair.peer.available(), 0u);

    pair.writer->uncork();
    pair.ioc.restart();
    pair.ioc.run_for(std::chrono::milliseconds(100));
    EXPECT_EQ(pair.writer->pending_bytes(), 0u);
    EXPECT_EQ(pair.read_exactly(expected.size()), expected);
}

TEST(BufferedStream, UncorkingWritesAtOnceEvenIfCorkedAgain) {
    Pair pair;
    pair.writer->cork();
    pair.write("first", [](error_code, std::size_t) {});
    pair.ioc.poll();
    pair.writer->uncork(); // a writer flushing between bursts...
    pair.writer->cork();   // ...and going on corked
    pair.ioc.restart();
    pair.ioc.run_for(std::chrono::milliseconds(50));
    EXPECT_EQ(pair.writer->pending_bytes(), 0u);
    EXPECT_EQ(pair.read_exactly(5), "first");
}

TEST(BufferedStream, AnUncorkedWriteGoesOutByItself) {
    Pair pair;
    bool done = false;
    pair.write("hello", [&](error_code ec, std::size_t n) {
        EXPECT_FALSE(ec);
        EXPECT_EQ(n, 5u);
        done = true;
    });
    EXPECT_FALSE(done); // never completed inside the initiating call
    pair.ioc.poll();
    EXPECT_TRUE(done);
    EXPECT_EQ(pair.read_exactly(5), "hello");
}

TEST(BufferedStream, APeerThatNeverReadsStallsTheWriterWithTheBufferBounded) {
    constexpr std::size_t kLimit = 16 * 1024;
    constexpr std::size_t kChunk = 4 * 1024;
    Pair pair(kLimit, 8 * 1024);
    const std::string chunk(kChunk, 'x');
    std::size_t completed = 0;
    std::function<void()> next = [&] {
        pair.write(chunk, [&](error_code ec, std::size_t) {
            if (!ec) {
                ++completed;
                next();
            }
        });
    };
    next();
    pair.ioc.run_for(std::chrono::milliseconds(300));
    const std::size_t stalled_at = completed;
    pair.ioc.restart();
    pair.ioc.run_for(std::chrono::milliseconds(300));
    EXPECT_EQ(completed, stalled_at) << "the writer must wait while the peer does not read";
    EXPECT_LE(pair.writer->pending_bytes(), kLimit + kChunk);
    // Kernel buffers on both sides plus our two buffers: far below what an unbounded writer
    // would have accepted in 600 ms.
    EXPECT_LT(completed * kChunk, std::size_t{8} << 20);

    // Once the peer reads, the writer goes on.
    std::string sink(1 << 20, '\0');
    error_code ec;
    pair.peer.non_blocking(true);
    for (int i = 0; i < 50; ++i) {
        pair.peer.read_some(asio::buffer(sink), ec);
        pair.ioc.restart();
        pair.ioc.run_for(std::chrono::milliseconds(10));
    }
    EXPECT_GT(completed, stalled_at);
}

TEST(BufferedStream, TheFirstSocketErrorSticks) {
    Pair pair;
    pair.peer.close();
    error_code first;
    for (int i = 0; i < 100 && !first; ++i) {
        pair.write(std::string(64 * 1024, 'y'), [&](error_code ec, std::size_t) {
            if (ec) {
                first = ec;
            }
        });
        pair.ioc.restart();
        pair.ioc.run_for(std::chrono::milliseconds(20));
    }
    ASSERT_TRUE(first) << "writing to a closed peer must fail";
    error_code later;
    std::size_t later_bytes = 1;
    pair.write("more", [&](error_code ec, std::size_t n) {
        later = ec;
        later_bytes = n;
    });
    pair.ioc.restart();
    pair.ioc.poll();
    EXPECT_EQ(later, first);
    EXPECT_EQ(later_bytes, 0u);
}

TEST(BufferedStream, DrainCompletesOnceEverythingIsInTheSocket) {
    Pair pair;
    pair.writer->cork(); // a drain flushes even a corked buffer
    pair.write("abc", [](error_code, std::size_t) {});
    pair.write("def", [](error_code, std::size_t) {});
    bool drained = false;
    pair.writer->async_drain([&](error_code ec) {
        EXPECT_FALSE(ec);
        EXPECT_EQ(pair.writer->pending_bytes(), 0u);
        drained = true;
    });
    pair.ioc.run_for(std::chrono::milliseconds(200));
    EXPECT_TRUE(drained);
    EXPECT_EQ(pair.read_exactly(6), "abcdef");
}

} // namespace
} // namespace warren

namespace warren {
namespace {

TEST(BufferedStream, SmallReadsAreServedFromOneSocketRead) {
    Pair pair;
    std::string sent;
    for (int i = 0; sent.size() < 3000; ++i) {
        sent += "message " + std::to_string(i) + "\n";
    }
    asio::write(pair.peer, asio::buffer(sent));
    std::this_thread::sleep_for(std::chrono::milliseconds(20)); // all of it in the socket

    std::string received;
    std::function<void()> next = [&] {
        auto chunk = std::make_shared<std::array<char, 100>>();
        pair.writer->async_read_some(asio::buffer(*chunk),
                                     [&, chunk](error_code ec, std::size_t n) {
                                         ASSERT_FALSE(ec);
                                         received.append(chunk->data(), n);
                                         if (received.size() == 100) {
                                             // The first 100 bytes took everything the socket had
                                             // into the read-ahead.
                                             EXPECT_EQ(pair.writer->next_layer().available(), 0u);
                                         }
                                         if (received.size() < sent.size()) {
                                             next();
                                         }
                                     });
    };
    next();
    pair.ioc.run_for(std::chrono::milliseconds(200));
    EXPECT_EQ(received, sent);
}

} // namespace
} // namespace warren
