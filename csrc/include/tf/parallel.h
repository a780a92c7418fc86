// The one parallel-for of the CPU kernels: a thread pool whose work is claimed in chunks.
//
// Note [chunks claimed dynamically]: a parallel loop is cut into chunks (independent units of
// work numbered 0..n-1); the calling thread publishes the loop, wakes idle helpers and then
// claims chunks itself from one atomic counter, like every helper that is running. The call
// returns when every chunk is done. It never waits for a helper that has not started: a helper
// the OS has descheduled (a busy process shares its core) simply claims nothing, and the caller
// does its share. The worst wait is one chunk that a helper claimed and was then descheduled in,
// so loops use several chunks per thread; when even that wait makes a loop slower than running
// it alone, the pool runs the next loops alone for a while (Note [straggler backoff] in
// csrc/runtime/parallel.cpp). With OpenMP's static split and join barrier the caller
// waited for the descheduled thread's whole share and its arrival at the barrier (issue 15:
// a 128x256 dropout 11 us -> 2.9 ms, LeNet training 17.8x slower beside one busy process).
//
// Determinism: which thread runs a chunk varies from run to run, what a chunk computes does
// not. A reduction therefore keeps one partial per chunk (never per thread) and sums the partials
// in chunk order, so results are bit-identical at every thread count that gives the same chunks.
//
// Idle helpers spin for a short while (TENSORFORGE_SPIN_US, default 50 us: back-to-back kernels
// of a training step find them awake) and then sleep on a condition variable; the caller wakes
// them only when some sleep. Each helper is pinned to a CPU other than the caller's, so that a woken helper
// is not queued behind the caller (Note [helpers pinned off the caller's cpu] in parallel.cpp). Work below a threshold never enters the pool (see the callers'
// threads_for / grain arguments: a 32k-element pointwise op stays on the calling thread).
// One caller at a time uses the pool; a second Python thread calling a kernel meanwhile runs
// its loop on its own thread (no waiting). Nested loops (a chunk that calls sgemm) run serially
// in the chunk: max_threads() is 1 inside a chunk.
#pragma once
#include <algorithm>
#include <cstdint>

#include "tf/common.h"

namespace tf {

// pool_threads, pool_set_threads, pool_in_chunk: see tf/common.h (max_threads() uses them).
using ChunkFn = void (*)(void* ctx, index_t chunk);
// Run fn(ctx, c) for c in [0, nchunks) on up to `threads` threads (the caller included).
void pool_run(index_t nchunks, int threads, ChunkFn fn, void* ctx);
// How often a loop was slower than running it alone would have been, so that the following
// loops ran on the calling thread for a while (Note [straggler backoff] in parallel.cpp).
long pool_backoffs();
// How often a pool helper was pinned to a CPU: when it started, and again when the calling thread
// had moved onto its CPU (Note [helpers pinned off the caller's cpu] in parallel.cpp).
long pool_pins();

inline namespace TF_LOCAL_NS {  // See Note [per-ISA inline functions] in common.h

// f(c) for every chunk c in [0, nchunks), on up to `threads` threads (Note [chunks claimed
// dynamically]). threads <= 1 or a single chunk: runs on the calling thread, in order.
template <class F>
void parallel_chunks(index_t nchunks, int threads, const F& f) {
  if (nchunks <= 0) return;
  if (threads <= 1 || nchunks == 1) {
    for (index_t c = 0; c < nchunks; ++c) f(c);
    return;
  }
  pool_run(nchunks, threads, [](void* ctx, index_t c) { (*static_cast<const F*>(ctx))(c); },
           const_cast<void*>(static_cast<const void*>(&f)));
}

// Chunks for n items on nt threads: about `per_thread` chunks per thread (more chunks = shorter
// waits on a descheduled helper, more claims), each at least `grain` items and a multiple of
// `align` items (e.g. 64 floats: no two chunks write one cache line).
inline index_t chunk_size(index_t n, int nt, index_t grain, index_t align = 1, int per_thread = 4) {
  index_t per = ceil_div(n, (index_t)std::max(1, nt) * per_thread);
  per = std::max(per, std::max<index_t>(grain, 1));
  return ceil_div(per, align) * align;
}

// body(begin, end) over [0, n) in chunks of `chunk` items on up to nt threads.
template <class Body>
void parallel_range(index_t n, index_t chunk, int nt, const Body& body) {
  if (n <= 0) return;
  chunk = std::max<index_t>(chunk, 1);
  const index_t nch = ceil_div(n, chunk);
  parallel_chunks(nch, nt, [&](index_t c) { body(c * chunk, std::min(n, (c + 1) * chunk)); });
}

// The common case: threads = max_threads() limited so each gets >= `grain` items, ~4 chunks
// per thread aligned to `align`; body(begin, end).
template <class Body>
void parallel_for(index_t n, index_t grain, const Body& body, index_t align = 1) {
  if (n <= 0) return;
  const int nt = (int)std::min<index_t>(max_threads(), std::max<index_t>(1, n / std::max<index_t>(grain, 1)));
  if (nt <= 1) {
    body(index_t(0), n);
    return;
  }
  parallel_range(n, chunk_size(n, nt, grain / 4, align), nt, body);
}

}  // inline namespace TF_LOCAL_NS
}  // namespace tf
