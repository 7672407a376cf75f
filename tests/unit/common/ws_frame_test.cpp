// ws_frame: frames written by one role are read back by the other at every length form, whole
// or a byte at a time; fragments, interleaved control frames, over-limit messages, and every
// protocol violation RFC 6455 names, each with the close code the peer must get.

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/ws_frame.hpp"

namespace warren::ws_frame {
namespace {

using Kind = Event::Kind;

struct Seen {
    Kind kind;
    std::string payload;
    std::uint16_t code = 0;
};

// What a session does: bytes arrive in chunks of `chunk` into a buffer; every whole event is
// taken out of it, and what was consumed is dropped after the event is handled.
std::vector<Seen> read_all(FrameReader& reader, const std::string& wire, std::size_t chunk,
                           std::size_t* wanted_seen = nullptr) {
    std::vector<Seen> out;
    std::string buffer;
    std::size_t fed = 0;
    while (true) {
        std::size_t consumed = 0;
        const Event e = reader.next(buffer.data(), buffer.size(), consumed);
        if (e.kind == Kind::need_more) {
            if (wanted_seen != nullptr && e.wanted > *wanted_seen) {
                *wanted_seen = e.wanted;
            }
            buffer.erase(0, consumed);
            if (fed == wire.size()) {
                return out;
            }
            const std::size_t n = std::min(chunk, wire.size() - fed);
            buffer.append(wire, fed, n);
            fed += n;
            continue;
        }
        out.push_back({e.kind, std::string(e.payload), e.code});
        buffer.erase(0, consumed);
        if (e.kind == Kind::failed) {
            return out;
        }
    }
}

std::string client_frame(Opcode op, std::string_view payload, std::uint32_t key = 0x1a2b3c4d) {
    std::string out;
    append_masked_frame(out, op, payload, key);
    return out;
}

// A raw frame with any first byte, masked with a zero key (so the payload reads as given).
std::string raw_frame(std::uint8_t first, std::string_view payload) {
    std::string out;
    append_masked_frame(out, Opcode::text, payload, 0);
    out[0] = static_cast<char>(first);
    return out;
}

TEST(WsFrame, EveryLengthFormRoundTripsFromAClient) {
    for (std::size_t size : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 200000u}) {
        SCOPED_TRACE(size);
        std::string payload(size, 'x');
        for (std::size_t i = 0; i < size; ++i) {
            payload[i] = static_cast<char>('a' + i % 26);
        }
        for (std::size_t chunk : {std::size_t{1} << 20, std::size_t{1}, std::size_t{7}}) {
            if (size > 70000 && chunk < 8) {
                continue; // a byte at a time over 200 KB proves nothing more
            }
            FrameReader reader(Role::server, 1u << 20);
            auto seen = read_all(reader, client_frame(Opcode::text, payload), chunk);
            ASSERT_EQ(seen.size(), 1u);
            EXPECT_EQ(seen[0].kind, Kind::text);
            EXPECT_EQ(seen[0].payload, payload);
        }
    }
}

TEST(WsFrame, ServerFramesAreUnmaskedAndReadByAClient) {
    std::string wire;
    append_frame(wire, Opcode::text, R"({"type":"pong"})");
    append_header(wire, Opcode::text, 70000);
    wire.append(70000, 'p');
    append_frame(wire, Opcode::ping, "hi");
    EXPECT_EQ(static_cast<unsigned char>(wire[0]), 0x81u);
    EXPECT_EQ(wire[1], 15); // no mask bit
    FrameReader reader(Role::client, 1u << 20);
    auto seen = read_all(reader, wire, 4096);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].payload, R"({"type":"pong"})");
    EXPECT_EQ(seen[1].payload, std::string(70000, 'p'));
    EXPECT_EQ(seen[2].kind, Kind::ping);
    EXPECT_EQ(seen[2].payload, "hi");
}

TEST(WsFrame, ManyFramesInOneReadComeOutInOrder) {
    std::string wire;
    for (int i = 0; i < 100; ++i) {
        wire += client_frame(Opcode::text, "frame " + std::to_string(i),
                             static_cast<std::uint32_t>(i * 2654435761u));
    }
    FrameReader reader(Role::server, 1024);
    auto seen = read_all(reader, wire, wire.size());
    ASSERT_EQ(seen.size(), 100u);
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(seen[static_cast<std::size_t>(i)].payload, "frame " + std::to_string(i));
    }
}

TEST(WsFrame, NeedMoreSaysHowBigTheFrameIs) {
    FrameReader reader(Role::server, 1u << 20);
    std::size_t wanted = 0;
    read_all(reader, client_frame(Opcode::text, std::string(5000, 'w')), 100, &wanted);
    EXPECT_EQ(wanted, 5000u + 4 + 4); // 16-bit length form, mask key
}

TEST(WsFrame, FragmentsJoinAroundControlFrames) {
    std::string wire = raw_frame(0x01, "hel"); // text, not final
    wire += client_frame(Opcode::ping, "are you there");
    wire += raw_frame(0x00, "l"); // continuation, not final
    wire += raw_frame(0x80, "o"); // continuation, final
    wire += client_frame(Opcode::text, "next");
    for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{1000}}) {
        SCOPED_TRACE(chunk);
        FrameReader reader(Role::server, 1024);
        auto seen = read_all(reader, wire, chunk);
        ASSERT_EQ(seen.size(), 3u);
        EXPECT_EQ(seen[0].kind, Kind::ping);
        EXPECT_EQ(seen[0].payload, "are you there");
        EXPECT_EQ(seen[1].kind, Kind::text);
        EXPECT_EQ(seen[1].payload, "hello");
        EXPECT_EQ(seen[2].payload, "next");
    }
}

TEST(WsFrame, Utf8IsCheckedOnTheWholeMessage) {
    // The euro sign split between two fragments is fine once joined.
    std::string split = raw_frame(0x01, "\xe2\x82");
    split += raw_frame(0x80, "\xac");
    FrameReader ok(Role::server, 1024);
    auto seen = read_all(ok, split, 1);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].payload, "\xe2\x82\xac");

    FrameReader bad(Role::server, 1024);
    seen = read_all(bad, client_frame(Opcode::text, "{\"id\":\"\xff\xfe\"}"), 64);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, Kind::failed);
    EXPECT_EQ(seen[0].code, close_code::bad_payload);

    FrameReader binary(Role::server, 1024);
    seen = read_all(binary, client_frame(Opcode::binary, std::string("\xff\x00\xfe", 3)), 64);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, Kind::binary);
    EXPECT_EQ(seen[0].payload, std::string("\xff\x00\xfe", 3));
}

struct Violation {
    const char* what;
    std::string wire;
    std::uint16_t code;
};

TEST(WsFrame, ProtocolViolationsFailWithTheirCloseCode) {
    std::string unmasked;
    append_frame(unmasked, Opcode::text, "hi");
    std::string long_ping = client_frame(Opcode::ping, std::string(126, 'p'));
    // "short" with the 16-bit length form, and a zero mask key.
    const std::string not_shortest =
        std::string("\x81\xfe\x00\x05", 4) + std::string(4, '\0') + "short";
    std::string top_bit =
        std::string("\x81\xff\x80", 3) + std::string(7, '\0') + std::string(4, '\0');
    const std::vector<Violation> cases = {
        {"unmasked client frame", unmasked, close_code::protocol_error},
        {"RSV1 set", raw_frame(0xC1, "x"), close_code::protocol_error},
        {"RSV3 set", raw_frame(0x91, "x"), close_code::protocol_error},
        {"opcode 3", raw_frame(0x83, "x"), close_code::protocol_error},
        {"opcode 0xB", raw_frame(0x8B, "x"), close_code::protocol_error},
        {"control frame over 125 bytes", long_ping, close_code::protocol_error},
        {"fragmented ping", raw_frame(0x09, "x"), close_code::protocol_error},
        {"16-bit length for 5 bytes", not_shortest, close_code::protocol_error},
        {"64-bit length with the top bit", top_bit, close_code::protocol_error},
        {"continuation first", raw_frame(0x80, "x"), close_code::protocol_error},
        {"text inside a fragmented text", raw_frame(0x01, "a") + raw_frame(0x81, "b"),
         close_code::protocol_error},
        {"close with one byte", raw_frame(0x88, "\x03"), close_code::protocol_error},
        {"close code 1005", raw_frame(0x88, "\x03\xed"), close_code::protocol_error},
        {"close code 999", raw_frame(0x88, "\x03\xe7"), close_code::protocol_error},
        {"close code 2000", raw_frame(0x88, "\x07\xd0"), close_code::protocol_error},
        {"close reason not UTF-8", raw_frame(0x88, "\x03\xe8\xff"), close_code::bad_payload},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        FrameReader reader(Role::server, 1024);
        auto seen = read_all(reader, c.wire, 1);
        ASSERT_FALSE(seen.empty());
        EXPECT_EQ(seen.back().kind, Kind::failed);
        EXPECT_EQ(seen.back().code, c.code);
        EXPECT_FALSE(seen.back().payload.empty()); // it says why
        // And it stays failed.
        std::size_t consumed = 0;
        std::string more = client_frame(Opcode::text, "after");
        EXPECT_EQ(reader.next(more.data(), more.size(), consumed).kind, Kind::failed);
    }
    // A masked frame from a server is as wrong as an unmasked one from a client.
    FrameReader client(Role::client, 1024);
    auto seen = read_all(client, client_frame(Opcode::text, "hi"), 64);
    ASSERT_EQ(seen.size(), 1u);
    EXPECT_EQ(seen[0].kind, Kind::failed);
}

TEST(WsFrame, CloseFramesCarryTheirCodeAndReason) {
    FrameReader reader(Role::server, 1024);
    std::string wire = client_frame(Opcode::close, "");
    wire += client_frame(Opcode::close, close_payload(1000, "bye"));
    wire += client_frame(Opcode::close, close_payload(4001, "app"));
    auto seen = read_all(reader, wire, 5);
    ASSERT_EQ(seen.size(), 3u);
    EXPECT_EQ(seen[0].kind, Kind::close);
    EXPECT_EQ(seen[0].code, close_code::no_status);
    EXPECT_EQ(seen[1].code, 1000);
    EXPECT_EQ(seen[1].payload, "bye");
    EXPECT_EQ(seen[2].code, 4001);
}

TEST(WsFrame, ClosePayloadFitsAControlFrameAndStaysUtf8) {
    const std::string reason = std::string(121, 'r') + "\xe2\x82\xac\xe2\x82\xac"; // 127 bytes
    const std::string payload = close_payload(1009, reason);
    EXPECT_LE(payload.size(), kMaxControlPayload);
    EXPECT_EQ(payload.substr(0, 2), "\x03\xf1");
    EXPECT_EQ(payload.substr(2), std::string(121, 'r')); // the cut euro sign is dropped whole
}

TEST(WsFrame, AMessageOverTheLimitIsReportedOnceAndSkipped) {
    for (std::size_t chunk : {std::size_t{1}, std::size_t{50}, std::size_t{100000}}) {
        SCOPED_TRACE(chunk);
        FrameReader reader(Role::server, 100);
        std::string wire = client_frame(Opcode::text, std::string(5000, 'x'));
        wire += client_frame(Opcode::ping, "still reading");
        // Fragments that together pass the limit: the rest of the message is skipped too.
        wire += raw_frame(0x01, std::string(60, 'a'));
        wire += raw_frame(0x00, std::string(60, 'b'));
        wire += raw_frame(0x00, std::string(60, 'c'));
        wire += raw_frame(0x80, std::string(60, 'd'));
        wire += client_frame(Opcode::text, "small");
        auto seen = read_all(reader, wire, chunk);
        ASSERT_EQ(seen.size(), 4u);
        EXPECT_EQ(seen[0].kind, Kind::too_large);
        EXPECT_EQ(seen[0].code, close_code::too_big);
        EXPECT_EQ(seen[1].kind, Kind::ping);
        EXPECT_EQ(seen[1].payload, "still reading");
        EXPECT_EQ(seen[2].kind, Kind::too_large);
        EXPECT_EQ(seen[3].kind, Kind::text);
        EXPECT_EQ(seen[3].payload, "small");
    }
}

TEST(WsFrame, MaskingMatchesTheRfcAtAnyOffset) {
    std::mt19937 rng(7);
    for (int round = 0; round < 200; ++round) {
        std::string data(rng() % 40, '\0');
        for (auto& c : data) {
            c = static_cast<char>(rng());
        }
        const std::uint32_t key = rng();
        const std::size_t offset = rng() % 4;
        unsigned char k[4];
        std::memcpy(k, &key, 4);
        std::string expected = data;
        for (std::size_t i = 0; i < expected.size(); ++i) {
            expected[i] = static_cast<char>(expected[i] ^ k[(i + offset) % 4]);
        }
        apply_mask(data.data(), data.size(), key, offset);
        ASSERT_EQ(data, expected);
    }
}

// Random bytes never crash the reader, and it never reports more than it was given.
TEST(WsFrame, GarbageNeverCrashesIt) {
    std::mt19937 rng(42);
    int failures = 0;
    for (int round = 0; round < 5000; ++round) {
        std::string wire(rng() % 64, '\0');
        for (auto& c : wire) {
            c = static_cast<char>(rng());
        }
        FrameReader reader(Role::server, 256);
        auto seen = read_all(reader, wire, 1 + rng() % 8);
        for (const auto& s : seen) {
            if (s.kind != Kind::failed) { // a failure's payload is its reason
                EXPECT_LE(s.payload.size(), wire.size());
            }
        }
        failures += (!seen.empty() && seen.back().kind == Kind::failed) ? 1 : 0;
    }
    EXPECT_GT(failures, 2500); // most garbage is refused
}

} // namespace
} // namespace warren::ws_frame
