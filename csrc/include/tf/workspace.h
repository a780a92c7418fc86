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

#include "tf/common.h"

namespace tf {

// One slot per (kernel family, buffer); shared across ISAs' translation units by value only.
enum class Ws : int {
  gemm_a = 0,  // sgemm/dgemm packed A panel (per thread)
  gemm_b,      // sgemm/dgemm packed B panel (calling thread, shared with the team)
  rnn_grad,    // RNN backward: gate pre-activation gradients (B, T, G*U)
  rnn_wpack,   // RNN forward/backward: recurrent weights packed per unit chunk
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
      const size_t c = (bytes + 4095) & ~size_t(4095);
      p = std::aligned_alloc(64, c);
      if (!p) throw std::bad_alloc();
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
