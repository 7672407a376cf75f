#pragma once

// What the host says about this process and its disk: resident memory, physical memory, free
// space under a path. Read from /proc and statvfs, cheap enough to call once a second; nullopt
// when the host does not say. app/ reports them to the broker, which decides the alarms.

#include <cstdint>
#include <filesystem>
#include <optional>

namespace warren {

std::optional<std::uint64_t> resident_memory_bytes();
std::optional<std::uint64_t> physical_memory_bytes();
std::optional<std::uint64_t> disk_free_bytes(const std::filesystem::path& path);

} // namespace warren
