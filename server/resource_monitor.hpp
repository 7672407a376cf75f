#pragma once

// ResourceMonitor: reads the process's resident memory and the data directory's free disk space
// and sets or clears the broker's alarms against the configured watermarks. main() calls
// check() once a second on the core thread; reading /proc and statvfs is cheap.

#include <cstdint>
#include <filesystem>
#include <optional>

#include "server/core.hpp"

namespace warren::server {

std::optional<std::uint64_t> resident_memory_bytes();
std::optional<std::uint64_t> physical_memory_bytes();
std::optional<std::uint64_t> disk_free_bytes(const std::filesystem::path& path);

// The watermarks, as the operator configured them (app/ turns flags into these).
struct ResourceLimits {
    std::filesystem::path data_dir;
    std::uint64_t memory_limit = 0; // bytes of resident memory; 0 = no memory alarm
    std::uint64_t disk_free_limit = 0;
};

class ResourceMonitor {
public:
    ResourceMonitor(Core& core, ResourceLimits limits);
    void check();

    std::uint64_t memory_limit() const { return memory_limit_; }
    std::uint64_t disk_free_limit() const { return disk_free_limit_; }
    const std::filesystem::path& data_dir() const { return data_dir_; }

private:
    Core& core_;
    std::filesystem::path data_dir_;
    std::uint64_t memory_limit_;
    std::uint64_t disk_free_limit_;
};

} // namespace warren::server
