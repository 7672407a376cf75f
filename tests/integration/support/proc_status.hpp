#pragma once

// A field of /proc/<pid>/status, for tests that watch the server's memory.

#include <cstdint>
#include <fstream>
#include <string>

namespace warren::test {

// The field ("VmRSS", "VmHWM") in kB; -1 if unreadable.
inline std::int64_t proc_status_kb(int pid, const std::string& field) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.starts_with(field + ":")) {
            return std::stoll(line.substr(field.size() + 1));
        }
    }
    return -1;
}

} // namespace warren::test
