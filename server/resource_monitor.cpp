#include "server/resource_monitor.hpp"

#include <fstream>
#include <string>

#include <spdlog/spdlog.h>

#include <sys/statvfs.h>
#include <unistd.h>

namespace warren::server {

std::optional<std::uint64_t> resident_memory_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0;
    std::uint64_t resident = 0;
    if (!(statm >> size >> resident)) {
        return std::nullopt;
    }
    return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

std::optional<std::uint64_t> physical_memory_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES);
    const long page = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page <= 0) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

std::optional<std::uint64_t> disk_free_bytes(const std::filesystem::path& path) {
    struct statvfs info {};
    if (statvfs(path.c_str(), &info) != 0) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(info.f_bavail) * info.f_frsize;
}

ResourceMonitor::ResourceMonitor(Core& core, ResourceLimits limits)
    : core_(core), data_dir_(std::move(limits.data_dir)), memory_limit_(limits.memory_limit),
      disk_free_limit_(limits.disk_free_limit) {}

void ResourceMonitor::check() {
    if (auto rss = resident_memory_bytes(); rss && memory_limit_ > 0) {
        if (*rss > memory_limit_) {
            core_.set_alarm(Core::Alarm::memory, true,
                            "memory alarm: the broker uses " + std::to_string(*rss >> 20) +
                                " MiB, past its high watermark of " +
                                std::to_string(memory_limit_ >> 20) + " MiB");
        } else {
            core_.set_alarm(Core::Alarm::memory, false);
        }
    }
    if (auto free = disk_free_bytes(data_dir_)) {
        if (*free < disk_free_limit_) {
            core_.set_alarm(Core::Alarm::disk, true,
                            "disk alarm: " + std::to_string(*free >> 20) +
                                " MiB free on the data disk, below the limit of " +
                                std::to_string(disk_free_limit_ >> 20) + " MiB");
        } else {
            core_.set_alarm(Core::Alarm::disk, false);
        }
    }
}

} // namespace warren::server
