#pragma once

// Malloc tuning for glibc, applied by re-executing warren once at startup.
//
// Why: glibc's per-thread cache (tcache) keeps only 7 freed chunks per size class. warren
// allocates in bursts and frees them later in bursts (a commit group's messages, responses and
// frames are freed when the commit completes, partly on the store writer thread), so the cache
// overflows and most allocations take the arena path (_int_malloc, bin unlinking, fastbin
// consolidation, the arena lock). Under HTTP publish load that was 27 % of the core thread's
// CPU; with glibc.malloc.tcache_count=2048 the core thread spent 40 -> 28 us per publish
// (README "Performance"). 256 does as well (http-max, alternating runs: core 32-35 us per
// message at 256 and at 2048, 36-38 untuned) and keeps memory flat over a 30-minute soak, where
// 2048 let it creep by ~2 MiB per 10 minutes: each thread's cache filled slowly, size class by
// size class, with chunks malloc_trim cannot return. The cache only keeps chunks of up to
// 1 KiB that the process already used at its peak.
//
// How: glibc reads GLIBC_TUNABLES only when a process starts, so ensure_malloc_tuning() adds
// glibc.malloc.tcache_count to it and execs /proc/self/exe with the same arguments (same pid).
// Not done when GLIBC_TUNABLES already sets tcache_count (the operator's choice wins, and it
// stops a second exec), when WARREN_MALLOC_TUNING=off, under valgrind or a sanitizer (they bring
// their own malloc), or off glibc. If the exec fails, warren simply runs untuned.
//
// Thread: call first thing in main(), before any thread starts.

namespace warren::app {

inline constexpr const char* kTcacheTunable = "glibc.malloc.tcache_count";
inline constexpr int kTcacheCount = 256;

void ensure_malloc_tuning(char** argv);

} // namespace warren::app
