#pragma once

// ResourceMonitor: reads the process's resident memory and the data directory's free disk space
// and sets or clears the broker's alarms against the configured watermarks. main() calls
// check() once a second on the core thread; reading /proc and statvfs is cheap.

#include <cstdint>
#include <filesystem>
#include <optional>

#include "server/broker.hpp"
#include "server/config.hpp"

namespace warren::server {

std::optional<std::uint64_t> resident_memory_bytes();
std::optional<std::uint64_t> physical_memory_bytes();
std::optional<std::uint64_t> disk_free_bytes(const std::filesystem::path& path);

class ResourceMonitor {
public:
    ResourceMonitor(Broker& broker, const Config& config);
    void check();

    std::uint64_t memory_limit() const { return memory_limit_; }
    std::uint64_t disk_free_limit() const { return disk_free_limit_; }
    const std::filesystem::path& data_dir() const { return data_dir_; }

private:
    Broker& broker_;
    std::filesystem::path data_dir_;
    std::uint64_t memory_limit_;
    std::uint64_t disk_free_limit_;
};

} // namespace warren::server
