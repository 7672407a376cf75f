#include "storage/sqlite/dedup_chunks.hpp"

#include <cstring>

namespace warren::storage::sqlite {
namespace {

template <typename T> void put(std::string& out, T value) {
    char bytes[sizeof(T)];
    auto v = static_cast<std::uint64_t>(value);
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        bytes[i] = static_cast<char>(v & 0xff);
        v >>= 8;
    }
    out.append(bytes, sizeof(T));
}

template <typename T> bool get(std::string_view& in, T& value) {
    if (in.size() < sizeof(T)) {
        return false;
    }
    std::uint64_t v = 0;
    for (std::size_t i = sizeof(T); i-- > 0;) {
        v = (v << 8) | static_cast<unsigned char>(in[i]);
    }
    value = static_cast<T>(v);
    in.remove_prefix(sizeof(T));
    return true;
}

} // namespace

void append_dedup_key(std::string& chunk, const DedupRecord& key) {
    put<std::uint64_t>(chunk, key.seq);
    put<std::int64_t>(chunk, key.expires_at);
    put<std::uint8_t>(chunk, key.routed ? 1 : 0);
    put<std::uint32_t>(chunk, static_cast<std::uint32_t>(key.key.size()));
    chunk.append(key.key);
}

Result<void> read_dedup_chunk(std::string_view chunk, const std::string& scope,
                              std::uint64_t below_seq, std::vector<DedupRecord>& out) {
    while (!chunk.empty()) {
        DedupRecord key;
        std::uint8_t routed = 0;
        std::uint32_t size = 0;
        if (!get(chunk, key.seq) || !get(chunk, key.expires_at) || !get(chunk, routed) ||
            !get(chunk, size) || chunk.size() < size) {
            return make_error(Errc::internal, "a dedup chunk of '" + scope + "' is truncated");
        }
        key.key.assign(chunk.substr(0, size));
        chunk.remove_prefix(size);
        if (key.seq < below_seq) {
            continue; // cut, but its chunk still held newer keys
        }
        key.scope = scope;
        key.routed = routed != 0;
        out.push_back(std::move(key));
    }
    return {};
}

} // namespace warren::storage::sqlite
