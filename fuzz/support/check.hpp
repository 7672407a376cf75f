#pragma once

// FUZZ_CHECK: an invariant of a fuzz target. When it fails the target prints why and aborts,
// which libFuzzer reports as a crash and saves the input, like any sanitizer finding. Unlike
// assert() it is never compiled out.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace warren::fuzz {

[[noreturn]] inline void check_failed(const char* condition, std::string_view why, const char* file,
                                      int line) {
    std::fprintf(stderr, "%s:%d: invariant failed: %s\n  %.*s\n", file, line, condition,
                 static_cast<int>(why.size()), why.data());
    std::abort();
}

} // namespace warren::fuzz

#define FUZZ_CHECK(condition, why)                                                                 \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            ::warren::fuzz::check_failed(#condition, (why), __FILE__, __LINE__);                   \
        }                                                                                          \
    } while (false)
