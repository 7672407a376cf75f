#pragma once

// Transparent hashing for string-keyed hash maps, so that lookups by std::string_view (the routing
// key, a word of it, an exchange name) construct no std::string (C++20 heterogeneous lookup).

#include <cstddef>
#include <functional>
#include <string_view>

namespace warren::routing {

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

} // namespace warren::routing
