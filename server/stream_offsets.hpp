#pragma once

// StreamOffsets: the stored offsets of a stream's named consumers (DESIGN.md section 7). A name's
// stored offset is the highest offset up to which every message was acked by that name: an ack
// past a gap waits until the gap closes, so a consumer that resumes after a crash gets again
// what it had not finished (LavinMQ stores the read cursor instead and skips those, its bug
// #1171). Bookkeeping only: the StreamLog journals every move it reports.
//
// Thread: the core executor only (owned by its StreamLog).

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "server/views.hpp"

namespace warren::server {

class StreamOffsets {
public:
    // Recovery: a stored offset as journaled.
    void restore(std::string name, std::uint64_t offset);
    // A name is known from its first reader on (so a standby can find it), stored or not.
    void add(const std::string& name);
    std::optional<std::uint64_t> stored(std::string_view name) const;

    // A reader of the name starts at `offset`: everything before it counts as done. True when
    // that moved the stored offset (to offset - 1).
    bool start_at(const std::string& name, std::uint64_t offset);
    // `name` acked `offset`: true when the stored offset moved (to stored(name)).
    bool ack(const std::string& name, std::uint64_t offset);
    // Stores `offset` for the name as given (an HTTP commit); acks at or below it are forgotten.
    void set(const std::string& name, std::uint64_t offset);

    // The names with a stored offset, with their lag behind `end` (the next offset to append).
    std::vector<StreamConsumerView> views(std::uint64_t end) const;
    std::optional<StreamConsumerView> view(std::string_view name, std::uint64_t end) const;

private:
    struct Named {
        std::optional<std::uint64_t> stored; // none: nothing acked yet
        std::set<std::uint64_t> acked_above; // acked offsets past stored + 1
    };
    static StreamConsumerView view_of(const std::string& name, std::uint64_t stored,
                                      std::uint64_t end);

    std::map<std::string, Named, std::less<>> named_;
};

} // namespace warren::server
