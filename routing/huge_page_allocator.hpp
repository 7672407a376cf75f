#pragma once

// HugePageAllocator: a std allocator that asks the kernel to back large arrays with transparent
// huge pages (2 MiB) where it can. A topic shape index at 100 000 bindings probes a table of
// many megabytes at random; with 4 KiB pages nearly every probe also misses the TLB, and a page
// walk per probe costs about as much as the cache miss itself. Small arrays, and systems
// without madvise(MADV_HUGEPAGE), get ordinary memory: this is a hint, never a requirement.
// Stateless; any thread.

#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace warren::routing {

template <class T> class HugePageAllocator {
public:
    using value_type = T;
    // Below this an array gets no huge page of its own.
    static constexpr std::size_t kHugePage = std::size_t{2} << 20;

    HugePageAllocator() = default;
    template <class U> HugePageAllocator(const HugePageAllocator<U>& /*other*/) noexcept {}

    T* allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        if (bytes < kHugePage) {
            return static_cast<T*>(::operator new (bytes, std::align_val_t{alignof(T)}));
        }
        // Whole, aligned huge pages, so the kernel can map every part of the array with them.
        const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
        void* p = std::aligned_alloc(kHugePage, rounded);
        if (p == nullptr) {
            throw std::bad_alloc();
        }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        ::madvise(p, rounded, MADV_HUGEPAGE); // a hint: failure leaves ordinary pages
#endif
        return static_cast<T*>(p);
    }

    void deallocate(T* p, std::size_t n) noexcept {
        if (n * sizeof(T) < kHugePage) {
            ::operator delete (p, std::align_val_t{alignof(T)});
        } else {
            std::free(p);
        }
    }

    template <class U>
    friend bool operator==(const HugePageAllocator&, const HugePageAllocator<U>&) {
        return true;
    }
};

} // namespace warren::routing
