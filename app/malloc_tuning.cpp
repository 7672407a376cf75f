#include "app/malloc_tuning.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

namespace warren::app {

void ensure_malloc_tuning(char** argv) {
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    const char* wanted = std::getenv("WARREN_MALLOC_TUNING");
    if (wanted == nullptr || std::strcmp(wanted, "on") != 0) {
        return; // off by default (app/malloc_tuning.hpp says why)
    }
    // Under valgrind (its preload replaces malloc) an exec would leave the tool behind.
    const char* preload = std::getenv("LD_PRELOAD");
    if (preload != nullptr && std::strstr(preload, "vgpreload") != nullptr) {
        return;
    }
    const char* current = std::getenv("GLIBC_TUNABLES");
    std::string tunables = current != nullptr ? current : "";
    if (tunables.find(kTcacheTunable) != std::string::npos) {
        return; // already tuned (by us, before the exec, or by the operator)
    }
    if (!tunables.empty()) {
        tunables += ':';
    }
    tunables += std::string(kTcacheTunable) + "=" + std::to_string(kTcacheCount);
    if (setenv("GLIBC_TUNABLES", tunables.c_str(), 1) != 0) {
        return;
    }
    execv("/proc/self/exe", argv);
    // The exec failed (no /proc?): run as we are. The variable stays set, which is harmless.
#else
    (void)argv;
#endif
}

} // namespace warren::app
