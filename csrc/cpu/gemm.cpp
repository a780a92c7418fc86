// GEMM kernels (fp32 and fp64): C = alpha * op(A) * op(B) + beta * C (+ bias per column) (relu).
// Contract in tf/gemm.h (general strides for A and B, C with unit column stride and ldc, beta == 0
// never reads C, serial when called inside a parallel chunk). Compiled once per ISA.
//
// Design (BLIS, Goto & van de Geijn, "Anatomy of high-performance matrix multiplication"):
//
//   for jc in [0, N) step NC                      (5th loop)
//     for pc in [0, K) step KC                    (4th loop)
//       pack B[pc:pc+KC, jc:jc+NC] -> Bp          NR-column panels, shared by all threads (L3)
//       for ic in [0, M) step MC                  (3rd loop, split across threads)
//         pack A[ic:ic+MC, pc:pc+KC] -> Ap        MR-row panels, thread-private (L2)
//         for jr in [0, NC) step NR               (2nd loop; B micro-panel stays in L1)
//           for ir in [0, MC) step MR             (1st loop; A micro-panels stream from L2)
//             micro-kernel: MR x NR tile of C += A micro-panel * B micro-panel (kc rank-1 updates)
//
// Packing reads A and B through their general strides (transposes and views cost nothing extra),
// so the micro-kernel always sees unit-stride panels. The epilogue (alpha, beta, bias, relu) is
// fused into the micro-kernel's store of the last K block; earlier K blocks store alpha*AB (+beta*C)
// and later blocks accumulate with beta = 1. See Note [GEMM epilogue].
//
// Micro-kernels: tf/ukernel.h's register tile (shared with conv and the RNN; A broadcast, B
// loaded as vectors), per ISA:
//   avx512: sgemm_avx512_12x32 / dgemm_avx512_12x16   24 zmm accumulators (12 rows x 2 vectors)
//   avx2:   sgemm_avx2_6x16    / dgemm_avx2_6x8       12 ymm accumulators (6 rows x 2 vectors)
//   generic: 4x8 (fp32, two 4-float vectors per row) / 4x4 (fp64) tiles (any CPU).
// The SIMD kernels are templates on the number of rows m (1..MR) and vectors (1..2), so edge
// tiles run a kernel of exactly their height and masked loads/stores cover column tails: no FMA
// is wasted on padding rows and nothing past the edge of A, B or C is touched.
//
// Six paths (SIMD ISAs; the generic build runs the packed and panel paths), chosen per call in
// gemm_run:
//   packed     the BLIS loops above (large problems).
//   unpacked   B has unit column stride and packing does not pay (skinny M, or small B: see
//              use_unpacked): the micro-kernels read A (strided broadcasts) and B (row-strided
//              vector loads) in place, K still blocked so a KC x NR slab of B is reused from L1.
//   panel      few rows (<= kPanelTiles MR tiles): A packed once per thread, B packed one panel
//              at a time by the thread that uses it (Note [B packed by its first tile]).
//   short K    K <= 8, B with unit column stride: rows of C swept along N, A's row in registers
//              (Note [short K]).
//   dot        tiny outputs with long K, A rows and B columns contiguous along K (fp32 only): the
//              M*N dot products are vectorized along K, threads split K (see use_dot).
//   stream     at most 16 rows, A rows and B columns contiguous along K (Dense's dX = dY W^T at a
//              small batch; fp32 only): dot products vectorized along K, B read once in place,
//              threads split N (Note [streamed B^T]).
//
// Threads: C is cut into a grid of chunks (row blocks x panel groups, Note [GEMM chunks]) that
// the pool's threads claim dynamically (tf/parallel.h); B is packed by chunks of panels in the
// same pool loop as the block's tiles (Note [B packed in the compute loop]). The dot path splits K into per-chunk partials. Problems below
// 64^3 multiply-adds run on one thread. Called from inside a parallel chunk max_threads() is 1
// and everything runs on the calling thread.
//
// Batched GEMM (sgemm_batched, the attention layers' and batched matmul's): the slices and row
// blocks of slices are the chunks of one parallel loop, each running the paths above serially
// (Note [batched GEMM]).
//
// Files: gemm_pack.h (packing), gemm_tiles.h / gemm_small_kernels.h / gemm_kernel.h (the register
// tiles, the small paths' kernels, the per-ISA kernel interface), gemm_blocking.h (cache blocking,
// the chunk grid), gemm_paths.h (the paths' declarations) with gemm_packed.cpp, gemm_unpacked.cpp
// and gemm_small.cpp (the paths' drivers); this file chooses the path and holds the entry points.
#include <algorithm>

#include "gemm_paths.h"
#include "tf/gemm.h"
#include "tf/parallel.h"

namespace tf {
namespace TF_ISA {
namespace gemm_impl {

template <class K>
void gemm_run(const Problem<K>& p) {
  FtzGuard ftz;
  if (p.M <= 0 || p.N <= 0) return;
  const double flops = 2.0 * p.M * p.N * p.K_;
  int nt = max_threads();
  // Below 64^3 multiply-adds (~10 us on one Zen 1 core) waking a helper costs more than it saves
  // (OpenBLAS uses the same cut-off).
  if (flops <= 2.0 * 262144.0) nt = 1;
  if (use_dot(p)) return dot_run(p, nt);
  if (use_short_k(p)) return short_k_run(p, nt);
  if (use_stream(p)) return stream_run(p, nt);
  if (use_unpacked(p, nt)) return unpacked_run(p, nt);
  if (use_panel(p)) return panel_run(p, nt);
  packed_run(p, nt);
}

template <class K, typename T>
void gemm_entry(index_t M, index_t N, index_t K_, T alpha, const T* A, index_t rsA, index_t csA,
                const T* B, index_t rsB, index_t csB, T beta, T* C, index_t ldc, const T* bias,
                Act act) {
  if (K_ <= 0) {  // empty sum: C = beta*C (+bias) (relu); never reached from the bindings
    FtzGuard ftz;
    for (index_t i = 0; i < M; ++i)
      for (index_t j = 0; j < N; ++j) {
        T x = beta != T(0) ? beta * C[i * ldc + j] : T(0);
        if (bias) x += bias[j];
        C[i * ldc + j] = act == Act::relu ? relu_keep_nan(x) : x;
      }
    return;
  }
  Problem<K> p{M, N, K_, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, act == Act::relu};
  gemm_run<K>(p);
}

// ---- batched GEMM ---------------------------------------------------------------------------
// Note [batched GEMM]: the attention layers multiply 64..256 (batch x head) slices of ~64..200
// rows and 16..64 columns; one sgemm per slice from Python paid the call and a pool fork per
// slice for ~0.1 ms of work each. Here the slices are one parallel loop: chunk c is row block
// c % rb of slice c / rb, and each chunk runs gemm_run on its sub-problem, which inside a pool
// chunk is serial (max_threads() is 1) and picks sgemm's path (dot, unpacked, panel, packed) for
// that sub-problem. Slices are split into rb row blocks only while there are fewer than
// kBatchChunks slices and a slice is small (a few big slices instead run one after another, each
// on all threads through gemm_run's own grid, which shares one packed B). rb depends on the
// shapes alone, and gemm_run's values do not depend on its thread count, so the result is
// bit-identical at every thread count; with rb == 1 each slice equals sgemm on that slice.
constexpr index_t kBatchChunks = 16;
constexpr double kBigSlice = 2.0 * 128 * 128 * 128;  // multiply-adds x 2 of a slice run whole

template <class K>
void gemm_batched_run(const GemmBatch& bt, index_t M, index_t N, index_t K_,
                      const typename K::type* A, index_t rsA, index_t csA,
                      const typename K::type* B, index_t rsB, index_t csB, typename K::type* C,
                      index_t ldc) {
  using T = typename K::type;
  const index_t count = bt.count();
  if (count <= 0 || M <= 0 || N <= 0) return;
  // rows [m0, m1) of slice s as a GEMM problem (alpha 1, beta 0: C is write-only)
  auto sub = [&](index_t s, index_t m0, index_t m1) {
    const index_t o = s / bt.inner, i = s % bt.inner;
    return Problem<K>{m1 - m0, N, K_, T(1), A + o * bt.a[0] + i * bt.a[1] + m0 * rsA, rsA, csA,
                      B + o * bt.b[0] + i * bt.b[1], rsB, csB, T(0),
                      C + o * bt.c[0] + i * bt.c[1] + m0 * ldc, ldc, nullptr, false};
  };
  if (K_ <= 0) {  // empty sums: zeros (never reached from the bindings)
    for (index_t s = 0; s < count; ++s) {
      T* c = sub(s, 0, M).C;
      for (index_t r = 0; r < M; ++r) std::fill(c + r * ldc, c + r * ldc + N, T(0));
    }
    return;
  }
  const double slice_flops = 2.0 * (double)M * (double)N * (double)K_;
  const index_t tiles = ceil_div(M, (index_t)K::MR);
  // B with columns contiguous along K (a transposed view) is transposed again by every row
  // block's own packing, or streamed by the blocks of at most kStreamRows rows; so such slices
  // are split only into blocks of more rows than that (4 slices of (32, 128) x (128, 128)^T, 1
  // thread: 167 us in 12 blocks of 12 rows, 62 us as 4 whole slices)
  const index_t max_rb = csB != 1 && rsB == 1 ? std::max<index_t>(1, M / (kStreamRows + 1)) : tiles;
  const index_t rb = slice_flops >= kBigSlice || count >= kBatchChunks
                         ? 1 : std::min({tiles, max_rb, ceil_div(kBatchChunks, count)});
  int nt = max_threads();
  if (slice_flops * (double)count <= 2.0 * 262144.0) nt = 1;  // gemm_run's cut-off, all slices
  if (slice_flops >= kBigSlice && count < 2 * (index_t)nt) {  // few big slices: each on all threads
    for (index_t s = 0; s < count; ++s) gemm_run(sub(s, 0, M));
    return;
  }
  if (rb > 1) {
    const index_t nch = count * rb;
    parallel_chunks(nch, (int)std::min<index_t>(nt, nch), [&](index_t c) {
      const index_t s = c / rb, r = c % rb;
      const index_t m0 = r * tiles / rb * K::MR, m1 = std::min(M, (r + 1) * tiles / rb * K::MR);
      gemm_run(sub(s, m0, m1));
    });
    return;
  }
  // whole slices, tiny ones grouped so that a chunk holds >= 32^3 multiply-adds (a pool claim plus
  // gemm_run's setup cost about as much as an 8x8x8 slice's arithmetic)
  const index_t group = std::max<index_t>(1, (index_t)(2.0 * 32768.0 / slice_flops));
  const index_t nch = ceil_div(count, group);
  parallel_chunks(nch, (int)std::min<index_t>(nt, nch), [&](index_t c) {
    for (index_t s = c * group; s < std::min(count, (c + 1) * group); ++s) gemm_run(sub(s, 0, M));
  });
}

}  // namespace gemm_impl

using namespace gemm_impl;

void sgemm_blocking(index_t* out) {
  const BlockSizes& b = blocking<SKernel>();
  out[0] = SKernel::MR;
  out[1] = SKernel::NR;
  out[2] = b.KC;
  out[3] = b.MC;
  out[4] = b.NC;
}

void sgemm(index_t M, index_t N, index_t K, float alpha, const float* A, index_t rsA, index_t csA,
           const float* B, index_t rsB, index_t csB, float beta, float* C, index_t ldc,
           const float* bias, Act act) {
  gemm_entry<SKernel>(M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, act);
}

void dgemm(index_t M, index_t N, index_t K, double alpha, const double* A, index_t rsA,
           index_t csA, const double* B, index_t rsB, index_t csB, double beta, double* C,
           index_t ldc, const double* bias, Act act) {
  gemm_entry<DKernel>(M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, act);
}

void sgemm_batched(const GemmBatch& batch, index_t M, index_t N, index_t K, const float* A,
                   index_t rsA, index_t csA, const float* B, index_t rsB, index_t csB, float* C,
                   index_t ldc) {
  gemm_batched_run<SKernel>(batch, M, N, K, A, rsA, csA, B, rsB, csB, C, ldc);
}

void dgemm_batched(const GemmBatch& batch, index_t M, index_t N, index_t K, const double* A,
                   index_t rsA, index_t csA, const double* B, index_t rsB, index_t csB, double* C,
                   index_t ldc) {
  gemm_batched_run<DKernel>(batch, M, N, K, A, rsA, csA, B, rsB, csB, C, ldc);
}

}  // namespace TF_ISA
}  // namespace tf
