// Thread-private scratch buffers that grow and are reused across kernel calls.
//
// Note [workspace]: a kernel that mallocs a multi-MiB scratch buffer per call (the RNN backward's
// gate gradients, packed weights, GEMM panels) gets fresh pages from the OS each time: glibc
// serves large blocks with mmap, or trims the heap top after a large free, so the first write to
// every 4 KiB page is a page fault. In this VM a fault costs ~1-2 us, and the LSTM backward at
// (64, 28, 256, 256) took ~15% longer from its 7 MiB dG buffer alone (perf: 82% of the process's
// faults were the first dG store). A workspace keeps, per calling thread and per slot, the
// largest buffer asked for so far: after the first call the pages are resident.
//
// Rules: a slot's buffer is valid until the same thread asks for the same slot again, so a kernel
// must not hold one slot across a call that uses it (each user owns distinct slots, listed below;
// gemm's slots are used inside every sgemm call). The contents are uninitialised. The memory stays
// with the thread until it exits or release_workspaces() is called (Python:
// tensorforge.backend.release_workspaces()), which frees each thread's buffers at its next request.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "tf/common.h"

namespace tf {

// One slot per (kernel family, buffer); shared across ISAs' translation units by value only.
enum class Ws : int {
  gemm_a = 0,  // sgemm/dgemm packed A panel (per thread)
  gemm_b,      // sgemm/dgemm packed B block (calling thread, shared with the team; few-row
               // problems: each thread's own B panel)
  rnn_grad,    // RNN backward: gate pre-activation gradients (B, T, G*U); the LSTM backward's
               // batch-row chains' dG rows, [x | h] rows and partial weight gradients
  rnn_wpack,   // RNN forward/backward: recurrent weights packed per unit chunk
  rnn_step,    // RNN: one chunk task's recurrent GEMM result (per executing thread); the LSTM
               // backward's time-major [x_t | h_{t-1}] rows and padded weight gradients (calling
               // thread, Notes [chain beside the GEMMs], [padded weight gradients])
  rnn_step2,   // RNN: GRU backward's second chunk scratch (per executing thread); the LSTM
               // backward's packed kernel^T (calling thread)
  conv_wpack,  // conv: packed weights
  conv_aux,    // conv: second packed weight copy / partial sums
  conv_wino_v, // conv Winograd: transformed input tiles (per thread)
  conv_wino_m, // conv Winograd: GEMM outputs / transformed dy tiles (per thread)
  conv_wflip,  // conv backward data: flipped, transposed kernel (calling thread)
  conv_stage,  // conv Winograd: one tile's upstream gradient (per thread)
  count
};

// Bumped by release_workspaces(); a thread whose buffers are older frees them on its next request.
inline std::atomic<unsigned>& workspace_generation() {
  static std::atomic<unsigned> g{0};
  return g;
}
inline void release_workspaces() { workspace_generation().fetch_add(1, std::memory_order_relaxed); }

inline namespace TF_LOCAL_NS {  // See Note [per-ISA inline functions]

// Note [huge pages]: Zen 4's L2 (1 MiB, 8-way) takes its set index from address bits 6..16, above
// the 4 KiB page offset, so with 4 KiB pages which lines of a multi-MiB buffer collide in L2 depends
// on the physical pages the OS happened to hand out: the same LSTM forward ran 11 ms in most
// processes and 15.5 ms in some (2 threads, (64, 28, 256, 256)). A 2 MiB page fixes bits 0..20, so
// the layout (and the time) is the same in every process, and the TLB covers the buffer. NumPy
// does the same for its arrays of 4 MiB and more (madvise on Linux).
constexpr size_t kHuge = size_t(2) << 20, kHugeFrom = size_t(1) << 20;

struct WorkspaceBuf {
  void* p = nullptr;
  size_t cap = 0;
  unsigned gen = 0;
  ~WorkspaceBuf() { std::free(p); }
  void* get(size_t bytes) {
    const unsigned g = workspace_generation().load(std::memory_order_relaxed);
    if (g != gen) {  // release_workspaces() was called since this buffer was made
      std::free(p);
      p = nullptr;
      cap = 0;
      gen = g;
    }
    if (bytes > cap) {
      std::free(p);
      p = nullptr;
      cap = 0;
      // Large buffers: whole 2 MiB pages, asked to be transparent huge pages (Note [huge pages]).
      const size_t align = bytes >= kHugeFrom ? kHuge : 4096;
      const size_t c = (bytes + align - 1) & ~(align - 1);
      p = std::aligned_alloc(align, c);
      if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
      if (align == kHuge) madvise(p, c, MADV_HUGEPAGE);  // a hint: failure changes nothing
#endif
      cap = c;
    }
    return p;
  }
};

// The calling thread's buffer for `slot`, at least n elements of T (64-byte aligned).
template <typename T>
T* workspace(Ws slot, size_t n) {
  static thread_local WorkspaceBuf bufs[(int)Ws::count];
  return static_cast<T*>(bufs[(int)slot].get(n * sizeof(T) + 64));
}

}  // inline namespace TF_LOCAL_NS
}  // namespace tf
