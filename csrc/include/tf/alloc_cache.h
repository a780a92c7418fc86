// A cache of large freed memory blocks, under NumPy's data allocator (csrc/bindings/alloc_cache.cpp
// installs it as a PyDataMem_Handler when _C is imported). Compiled once, baseline flags.
//
// Note [large array page faults]: glibc serves a block above its mmap threshold (dynamic, at most
// 32 MiB, and mallopt cannot raise it from inside the process) with a fresh mmap and unmaps it on
// free, so every such array's pages fault in again on first touch. A MobileNet depthwise layer on
// 32x112x112x32 float32 makes 51 MB outputs and gradients: ~1600 minor faults and ~7 ms of a
// 19-20 ms training step (bench/RESULTS.md "Why MobileNet dw 112 swings"). Here blocks of at
// least `min_bytes` (default 128 KiB: Note [cache threshold] in alloc_cache.cpp) are
// kept mapped when freed and handed out again for a request of the same size class (a request of n bytes gets a block of class_bytes(n): n rounded up to 1/8 of its
// power of two, so never more than 12.5% larger), so a training step reuses resident pages.
// Smaller requests, and blocks that are not ours, go to the fallback allocator: the handler that
// was NumPy's before (its default: malloc with a cache of tiny blocks and huge pages from 4 MiB),
// so below the threshold nothing changes; plain malloc / calloc / realloc / free until one is set.
//
// Bounds: the free blocks held total at most `cap_bytes` (the oldest are unmapped first), a new
// mapping first unmaps the oldest until live + held stays within the live blocks' own peak
// (Note [cache within the live peak] in alloc_cache.cpp), and a
// free block unused for longer than `max_age_ns` (default 2 s) is unmapped at the next take or
// release of a large block (Note [cache age limit] in alloc_cache.cpp); live blocks are the
// program's. Thread-safe: one mutex (NumPy may free without the GIL; the kernels'
// threads never allocate arrays). Blocks are 2 MiB aligned and asked to be transparent huge
// pages, as NumPy does for its own arrays of 4 MiB and more (Note [huge pages] in tf/workspace.h).
// POSIX only (mmap); elsewhere available() is false and nothing is installed.
#pragma once
#include <cstddef>
#include <cstdint>

namespace tf {

struct AllocCacheStats {
  size_t min_bytes, cap_bytes;          // configuration
  int64_t max_age_ns;
  size_t cached_bytes, cached_blocks;   // free blocks held for reuse
  size_t live_bytes, live_blocks;       // blocks handed out and not yet freed (capacities)
  size_t hits, misses, evictions;       // large requests served from the cache / mapped anew;
                                        // free blocks unmapped (cap, age limit, clear)
  size_t expired;                       // of the evictions: for the age limit
  size_t peak_live_bytes;               // the most live bytes since the start or the last clear
};

// NumPy's PyDataMemAllocator: the fallback's functions (`size` of free: the caller's hint).
struct AllocFallback {
  void* ctx;
  void* (*malloc)(void* ctx, size_t n);
  void* (*calloc)(void* ctx, size_t nelem, size_t elsize);
  void* (*realloc)(void* ctx, void* p, size_t n);
  void (*free)(void* ctx, void* p, size_t size);
};

// True where the cache can work (POSIX mmap).
bool alloc_cache_available();
// Set the fallback allocator, once, before the first allocation.
void alloc_cache_set_fallback(const AllocFallback& f);
// The allocator functions (NumPy's PyDataMemAllocator signatures, without ctx); `size` of free
// is only passed on to the fallback (ours are known by address).
void* alloc_cache_malloc(size_t n);
void* alloc_cache_calloc(size_t nelem, size_t elsize);
void* alloc_cache_realloc(void* p, size_t n);
void alloc_cache_free(void* p, size_t size);
// Change the threshold, the cap and (when max_age_ns >= 0) the age limit; free blocks beyond
// the new cap or age are unmapped at once.
void alloc_cache_configure(size_t min_bytes, size_t cap_bytes, int64_t max_age_ns = -1);
// Unmap every free block held (live blocks are untouched); the live peak restarts from now.
void alloc_cache_clear();
AllocCacheStats alloc_cache_stats();
// n rounded up to its size class (see Note [large array page faults]).
size_t alloc_cache_class_bytes(size_t n);

}  // namespace tf
