// Shared definitions for CPU kernels: activation codes, FTZ/DAZ guard, thread count.
//
// Contract for every kernel in csrc/cpu/ (llm.c style): kernels take const inputs, output
// pointers and explicit dimensions; they neither allocate Python objects nor validate
// arguments (the bindings do). Gradients of parameters are accumulated with +=, gradients of
// activations are written with = unless a kernel's header says otherwise.
#pragma once
#include <cstddef>
#include <cstdint>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <immintrin.h>
#define TF_X86 1
#endif


// Keep a function out of line (e.g. one loop instance per op, so every thread's chunk of an
// array is computed by the same machine code; see Note [one instance per op] in pointwise.cpp).
#if defined(_MSC_VER)
#define TF_NOINLINE __declspec(noinline)
#else
#define TF_NOINLINE __attribute__((noinline))
#endif

// Note [per-ISA inline functions]: csrc/cpu/*.cpp is compiled three times with different -m flags.
// An inline function defined in a header has the same mangled name in all three objects, and if
// any copy is emitted out of line the linker keeps one of them for every caller: the generic path
// could end up running the AVX-512 copy and fault on an older CPU (an ODR violation). Helpers
// below and in simd.h therefore live in an inline namespace named after the ISA being compiled
// (TF_LOCAL_NS: local_generic, local_avx2, local_avx512; local_base in the bindings), which keeps
// call sites unchanged and the symbols distinct. Types shared across that boundary (Act,
// index_t) stay outside it.
#define TF_PASTE_(a, b) a##b
#define TF_PASTE(a, b) TF_PASTE_(a, b)
#ifdef TF_ISA
#define TF_LOCAL_NS TF_PASTE(local_, TF_ISA)
#else
#define TF_LOCAL_NS local_base
#endif

namespace tf {

using index_t = int64_t;

// The thread pool (tf/parallel.h; defined once in csrc/runtime/parallel.cpp for every ISA).
int pool_threads();            // threads a parallel loop may use (>= 1), incl. the caller
void pool_set_threads(int n);  // n >= 1; TENSORFORGE_NUM_THREADS / OMP_NUM_THREADS at start
bool pool_in_chunk();          // true on a pool helper and while the caller runs a chunk

// Fused epilogue activations (GEMM, conv). Keep in sync with python/tensorforge/kernels/_common.py.
enum class Act : int { none = 0, relu = 1 };

inline namespace TF_LOCAL_NS {  // See Note [per-ISA inline functions]

// Note [FTZ/DAZ]: subnormal floats make x86 FP units take a microcode assist (10-100x slower).
// Every kernel entry point sets flush-to-zero and denormals-are-zero for its own thread and
// restores the caller's MXCSR on exit, so user code outside our kernels keeps IEEE gradual
// underflow. The pool's helper threads (tf/parallel.h) run only kernels and keep them set.
struct FtzGuard {
#ifdef TF_X86
  unsigned int saved;
  FtzGuard() : saved(_mm_getcsr()) { _mm_setcsr(saved | 0x8040u); }
  ~FtzGuard() { _mm_setcsr(saved); }
#endif
  FtzGuard(const FtzGuard&) = delete;
  FtzGuard& operator=(const FtzGuard&) = delete;
};

// Threads a kernel may use now: 1 inside a parallel chunk (nested loops run serially).
inline int max_threads() { return pool_in_chunk() ? 1 : pool_threads(); }

inline index_t ceil_div(index_t a, index_t b) { return (a + b - 1) / b; }

// Split [0, n) into `parts` near-equal chunks; chunk `i` is [begin, end).
inline void split_range(index_t n, int parts, int i, index_t& begin, index_t& end) {
  index_t q = n / parts, r = n % parts;
  begin = i * q + (i < r ? i : r);
  end = begin + q + (i < r ? 1 : 0);
}

}  // inline namespace TF_LOCAL_NS
}  // namespace tf
