// The cache of large freed blocks under NumPy's data allocator: see tf/alloc_cache.h and
// Note [large array page faults] there. Compiled once, baseline flags, into _C.
//
// State: `live` maps each block handed out to its capacity (so free and realloc know a block is
// ours whatever size NumPy passes with it); `free_blocks` holds the blocks freed and kept,
// oldest first (in the order of freeing; each carries its time for the age limit). Everything
// is under one mutex, held only around bookkeeping and mmap/munmap, never while calling back
// into Python; a fork (multiprocessing) takes it first so the child starts with it unlocked.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <unordered_map>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#define TF_ALLOC_CACHE_MMAP 1
#endif

#include "tf/alloc_cache.h"

namespace tf {

namespace {

constexpr size_t kAlign = size_t(2) << 20;  // 2 MiB: whole transparent huge pages
constexpr size_t kPage = 4096;

struct Block {
  void* p;
  size_t cap;
  int64_t freed_ns;  // monotonic time of the free that put it in the free list
};

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct State {
  std::mutex mu;
  std::unordered_map<void*, size_t> live;
  std::vector<Block> free_blocks;  // oldest first
  // Note [cache threshold]: glibc serves a block of 128 KiB or more (M_MMAP_THRESHOLD's
  // default) with a fresh mmap until it has freed one; then its dynamic threshold rises to that
  // block's size (at most 32 MiB) and smaller blocks come from its heap, whose top is given back
  // to the system once more than twice that is free there, which is what a training step does
  // when its graph is freed. Either way a step's activations and gradients fault their pages in
  // again on every step: MobileNetV2 at batch 8 on 96x96 took ~1400-9000 minor faults and 5-20
  // ms of system time per ~90 ms step with a 32 MiB threshold, none with 128 KiB (bench/
  // RESULTS.md "trainovh"; 1 MiB and 4 MiB still faulted ~1500-5600 times per step). So the
  // cache takes from glibc's default threshold up: below it glibc's heap serves without faults.
  // The cost: freed blocks stay mapped up to the age limit below, so a run's peak RSS grows by
  // what it freed and did not reuse within 2 s (the zoo LeNet's fit: 104 -> 151 MiB, its data
  // preparation's arrays; MobileNetV2 above: 472 -> 497 MiB), and every free takes the lock.
  std::atomic<size_t> min_bytes{size_t(128) << 10};  // read without the lock by malloc
  size_t cap_bytes = size_t(1) << 30;
  // Note [cache age limit]: the cap alone kept a one-off large temporary (data preparation, a
  // big predict) mapped until later frees pushed it out, so RSS stayed up to the cap (1 GiB)
  // above what the program used. A free block unused for longer than max_age_ns is unmapped at
  // the next take or release of a large block (no background thread: a program that makes no
  // more large arrays keeps what it holds until clear_alloc_cache()). A training step frees and
  // retakes its blocks within milliseconds, so it still hits; a step slower than the limit
  // faults its blocks in again, ~0.14 ms per MiB (Note [large array page faults]: 7 ms for
  // 51 MB): for a step of 2 s or more, at most 1% of it per 146 MiB of large arrays it makes.
  // 2 s, not less, so that a short validation pass or callback between epochs does not cost
  // the next epoch's first step its blocks (a judgement, not measured); bench/RESULTS.md
  // "evict8" for the faults per step and the RSS given back.
  int64_t max_age_ns = int64_t(2) * 1000 * 1000 * 1000;
  size_t cached_bytes = 0, live_bytes = 0;
  // Note [cache within the live peak]: the free blocks held count in the process's resident
  // memory beside the live ones, and a block of one size class serves no request of another:
  // a training step whose forward frees blocks of classes its backward does not ask for mapped
  // new ones beside them, so its peak RSS grew by what the cache held (a Transformer block at
  // batch 64: 133 MiB a step against 81 without the cache, PyTorch's 74; bench/RESULTS.md
  // "Training memory (lane mem25)"). So a miss first unmaps the oldest free blocks until the
  // blocks mapped (live + held + the new one) stay within the highest the live ones alone
  // have reached (peak_live): the cache never takes the process above what it would need
  // without it, and a step that repeats its sizes still finds its blocks.
  size_t peak_live = 0;
  size_t hits = 0, misses = 0, evictions = 0, expired = 0;
  // The number of live blocks, read without the lock: while it is 0, free() of a pointer
  // cannot be ours and goes straight to the fallback.
  std::atomic<size_t> n_live{0};
};

void* std_malloc(void*, size_t n) { return std::malloc(n ? n : 1); }
void* std_calloc(void*, size_t nelem, size_t elsize) {
  return std::calloc(nelem ? nelem : 1, elsize ? elsize : 1);
}
void* std_realloc(void*, void* p, size_t n) { return std::realloc(p, n ? n : 1); }
void std_free(void*, void* p, size_t) { std::free(p); }
AllocFallback g_fallback = {nullptr, std_malloc, std_calloc, std_realloc, std_free};

State& state() {
  static State* s = [] {
    State* st = new State;  // never destroyed: NumPy may free arrays during interpreter exit
#ifdef TF_ALLOC_CACHE_MMAP
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages > 0 && page > 0)  // at most 1/8 of the RAM
      st->cap_bytes = std::min(st->cap_bytes, (size_t)pages * (size_t)page / 8);
    pthread_atfork([] { state().mu.lock(); }, [] { state().mu.unlock(); },
                   [] { state().mu.unlock(); });
#endif
    return st;
  }();
  return *s;
}

#ifdef TF_ALLOC_CACHE_MMAP
// A fresh, zeroed, kAlign-aligned mapping of `cap` bytes, or nullptr.
void* map_block(size_t cap) {
  const size_t len = cap + kAlign - kPage;
  void* raw = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const uintptr_t r = (uintptr_t)raw, a = (r + kAlign - 1) & ~(uintptr_t)(kAlign - 1);
  if (a > r) munmap(raw, a - r);
  if (r + len > a + cap) munmap((void*)(a + cap), r + len - (a + cap));
#ifdef MADV_HUGEPAGE
  madvise((void*)a, cap, MADV_HUGEPAGE);  // a hint: failure changes nothing
#endif
  return (void*)a;
}
void unmap_block(const Block& b) { munmap(b.p, b.cap); }
#else
void* map_block(size_t) { return nullptr; }
void unmap_block(const Block&) {}
#endif

// Unmap the oldest free blocks until at most `keep` bytes are held. Caller holds the lock.
void evict_to(State& s, size_t keep) {
  size_t i = 0;
  while (s.cached_bytes > keep && i < s.free_blocks.size()) {
    unmap_block(s.free_blocks[i]);
    s.cached_bytes -= s.free_blocks[i].cap;
    ++s.evictions;
    ++i;
  }
  s.free_blocks.erase(s.free_blocks.begin(), s.free_blocks.begin() + (std::ptrdiff_t)i);
}

// Unmap the free blocks unused for longer than the age limit (Note [cache age limit]): a prefix
// of the list, which is in the order of freeing. Caller holds the lock.
void evict_expired(State& s, int64_t now) {
  size_t i = 0;
  while (i < s.free_blocks.size() && now - s.free_blocks[i].freed_ns > s.max_age_ns) {
    unmap_block(s.free_blocks[i]);
    s.cached_bytes -= s.free_blocks[i].cap;
    ++s.evictions;
    ++s.expired;
    ++i;
  }
  if (i) s.free_blocks.erase(s.free_blocks.begin(), s.free_blocks.begin() + (std::ptrdiff_t)i);
}

// A block of at least n bytes (n >= min_bytes): a cached one of n's class, else a new mapping.
// *fresh says whether it is a new (zeroed) mapping. Caller holds the lock.
void* take_block(State& s, size_t n, bool* fresh) {
  evict_expired(s, now_ns());
  const size_t cap = alloc_cache_class_bytes(n);
  for (size_t i = s.free_blocks.size(); i-- > 0;) {  // the newest first: warmest in the caches
    if (s.free_blocks[i].cap != cap) continue;
    void* p = s.free_blocks[i].p;
    s.free_blocks.erase(s.free_blocks.begin() + (std::ptrdiff_t)i);
    s.cached_bytes -= cap;
    ++s.hits;
    *fresh = false;
    s.live.emplace(p, cap);
    s.live_bytes += cap;
    s.peak_live = std::max(s.peak_live, s.live_bytes);
    s.n_live.fetch_add(1, std::memory_order_relaxed);
    return p;
  }
  const size_t need = s.live_bytes + cap;  // See Note [cache within the live peak]
  const size_t limit = std::max(s.peak_live, need);
  if (need + s.cached_bytes > limit) evict_to(s, limit - need);
  void* p = map_block(cap);
  if (!p && s.cached_bytes) {  // out of address space or memory: give the free blocks back
    evict_to(s, 0);
    p = map_block(cap);
  }
  if (!p) return nullptr;
  ++s.misses;
  *fresh = true;
  s.live.emplace(p, cap);
  s.live_bytes += cap;
  s.peak_live = std::max(s.peak_live, s.live_bytes);
  s.n_live.fetch_add(1, std::memory_order_relaxed);
  return p;
}

// Forget live block p (capacity cap) and keep it for reuse, within the cap. Caller holds the lock.
void release_block(State& s, void* p, size_t cap) {
  s.live.erase(p);
  s.live_bytes -= cap;
  s.n_live.fetch_sub(1, std::memory_order_relaxed);
  const int64_t now = now_ns();
  evict_expired(s, now);
  if (cap > s.cap_bytes) {
    unmap_block({p, cap});
    ++s.evictions;
    return;
  }
  evict_to(s, s.cap_bytes - cap);
  s.free_blocks.push_back({p, cap, now});
  s.cached_bytes += cap;
}

// The capacity of p if it is a live block of ours, else 0. Caller holds the lock.
size_t live_cap(State& s, void* p) {
  auto it = s.live.find(p);
  return it == s.live.end() ? 0 : it->second;
}

}  // namespace

bool alloc_cache_available() {
#ifdef TF_ALLOC_CACHE_MMAP
  return true;
#else
  return false;
#endif
}

void alloc_cache_set_fallback(const AllocFallback& f) { g_fallback = f; }

size_t alloc_cache_class_bytes(size_t n) {
  if (n <= kPage) return kPage;
  int top = 63 - __builtin_clzll((unsigned long long)n);  // 2^top <= n < 2^(top+1)
  const size_t step = std::max(kPage, size_t(1) << std::max(top - 3, 0));
  return (n + step - 1) / step * step;
}

void* alloc_cache_malloc(size_t n) {
  State& s = state();
  if (n < s.min_bytes || !alloc_cache_available()) return g_fallback.malloc(g_fallback.ctx, n);
  bool fresh;
  std::lock_guard<std::mutex> g(s.mu);
  return take_block(s, n, &fresh);
}

void* alloc_cache_calloc(size_t nelem, size_t elsize) {
  State& s = state();
  if (elsize && nelem > (size_t)-1 / elsize) return nullptr;
  const size_t n = nelem * elsize;
  if (n < s.min_bytes || !alloc_cache_available())
    return g_fallback.calloc(g_fallback.ctx, nelem, elsize);
  bool fresh;
  void* p;
  {
    std::lock_guard<std::mutex> g(s.mu);
    p = take_block(s, n, &fresh);
  }
  if (p && !fresh) std::memset(p, 0, n);  // a new mapping is zero already
  return p;
}

void alloc_cache_free(void* p, size_t size) {
  if (!p) return;
  State& s = state();
  if (s.n_live.load(std::memory_order_relaxed) != 0) {
    std::lock_guard<std::mutex> g(s.mu);
    if (const size_t cap = live_cap(s, p)) {
      release_block(s, p, cap);
      return;
    }
  }
  g_fallback.free(g_fallback.ctx, p, size);
}

void* alloc_cache_realloc(void* p, size_t n) {
  if (!p) return alloc_cache_malloc(n);
  State& s = state();
  size_t cap = 0;
  if (s.n_live.load(std::memory_order_relaxed) != 0) {
    std::lock_guard<std::mutex> g(s.mu);
    cap = live_cap(s, p);
  }
  if (!cap) return g_fallback.realloc(g_fallback.ctx, p, n);  // the fallback's: it stays so
  // Ours: keep it when n still belongs in it (never a block much larger than asked), else move.
  if (n >= s.min_bytes && n <= cap && alloc_cache_class_bytes(n) == cap) return p;
  void* q = alloc_cache_malloc(n);
  if (!q) return nullptr;  // realloc's contract: p stays valid
  std::memcpy(q, p, std::min(n, cap));
  alloc_cache_free(p, cap);
  return q;
}

void alloc_cache_configure(size_t min_bytes, size_t cap_bytes, int64_t max_age_ns) {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  s.min_bytes.store(std::max<size_t>(min_bytes, 1), std::memory_order_relaxed);
  s.cap_bytes = cap_bytes;
  if (max_age_ns >= 0) s.max_age_ns = max_age_ns;
  evict_to(s, cap_bytes);
  evict_expired(s, now_ns());
}

void alloc_cache_clear() {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  evict_to(s, 0);
  s.peak_live = s.live_bytes;  // a fresh start for Note [cache within the live peak]
}

AllocCacheStats alloc_cache_stats() {
  State& s = state();
  std::lock_guard<std::mutex> g(s.mu);
  return {s.min_bytes.load(std::memory_order_relaxed), s.cap_bytes, s.max_age_ns, s.cached_bytes,
          s.free_blocks.size(), s.live_bytes, s.live.size(), s.hits, s.misses, s.evictions,
          s.expired, s.peak_live};
}

}  // namespace tf
