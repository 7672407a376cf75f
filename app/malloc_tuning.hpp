#pragma once

// Malloc tuning for glibc, opt-in (WARREN_MALLOC_TUNING=on), applied by re-executing warren
// once at startup.
//
// Why it exists: glibc's per-thread cache (tcache) keeps only 7 freed chunks per size class.
// warren allocates in bursts and frees them later in bursts (a commit group's messages,
// responses and frames are freed when the commit completes, partly on the store writer thread),
// so the cache overflows and most allocations take the arena path. With a larger cache the core
// thread spends less per HTTP publish (http-max, alternating runs: 32-35 us per message at
// tcache_count 256 or 2048, 36-38 untuned; WebSocket publish shows no difference).
//
// Why it is off by default: a 30-minute mixed soak (bench/soak.sh) is flat untuned (-0.24 MiB
// per 10 minutes) but creeps with the larger cache (+1.25 MiB per 10 minutes at 256, +1.9 to
// +2.5 at 2048, slowing as each thread's cache fills size class by size class with chunks
// malloc_trim cannot return). Flat memory wins the default; an HTTP-publish-heavy deployment
// may trade it for ~10 % of core CPU.
//
// How: glibc reads GLIBC_TUNABLES only when a process starts, so ensure_malloc_tuning() adds
// glibc.malloc.tcache_count to it and execs /proc/self/exe with the same arguments (same pid).
// Only when WARREN_MALLOC_TUNING=on, and not when GLIBC_TUNABLES already sets tcache_count (the
// operator's choice wins, and it stops a second exec), under valgrind or a sanitizer (they
// bring their own malloc), or off glibc. If the exec fails, warren simply runs untuned.
//
// Thread: call first thing in main(), before any thread starts.

namespace warren::app {

inline constexpr const char* kTcacheTunable = "glibc.malloc.tcache_count";
inline constexpr int kTcacheCount = 256;

void ensure_malloc_tuning(char** argv);

} // namespace warren::app
