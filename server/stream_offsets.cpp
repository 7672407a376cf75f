#include "server/stream_offsets.hpp"

namespace warren::server {

void StreamOffsets::restore(std::string name, std::uint64_t offset) {
    named_[std::move(name)].stored = offset;
}

void StreamOffsets::add(const std::string& name) {
    named_.try_emplace(name);
}

std::optional<std::uint64_t> StreamOffsets::stored(std::string_view name) const {
    auto it = named_.find(name);
    return it == named_.end() ? std::nullopt : it->second.stored;
}

bool StreamOffsets::start_at(const std::string& name, std::uint64_t offset) {
    Named& named = named_[name];
    bool moved = false;
    if (offset >= 1 && (!named.stored || *named.stored + 1 < offset)) {
        named.stored = offset - 1;
        named.acked_above.clear();
        moved = true;
    }
    if (named.stored) {
        std::erase_if(named.acked_above, [&](std::uint64_t o) { return o <= *named.stored; });
    }
    return moved;
}

bool StreamOffsets::ack(const std::string& name, std::uint64_t offset) {
    Named& named = named_[name];
    if (named.stored && offset <= *named.stored) {
        return false;
    }
    const std::uint64_t next = named.stored ? *named.stored + 1 : 0;
    if (offset != next) {
        named.acked_above.insert(offset); // a gap before it holds the stored offset back
        return false;
    }
    std::uint64_t stored = offset;
    auto it = named.acked_above.begin();
    while (it != named.acked_above.end() && *it == stored + 1) {
        stored = *it;
        it = named.acked_above.erase(it);
    }
    named.stored = stored;
    return true;
}

void StreamOffsets::set(const std::string& name, std::uint64_t offset) {
    Named& named = named_[name];
    named.stored = offset;
    std::erase_if(named.acked_above, [&](std::uint64_t o) { return o <= offset; });
}

StreamConsumerView StreamOffsets::view_of(const std::string& name, std::uint64_t stored,
                                          std::uint64_t end) {
    return StreamConsumerView{name, stored, end > stored + 1 ? end - stored - 1 : 0};
}

std::vector<StreamConsumerView> StreamOffsets::views(std::uint64_t end) const {
    std::vector<StreamConsumerView> out;
    for (const auto& [name, named] : named_) {
        if (named.stored) {
            out.push_back(view_of(name, *named.stored, end));
        }
    }
    return out;
}

std::optional<StreamConsumerView> StreamOffsets::view(std::string_view name,
                                                      std::uint64_t end) const {
    auto it = named_.find(name);
    if (it == named_.end() || !it->second.stored) {
        return std::nullopt;
    }
    return view_of(it->first, *it->second.stored, end);
}

} // namespace warren::server
