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
// the pool's threads claim dynamically (tf/parallel.h); B is packed by chunks of panels before
// each K block's compute loop. The dot path splits K into per-chunk partials. Problems below
// 64^3 multiply-adds run on one thread. Called from inside a parallel chunk max_threads() is 1
// and everything runs on the calling thread.
//
// Batched GEMM (sgemm_batched, the attention layers' and batched matmul's): the slices and row
// blocks of slices are the chunks of one parallel loop, each running the paths above serially
// (Note [batched GEMM]).
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <numeric>
#include <type_traits>
#include <utility>
#include <vector>

#include "tf/cpuinfo.h"
#include "tf/gemm.h"
#include "tf/parallel.h"
#include "tf/simd.h"
#include "tf/ukernel.h"
#include "tf/workspace.h"

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;

// Streamed B^T path (Note [streamed B^T]): columns per block, and the most rows it takes.
constexpr int kSJ = 3;
constexpr index_t kStreamRows = 16;

// The epilogue (alpha, beta, bias, relu) is tf/ukernel.h's (Note [GEMM epilogue] there). The
// driver passes the caller's beta for the first K block and beta = 1 afterwards, and bias/relu
// only for the last K block.
template <typename T>
using Epi = Epilogue<T>;

template <typename T>
inline T relu_keep_nan(T v) {
  return v > T(0) ? v : (v != v ? v : T(0));
}

// Packing buffers are thread-private workspaces reused across calls (tf/workspace.h): Ws::gemm_a
// holds each thread's packed A block, Ws::gemm_b the calling thread's packed B block, shared by the team.

// ---- packing ----------------------------------------------------------------------------------
#if defined(TF_ISA_avx512) || defined(TF_ISA_avx2)
// Transpose an 8 x 8 block: rows r[0..7] (each 8 consecutive floats) -> columns.
inline void transpose8(__m256 r[8]) {
  __m256 t[8], u[8];
  for (int q = 0; q < 4; ++q) {
    t[2 * q] = _mm256_unpacklo_ps(r[2 * q], r[2 * q + 1]);
    t[2 * q + 1] = _mm256_unpackhi_ps(r[2 * q], r[2 * q + 1]);
  }
  for (int h = 0; h < 2; ++h) {
    u[4 * h + 0] = _mm256_shuffle_ps(t[4 * h + 0], t[4 * h + 2], _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * h + 1] = _mm256_shuffle_ps(t[4 * h + 0], t[4 * h + 2], _MM_SHUFFLE(3, 2, 3, 2));
    u[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], _MM_SHUFFLE(1, 0, 1, 0));
    u[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  for (int q = 0; q < 4; ++q) {
    r[q] = _mm256_permute2f128_ps(u[q], u[q + 4], 0x20);
    r[q + 4] = _mm256_permute2f128_ps(u[q], u[q + 4], 0x31);
  }
}
#define TF_GEMM_HAVE_TRANSPOSE8 1
#endif

// Ap: ceil(mc/MR) panels, each kc x MR (element (i, k) of the panel at [k*MR + i]); rows past mc
// are zero. a points at element (0, 0) of the block; (i, k) is a[i*rsA + k*csA].
template <typename T, int MR>
void pack_A(index_t mc, index_t kc, const T* a, index_t rsA, index_t csA, T* Ap) {
  for (index_t i0 = 0; i0 < mc; i0 += MR, Ap += MR * kc) {
    const int m = (int)std::min<index_t>(MR, mc - i0);
    const T* s = a + i0 * rsA;
    if (csA == 1 && m == MR) {  // rows contiguous along k: the panel is their transpose
      index_t k0 = 0;
#ifdef TF_GEMM_HAVE_TRANSPOSE8
      if constexpr (std::is_same_v<T, float> && MR == 12) {  // 8x8 + two 4x4 register transposes
        for (; k0 + 8 <= kc; k0 += 8) {
          __m256 r[8];
          for (int q = 0; q < 8; ++q) r[q] = _mm256_loadu_ps(s + q * rsA + k0);
          transpose8(r);
          for (int q = 0; q < 8; ++q) _mm256_storeu_ps(Ap + (k0 + q) * MR, r[q]);
          for (int h = 0; h < 8; h += 4) {
            __m128 x0 = _mm_loadu_ps(s + 8 * rsA + k0 + h), x1 = _mm_loadu_ps(s + 9 * rsA + k0 + h),
                   x2 = _mm_loadu_ps(s + 10 * rsA + k0 + h), x3 = _mm_loadu_ps(s + 11 * rsA + k0 + h);
            _MM_TRANSPOSE4_PS(x0, x1, x2, x3);
            _mm_storeu_ps(Ap + (k0 + h + 0) * MR + 8, x0);
            _mm_storeu_ps(Ap + (k0 + h + 1) * MR + 8, x1);
            _mm_storeu_ps(Ap + (k0 + h + 2) * MR + 8, x2);
            _mm_storeu_ps(Ap + (k0 + h + 3) * MR + 8, x3);
          }
        }
      }
#endif
      for (int i = 0; i < MR; ++i) {
        const T* r = s + i * rsA;
        for (index_t k = k0; k < kc; ++k) Ap[k * MR + i] = r[k];
      }
    } else if (rsA == 1 && m == MR) {  // A transposed (dW = x^T dy): MR contiguous values per k
      for (index_t k = 0; k < kc; ++k)
        for (int i = 0; i < MR; ++i) Ap[k * MR + i] = s[i + k * csA];
    } else {
      for (index_t k = 0; k < kc; ++k) {
        int i = 0;
        for (; i < m; ++i) Ap[k * MR + i] = s[i * rsA + k * csA];
        for (; i < MR; ++i) Ap[k * MR + i] = T(0);
      }
    }
  }
}

// Bp: panels [p0, p1) of kc x NR (element (k, j) at [k*NR + j]); columns past nc are zero.
// b points at element (0, 0) of the block; (k, j) is b[k*rsB + j*csB].
template <typename T, int NR>
void pack_B(index_t kc, index_t nc, const T* b, index_t rsB, index_t csB, T* Bp, index_t p0,
            index_t p1) {
  for (index_t p = p0; p < p1; ++p) {
    const index_t j0 = p * NR;
    const int n = (int)std::min<index_t>(NR, nc - j0);
    T* d = Bp + p * NR * kc;
    const T* s = b + j0 * csB;
    if (csB == 1) {
      if (n == NR) {
        for (index_t k = 0; k < kc; ++k) std::copy(s + k * rsB, s + k * rsB + NR, d + k * NR);
      } else {
        for (index_t k = 0; k < kc; ++k) {
          const T* r = s + k * rsB;
          T* o = d + k * NR;
          int j = 0;
          for (; j < n; ++j) o[j] = r[j];
          for (; j < NR; ++j) o[j] = T(0);
        }
      }
      continue;
    }
    index_t k = 0;
#ifdef TF_GEMM_HAVE_TRANSPOSE8
    // B transposed (columns contiguous along k): 8 x 8 register transposes, not scalar scatter.
    if constexpr (std::is_same_v<T, float> && NR % 8 == 0) {
      if (rsB == 1 && n == NR) {
        for (; k + 8 <= kc; k += 8)
          for (int jb = 0; jb < NR; jb += 8) {
            __m256 r[8];
            for (int q = 0; q < 8; ++q) r[q] = _mm256_loadu_ps(s + (jb + q) * csB + k);
            transpose8(r);
            for (int q = 0; q < 8; ++q) _mm256_storeu_ps(d + (k + q) * NR + jb, r[q]);
          }
      }
    }
#endif
    for (int j = 0; j < n; ++j) {  // e.g. B transposed (rsB == 1): read each column contiguously
      const T* col = s + j * csB;
      for (index_t kk = k; kk < kc; ++kk) d[kk * NR + j] = col[kk * rsB];
    }
    if (n < NR)
      for (index_t kk = k; kk < kc; ++kk)
        for (int j = n; j < NR; ++j) d[kk * NR + j] = T(0);
  }
}

// ---- micro-kernels (tf/ukernel.h) ------------------------------------------------------------
// The register tile is tf/ukernel.h's Tile (Note [ISA tiles] there): sgemm_avx512_12x32 /
// dgemm_avx512_12x16 (24 zmm accumulators: 12 rows x 2 vectors), sgemm_avx2_6x16 / dgemm_avx2_6x8
// (12 ymm), generic 4x8 fp32 (two 4-float vectors per row) / 4x4 fp64.
#if defined(TF_ISA_avx512) || defined(TF_ISA_avx2)
constexpr int kSMR = ukr_mr(2);
constexpr int kSNV = 2;  // vectors per tile row: NR = 2 * W

// One register tile of C: MR_ rows (1..kSMR) x NV vectors (1..2), n valid columns.
// APACK: a is a packed panel (rsa == 1, csa == kSMR) and b a packed one (rsb == kSNV*W), so
// offsets and steps are immediates; otherwise a is A in place and element (i, k) is
// a[i*rsa + k*csa], b is B in place with row stride rsb. BFULL: b rows can be loaded unmasked (packed
// and zero-padded, or n == NV*W); otherwise masked loads keep reads inside B.
template <typename T, int MR_, int NV, bool APACK, bool BFULL>
void gemm_tile(index_t kc, const T* a, index_t rsa, index_t csa, const T* b, index_t rsb, T* c,
               index_t ldc, int n, const Epi<T>& e) {
  if constexpr (APACK)
    ukernel<T, MR_, NV, BFULL>(kc, APanel<T, kSMR>{a}, BRows<T, kSNV * lanes<T>>{b}, c, ldc, MR_, n, e);
  else
    ukernel<T, MR_, NV, BFULL>(kc, AStrided<T>{a, rsa, csa}, BRows<T>{b, rsb}, c, ldc, MR_, n, e);
}

// Note [tile rows]: a row of MR_ x NR tiles over nq consecutive full packed B panels in one
// call (the rows-first order of packed_run). With short K blocks (dW = x^T dy: K = the batch,
// 32 k steps per tile) the per-tile work outside the k loop (the call through the tile table,
// the frame, the epilogue's set-up) took ~15% of the time (perf, 1800x32x500, Zen 1): here it is
// paid once per row (1800x32x500 A^T +10-13%, 1 thread: RESULTS, gemm3 2026-11-30).
template <typename T, int MR_>
void gemm_tile_row(index_t kc, const T* a, const T* bp, index_t nq, T* c, index_t ldc,
                   const Epi<T>& e0) {
  constexpr int NR = kSNV * lanes<T>;
  Epi<T> e = e0;
  for (index_t q = 0; q < nq; ++q) {
    ukernel<T, MR_, kSNV, true>(kc, APanel<T, kSMR>{a}, BRows<T, NR>{bp + q * NR * kc}, c + q * NR,
                                ldc, MR_, NR, e);
    if (e.bias) e.bias += NR;
  }
}
// Note [B packed by its first tile]: the first row tile of a panel reads its KC x NR slab of B in
// place (unit column stride) and stores each row into the packed panel as it loads it; the
// other row tiles read the packed copy. The slab's rows are prefetched pf elements ahead.
template <typename T, int MR_>
void gemm_tile_packb(index_t kc, const T* a, const T* b, index_t rsb, index_t pf, T* bq, T* c,
                     index_t ldc, const Epi<T>& e) {
  ukernel<T, MR_, kSNV, true>(kc, APanel<T, kSMR>{a}, BRowsPack<T, kSNV>{b, rsb, bq, pf}, c, ldc, MR_,
                              kSNV * lanes<T>, e);
}
// The unpacked path's tile row (Note [unpacked tile rows]): m rows of A in place (rsa, csa) times
// nq consecutive full NR-column panels of B in place (row stride rsb), one call per row.
template <typename T, int MR_>
void gemm_tile_row_inplace(index_t kc, const T* a, index_t rsa, index_t csa, const T* b, index_t rsb,
                           index_t nq, T* c, index_t ldc, const Epi<T>& e0) {
  constexpr int NR = kSNV * lanes<T>;
  Epi<T> e = e0;
  for (index_t q = 0; q < nq; ++q) {
    ukernel<T, MR_, kSNV, true>(kc, AStrided<T>{a, rsa, csa}, BRows<T>{b + q * NR, rsb}, c + q * NR,
                                ldc, MR_, NR, e);
    if (e.bias) e.bias += NR;
  }
}
template <typename T>
using tile_row_inplace_fn = void (*)(index_t, const T*, index_t, index_t, const T*, index_t, index_t,
                                     T*, index_t, const Epi<T>&);
template <typename T, int... Ms>
constexpr std::array<tile_row_inplace_fn<T>, sizeof...(Ms)> tile_row_inplace_table(
    std::integer_sequence<int, Ms...>) {
  return {{&gemm_tile_row_inplace<T, Ms + 1>...}};
}
template <typename T>
const std::array<tile_row_inplace_fn<T>, kSMR> kTileRowsInplace =
    tile_row_inplace_table<T>(std::make_integer_sequence<int, kSMR>{});

template <typename T>
using tile_packb_fn = void (*)(index_t, const T*, const T*, index_t, index_t, T*, T*, index_t, const Epi<T>&);
template <typename T, int... Ms>
constexpr std::array<tile_packb_fn<T>, sizeof...(Ms)> tile_packb_table(std::integer_sequence<int, Ms...>) {
  return {{&gemm_tile_packb<T, Ms + 1>...}};
}
template <typename T>
const std::array<tile_packb_fn<T>, kSMR> kTilePackB = tile_packb_table<T>(std::make_integer_sequence<int, kSMR>{});

template <typename T>
using tile_row_fn = void (*)(index_t, const T*, const T*, index_t, T*, index_t, const Epi<T>&);
template <typename T, int... Ms>
constexpr std::array<tile_row_fn<T>, sizeof...(Ms)> tile_row_table(std::integer_sequence<int, Ms...>) {
  return {{&gemm_tile_row<T, Ms + 1>...}};
}
template <typename T>
const std::array<tile_row_fn<T>, kSMR> kTileRows = tile_row_table<T>(std::make_integer_sequence<int, kSMR>{});

template <typename T>
using tile_fn = void (*)(index_t, const T*, index_t, index_t, const T*, index_t, T*, index_t, int,
                         const Epi<T>&);
template <typename T>
using tile_table_t = std::array<std::array<tile_fn<T>, kSMR>, kSNV>;

template <typename T, bool AP, bool BF, int NV, int... Ms>
constexpr std::array<tile_fn<T>, sizeof...(Ms)> tile_row(std::integer_sequence<int, Ms...>) {
  return {{&gemm_tile<T, Ms + 1, NV, AP, BF>...}};
}
template <typename T, bool AP, bool BF>
constexpr tile_table_t<T> tile_table() {
  return {{tile_row<T, AP, BF, 1>(std::make_integer_sequence<int, kSMR>{}),
           tile_row<T, AP, BF, 2>(std::make_integer_sequence<int, kSMR>{})}};
}
// kTiles<T>[apack][bfull][nv-1][m-1]
template <typename T>
const tile_table_t<T> kTiles[2][2] = {{tile_table<T, false, false>(), tile_table<T, false, true>()},
                                      {tile_table<T, true, false>(), tile_table<T, true, true>()}};

// ---- dot-product form -------------------------------------------------------------------------
// For tiny outputs with long K where A rows and B columns are both contiguous along K (csA == 1,
// rsB == 1, e.g. LeNet conv1 dW's backward 6 x 36864 x 25), packing costs more than the
// arithmetic: every packed element would be used only M or N times. Instead vectorize along K:
// a DI x DJ block of dot products keeps DI*DJ vector accumulators (avx512 3x4: 12 zmm, 7 loads
// per 12 FMAs) and reduces them horizontally once at the end. out[i*ldo + j] = sum over [k0, k1).
constexpr int kDI = 3, kDJ = 4;
template <int DI, int DJ>
void sdot_block(index_t k0, index_t k1, const float* A, index_t rsA, const float* B, index_t csB,
                float* out, index_t ldo) {
  constexpr int W = kW;
  vf acc[DI][DJ];
  for (int i = 0; i < DI; ++i)
    for (int j = 0; j < DJ; ++j) acc[i][j] = zero();
  index_t k = k0;
  for (; k + W <= k1; k += W) {
    vf a[DI], b[DJ];
    for (int i = 0; i < DI; ++i) a[i] = load(A + i * rsA + k);
    for (int j = 0; j < DJ; ++j) b[j] = load(B + j * csB + k);
    for (int i = 0; i < DI; ++i)
      for (int j = 0; j < DJ; ++j) acc[i][j] = fmadd(a[i], b[j], acc[i][j]);
  }
  if (k < k1) {
    const mask_f mk = lanes_f((int)(k1 - k));
    vf a[DI], b[DJ];
    for (int i = 0; i < DI; ++i) a[i] = load_m(A + i * rsA + k, mk);
    for (int j = 0; j < DJ; ++j) b[j] = load_m(B + j * csB + k, mk);
    for (int i = 0; i < DI; ++i)
      for (int j = 0; j < DJ; ++j) acc[i][j] = fmadd(a[i], b[j], acc[i][j]);
  }
  for (int i = 0; i < DI; ++i)
    for (int j = 0; j < DJ; ++j) out[i * ldo + j] = reduce_add(acc[i][j]);
}

using sdot_fn = void (*)(index_t, index_t, const float*, index_t, const float*, index_t, float*,
                         index_t);
template <int DI, int... Js>
constexpr std::array<sdot_fn, sizeof...(Js)> dot_row(std::integer_sequence<int, Js...>) {
  return {{&sdot_block<DI, Js + 1>...}};
}
const std::array<sdot_fn, kDJ> kDots[kDI] = {dot_row<1>(std::make_integer_sequence<int, kDJ>{}),
                                             dot_row<2>(std::make_integer_sequence<int, kDJ>{}),
                                             dot_row<3>(std::make_integer_sequence<int, kDJ>{})};

// All M x N dot products over k in [k0, k1) into out (M x N, row stride N).
inline void sdot_all(index_t M, index_t N, index_t k0, index_t k1, const float* A, index_t rsA,
                     const float* B, index_t csB, float* out) {
  for (index_t i = 0; i < M; i += kDI) {
    const int di = (int)std::min<index_t>(kDI, M - i);
    for (index_t j = 0; j < N; j += kDJ) {
      const int dj = (int)std::min<index_t>(kDJ, N - j);
      kDots[di - 1][dj - 1](k0, k1, A + i * rsA, rsA, B + j * csB, csB, out + i * N + j, N);
    }
  }
}

// ---- few rows times B^T: streamed dot products -----------------------------------------------
// Note [streamed B^T]: C (m x n, m small) = A * B with A rows and B columns contiguous along K
// (csA == 1, rsB == 1: Dense's dX = dY * W^T at batch 16-32). The tile paths must pack B (a
// transpose of every KC x NR panel, the whole weight matrix per call) and then use each packed
// element only ceil(m/MR) times. Here B is read once, in place: a DI x DJ block of dot products
// keeps DI*DJ vector accumulators along K (B rows in registers, one A load per DJ FMAs: avx2
// 4 x 3 fills the 16 ymm registers) and reduces them horizontally at the end, through the
// epilogue. The j loop is outside, so the DJ rows of B stream once from memory while the m rows
// of A (m*K floats) stay in L1/L2 (use_stream). Zen 1, 1 thread, best GFLOP/s per CPU-second,
// interleaved A/B in one process (loaded machine: medians moved less): 16x500x1800 (B^T) panel
// path 16.9 / 18.3 / 20.2 -> 21.7 / 23.7 / 22.3 in three runs (NumPy 20-23); at 32 rows the
// panel path stays ahead (27.9 vs 25.3: its packing is shared by 6 tiles), so the cut is 16 rows.
constexpr int kSI = 4;
template <int DI, int DJ>
void sstream_block(index_t K, const float* A, index_t rsA, const float* B, index_t csB, float* c,
                   index_t ldc, const Epi<float>& e, const float* bias, const float* pf) {
  constexpr int W = kW;
  vf acc[DI][DJ];
  for (int i = 0; i < DI; ++i)
    for (int j = 0; j < DJ; ++j) acc[i][j] = zero();
  index_t k = 0;
  if (pf)  // the next block's B rows, one line per row every 64 bytes of k (see sstream_cols)
    for (; k + W <= K; k += W) {
      if ((k * (index_t)sizeof(float)) % 64 == 0)
        for (int j = 0; j < kSJ; ++j) __builtin_prefetch(pf + j * csB + k);
      vf b[DJ];
      for (int j = 0; j < DJ; ++j) b[j] = load(B + j * csB + k);
      for (int i = 0; i < DI; ++i) {
        const vf a = load(A + i * rsA + k);
        for (int j = 0; j < DJ; ++j) acc[i][j] = fmadd(a, b[j], acc[i][j]);
      }
    }
  for (; k + W <= K; k += W) {
    vf b[DJ];
    for (int j = 0; j < DJ; ++j) b[j] = load(B + j * csB + k);
    for (int i = 0; i < DI; ++i) {
      const vf a = load(A + i * rsA + k);
      for (int j = 0; j < DJ; ++j) acc[i][j] = fmadd(a, b[j], acc[i][j]);
    }
  }
  if (k < K) {
    const mask_f mk = lanes_f((int)(K - k));
    vf b[DJ];
    for (int j = 0; j < DJ; ++j) b[j] = load_m(B + j * csB + k, mk);
    for (int i = 0; i < DI; ++i) {
      const vf a = load_m(A + i * rsA + k, mk);
      for (int j = 0; j < DJ; ++j) acc[i][j] = fmadd(a, b[j], acc[i][j]);
    }
  }
  float sums[DJ][4];
  for (int j = 0; j < DJ; ++j) {
#if defined(TF_ISA_avx2)
    const __m256 z = _mm256_setzero_ps();
    const __m256 t0 = _mm256_hadd_ps(acc[0][j].v, DI > 1 ? acc[DI > 1 ? 1 : 0][j].v : z);
    const __m256 t1 = _mm256_hadd_ps(DI > 2 ? acc[DI > 2 ? 2 : 0][j].v : z, DI > 3 ? acc[DI > 3 ? 3 : 0][j].v : z);
    const __m256 t2 = _mm256_hadd_ps(t0, t1);
    _mm_storeu_ps(sums[j], _mm_add_ps(_mm256_castps256_ps128(t2), _mm256_extractf128_ps(t2, 1)));
#else
    for (int i = 0; i < DI; ++i) sums[j][i] = reduce_add(acc[i][j]);
#endif
  }
  for (int i = 0; i < DI; ++i)
    for (int j = 0; j < DJ; ++j) {
      float x = e.alpha * sums[j][i];
      float* cp = c + i * ldc + j;
      if (e.beta != 0.0f) x += e.beta * *cp;
      if (bias) x += bias[j];
      *cp = e.relu ? relu_keep_nan(x) : x;
    }
}

using sstream_fn = void (*)(index_t, const float*, index_t, const float*, index_t, float*, index_t,
                            const Epi<float>&, const float*, const float*);
template <int DI, int... Js>
constexpr std::array<sstream_fn, sizeof...(Js)> stream_row(std::integer_sequence<int, Js...>) {
  return {{&sstream_block<DI, Js + 1>...}};
}
const std::array<sstream_fn, kSJ> kStreams[kSI] = {
    stream_row<1>(std::make_integer_sequence<int, kSJ>{}),
    stream_row<2>(std::make_integer_sequence<int, kSJ>{}),
    stream_row<3>(std::make_integer_sequence<int, kSJ>{}),
    stream_row<4>(std::make_integer_sequence<int, kSJ>{})};

// C rows [0, m), columns [j0, j1) (Note [streamed B^T]). The first row block of each column
// block prefetches the next column block's B rows: each block's rows are short streams (K
// floats) that the hardware prefetcher would start only after their first misses.
inline void sstream_cols(index_t m, index_t j0, index_t j1, index_t K, const float* A, index_t rsA,
                         const float* B, index_t csB, float* C, index_t ldc, const Epi<float>& e) {
  for (index_t j = j0; j < j1; j += kSJ) {
    const int dj = (int)std::min<index_t>(kSJ, j1 - j);
    const float* bias = e.bias ? e.bias + j : nullptr;
    const float* pf = j + 2 * kSJ <= j1 ? B + (j + kSJ) * csB : nullptr;
    for (index_t i = 0; i < m; i += kSI) {
      const int di = (int)std::min<index_t>(kSI, m - i);
      kStreams[di - 1][dj - 1](K, A + i * rsA, rsA, B + j * csB, csB, C + i * ldc + j, ldc, e, bias,
                               i == 0 ? pf : nullptr);
    }
  }
}

// ---- short K: row blocks swept along N ---------------------------------------------------------
// Note [short K]: with K <= kShortK (LeNet conv1's column gradient A^T dY = 25 x 6 x 36864) a
// register tile of the other paths does kc <= 8 rank-1 updates between its C stores, and the
// per-tile work around them (the call, zeroing, masks, the epilogue's set-up) costs more than
// the FMAs: every path (packed, panel, unpacked) ran that shape at 10-12 GFLOP/s, 1 thread, Zen 1
// (NumPy 13-17). Here a block of R <= kSKR rows of A (R x K values, copied once into a small
// k-major array) sweeps a strip of C along N 2 vectors at a time inside one call: per k step two
// vector loads of B (read in place) and R broadcasts feed 2R FMAs, and the tile is stored at once
// (plain stores in the common alpha = 1, beta = 0 form). Columns are cut into blocks whose K x nb
// slab of B stays in L1 across the row blocks (short_k_run); C is written along its rows, R
// sequential streams. Sums run k = 0..K-1 in order (a multiply, then FMAs). The first version
// kept one row of A in K registers and swept C one row at a time (one B load per FMA, 4 vectors
// of a row at a time): 18.9-19.9 GFLOP/s on 25 x 6 x 36864; the row blocks issue a third of the
// loads per FMA (see RESULTS, gemm3 2026-11-30, for the A/B).
constexpr int kShortK = 8;
#if defined(TF_ISA_avx512)
constexpr int kSKR = 12;  // 24 of the 32 zmm registers hold the 12 x 2 accumulators
#else
constexpr int kSKR = 6;  // avx2: 12 of the 16 ymm registers
#endif

template <typename T, bool WHOLE>
TF_UKR_INLINE void short_k_store(vec<T> acc, T* cp, const T* bias, const Epi<T>& e, vec<T> va,
                                 vec_mask<T> mk) {
  vec<T> x = acc * va;
  if (e.beta != T(0)) x = fmadd(set1(e.beta), WHOLE ? load(cp) : load_m(cp, mk), x);
  if (bias) x = x + (WHOLE ? load(bias) : load_m(bias, mk));
  if (e.relu) x = vmax(set1(T(0)), x);  // Note [NaN in max]: NaN stays NaN
  if constexpr (WHOLE)
    store(cp, x);
  else
    store_m(cp, mk, x);
}

// C rows [0, R), columns [0, n) = epilogue(ap (K x R, k-major: A(i, k) at ap[k*R + i]) * B (K x n,
// unit column stride, row stride rsb)); bias (if any) holds the n columns' values.
template <typename T, int R, int K>
void short_k_block(index_t n, const T* ap, const T* b, index_t rsb, T* c, index_t ldc,
                   const Epi<T>& e, const T* bias) {
  using V = vec<T>;
  constexpr index_t W = lanes<T>;
  const V va = set1(e.alpha);
  const vec_mask<T> full = lane_mask<T>((int)W);
  const bool plain = e.alpha == T(1) && e.beta == T(0) && !bias && !e.relu;
  index_t j = 0;
  for (; j + 2 * W <= n; j += 2 * W) {
    V acc[R][2];
    {
      const V b0 = load(b + j), b1 = load(b + j + W);
#pragma GCC unroll 16
      for (int i = 0; i < R; ++i) {
        const V a = set1(ap[i]);
        acc[i][0] = a * b0;
        acc[i][1] = a * b1;
      }
    }
#pragma GCC unroll 8
    for (int k = 1; k < K; ++k) {
      const V b0 = load(b + k * rsb + j), b1 = load(b + k * rsb + j + W);
#pragma GCC unroll 16
      for (int i = 0; i < R; ++i) {
        const V a = set1(ap[k * R + i]);
        acc[i][0] = fmadd(a, b0, acc[i][0]);
        acc[i][1] = fmadd(a, b1, acc[i][1]);
      }
    }
    if (plain) {
#pragma GCC unroll 16
      for (int i = 0; i < R; ++i) {
        store(c + i * ldc + j, acc[i][0]);
        store(c + i * ldc + j + W, acc[i][1]);
      }
    } else {
#pragma GCC unroll 16
      for (int i = 0; i < R; ++i)
        for (int v = 0; v < 2; ++v)
          short_k_store<T, true>(acc[i][v], c + i * ldc + j + v * W, bias ? bias + j + v * W : nullptr,
                                 e, va, full);
    }
  }
  for (; j < n; j += W) {  // the last (up to 2) vectors of the strip, the very last one partial
    const int r = (int)std::min<index_t>(W, n - j);
    const vec_mask<T> mk = lane_mask<T>(r);
    V bk[K];
    for (int k = 0; k < K; ++k) bk[k] = r == (int)W ? load(b + k * rsb + j) : load_m(b + k * rsb + j, mk);
    for (int i = 0; i < R; ++i) {
      V acc = set1(ap[i]) * bk[0];
      for (int k = 1; k < K; ++k) acc = fmadd(set1(ap[k * R + i]), bk[k], acc);
      if (r == (int)W)
        short_k_store<T, true>(acc, c + i * ldc + j, bias ? bias + j : nullptr, e, va, mk);
      else
        short_k_store<T, false>(acc, c + i * ldc + j, bias ? bias + j : nullptr, e, va, mk);
    }
  }
}

template <typename T>
using short_k_fn = void (*)(index_t, const T*, const T*, index_t, T*, index_t, const Epi<T>&,
                            const T*);
template <typename T, int R, int... Ks>
constexpr std::array<short_k_fn<T>, sizeof...(Ks)> short_k_row(std::integer_sequence<int, Ks...>) {
  return {{&short_k_block<T, R, Ks + 1>...}};
}
template <typename T, int... Rs>
constexpr std::array<std::array<short_k_fn<T>, kShortK>, sizeof...(Rs)> short_k_table(
    std::integer_sequence<int, Rs...>) {
  return {{short_k_row<T, Rs + 1>(std::make_integer_sequence<int, kShortK>{})...}};
}
// kShortKBlocks<T>[R - 1][K - 1]
template <typename T>
const std::array<std::array<short_k_fn<T>, kShortK>, kSKR> kShortKBlocks =
    short_k_table<T>(std::make_integer_sequence<int, kSKR>{});

// C rows [0, m), columns [0, n) = epilogue(A (m x kc, (i, k) at a[i*rsa + k*csa]) * B): rows in
// blocks of at most kSKR, as even as whole rows allow (25 rows: 5 x 5, not 4 x 6 + 1).
template <typename T>
void short_k_rows(index_t m, index_t n, index_t kc, const T* a, index_t rsa, index_t csa,
                  const T* b, index_t rsb, T* c, index_t ldc, const Epi<T>& e) {
  const index_t nrb = ceil_div(m, (index_t)kSKR);
  T ap[kShortK * kSKR];
  for (index_t rb = 0; rb < nrb; ++rb) {
    const index_t i0 = rb * m / nrb, R = (rb + 1) * m / nrb - i0;
    for (index_t k = 0; k < kc; ++k)
      for (index_t i = 0; i < R; ++i) ap[k * R + i] = a[(i0 + i) * rsa + k * csa];
    kShortKBlocks<T>[R - 1][kc - 1](n, ap, b, rsb, c + i0 * ldc, ldc, e, e.bias);
  }
}

template <typename T>
struct SimdKernel {
  using type = T;
  static constexpr int MR = kSMR, NR = kSNV * lanes<T>;
  static constexpr bool kUnpacked = true, kDot = std::is_same_v<T, float>;
  static constexpr int kShortK = ::tf::TF_ISA::kShortK, kLanes = lanes<T>;
  static void short_k(index_t m, index_t n, index_t kc, const T* a, index_t rsa, index_t csa,
                      const T* b, index_t rsb, T* c, index_t ldc, const Epi<T>& e) {
    short_k_rows<T>(m, n, kc, a, rsa, csa, b, rsb, c, ldc, e);
  }
  static void dot(index_t M, index_t N, index_t k0, index_t k1, const T* A, index_t rsA,
                  const T* B, index_t csB, T* out) {
    if constexpr (std::is_same_v<T, float>) sdot_all(M, N, k0, k1, A, rsA, B, csB, out);
  }
  static void stream(index_t m, index_t j0, index_t j1, index_t K, const T* A, index_t rsA,
                     const T* B, index_t csB, T* C, index_t ldc, const Epi<T>& e) {
    if constexpr (std::is_same_v<T, float>) sstream_cols(m, j0, j1, K, A, rsA, B, csB, C, ldc, e);
  }
  static constexpr bool kPackB = true;
  // m rows of a packed A panel times a full panel of B in place, packed into bq on the way
  static void tile_packb(int m, index_t kc, const T* a, const T* b, index_t rsb, index_t pf, T* bq,
                         T* c, index_t ldc, const Epi<T>& e) {
    kTilePackB<T>[m - 1](kc, a, b, rsb, pf, bq, c, ldc, e);
  }
  // m rows (<= MR) of a packed A panel times nq full packed B panels (Note [tile rows])
  static void tile_row(int m, index_t kc, const T* a, const T* bp, index_t nq, T* c, index_t ldc,
                       const Epi<T>& e) {
    kTileRows<T>[m - 1](kc, a, bp, nq, c, ldc, e);
  }
  // m rows (<= MR) of A in place times nq full panels of B in place (Note [unpacked tile rows])
  static void tile_row_inplace(int m, index_t kc, const T* a, index_t rsa, index_t csa, const T* b,
                               index_t rsb, index_t nq, T* c, index_t ldc, const Epi<T>& e) {
    kTileRowsInplace<T>[m - 1](kc, a, rsa, csa, b, rsb, nq, c, ldc, e);
  }
  static void tile(int m, int n, index_t kc, const T* a, index_t rsa, index_t csa, bool apack,
                   const T* b, index_t rsb, bool bfull, T* c, index_t ldc, const Epi<T>& e) {
    constexpr int W = lanes<T>;
    const int nv = (n + W - 1) / W;
    kTiles<T>[apack][bfull || n == nv * W][nv - 1][m - 1](kc, a, rsa, csa, b, rsb, c, ldc, n, e);
  }
};
using SKernel = SimdKernel<float>;
using DKernel = SimdKernel<double>;
#else
// Generic: one MR x NR tile (zero-padded packed panels; the packed path only), m x n stored.
template <typename T, int MR_, int NR_>
struct PortableKernel {
  using type = T;
  static constexpr int MR = MR_, NR = NR_;
  static constexpr bool kUnpacked = false, kDot = false;
  static constexpr int kShortK = 0, kLanes = lanes<T>;
  static void short_k(index_t, index_t, index_t, const T*, index_t, index_t, const T*, index_t, T*,
                      index_t, const Epi<T>&) {}
  static void dot(index_t, index_t, index_t, index_t, const T*, index_t, const T*, index_t, T*) {}
  static void stream(index_t, index_t, index_t, index_t, const T*, index_t, const T*, index_t, T*,
                     index_t, const Epi<T>&) {}
  static constexpr bool kPackB = false;
  static void tile_packb(int, index_t, const T*, const T*, index_t, index_t, T*, T*, index_t,
                         const Epi<T>&) {}
  static void tile(int m, int n, index_t kc, const T* a, index_t, index_t, bool, const T* b,
                   index_t, bool, T* c, index_t ldc, const Epi<T>& e) {
    ukernel<T, MR, NR / lanes<T>>(kc, APanel<T, MR>{a}, BRows<T, NR>{b}, c, ldc, m, n, e);
  }
  static void tile_row_inplace(int, index_t, const T*, index_t, index_t, const T*, index_t, index_t,
                               T*, index_t, const Epi<T>&) {}  // unpacked path only (kUnpacked)
  static void tile_row(int m, index_t kc, const T* a, const T* bp, index_t nq, T* c, index_t ldc,
                       const Epi<T>& e0) {
    Epi<T> e = e0;
    for (index_t q = 0; q < nq; ++q, e.bias = e.bias ? e.bias + NR : nullptr)
      tile(m, NR, kc, a, 1, MR, true, bp + q * NR * kc, NR, true, c + q * NR, ldc, e);
  }
};
using SKernel = PortableKernel<float, ukr_mr(1), 8>;
using DKernel = PortableKernel<double, ukr_mr(1), 4>;
#endif

// ---- cache blocking ---------------------------------------------------------------------------
// Note [cache blocking]: computed once per ISA from the caches the running CPU reports
// (tf/cpuinfo.h), overridable with TENSORFORGE_GEMM_BLOCKING=KC,MC,NC for tuning sweeps:
//   KC  depth of one rank-KC update: the KC x NR packed B micro-panel is re-read by every MR-row
//       tile. 8-lane kernels (avx2 6x16, generic): the panel fills half of L1d (BLIS's Haswell
//       choice, KC = 256 at 32 KiB). 16-lane kernels (avx512 12x32): 1.25x L1d, i.e. the panel
//       streams partly from L2 (swept on Zen 4 with bench/tune_gemm.py, 1 thread, n = 1024/2048,
//       128x784x256: KC = 320 best, 192: -5%, 128: -8%; 16-lane kernels issue half the loads
//       per FMA, so an L2-resident panel costs little). The avx2 kernels on a core that runs a
//       ymm FMA as two 128-bit halves (Zen 1, CpuId::ymm_half_rate) take twice the cycles per k
//       step, so the same holds there: the panel fills all of L1d (KC = 512 at 32 KiB; Zen 1,
//       1 thread, GFLOP/s per CPU-second as a fraction of OpenBLAS's in the same process,
//       n = 1024 / 2048, two runs: KC 256: 0.94 0.92 / 0.95 0.94; 384: 0.96 0.92 / 0.95 0.95;
//       512: 0.96 0.95 / 0.96 0.97: fewer C round trips per tile).
//       AMD cores with a full 512-bit FMA datapath (Zen 5: not CpuId::zmm_half_rate) run a k step
//       of the 12x32 tile in half Zen 4's cycles, so each K block's fixed costs (a C round trip
//       per tile, one pack of A and of B per block) weigh twice as much: there the panel comes
//       from L2, an eighth of the core's L2 (<= 1024; 1 MiB: KC = 1024, MC = 120). Zen 5, 1
//       thread, GFLOP/s per CPU-second (shared machine), with even K blocks: KC,MC 480,264:
//       1024^3 203 / 2048^3 201 / 4096^3 202; 640,192: 218 / 215 / 205; 768,160: 215 / 214 / 218;
//       1024,120: 235-239 / 226-228 / 223; 1024,240: 218 / 217 (RESULTS, gemm5). Intel's AVX-512
//       cores keep the L1 rule above until measured.
//   MC  rows of the packed MC x KC A block, which stays in the core's share of L2: half of it
//       (Zen 4, 1 MiB L2: 408; the sweep's best was 384).
//   NC  columns of the packed KC x NC B block, shared by the threads, in half of L3 (<= 4096,
//       the largest size measured). With KC from L2 (Zen 5) an eighth of L3: at KC 1024 the
//       half-L3 rule's 16 MiB block (NC 4096) ran every N >= 4096 at 0.92-0.94x the speed of NC
//       1024 (4 MiB; 1 thread, 2048x2048x4096: NC 4096 219-224, 2048 230-236, 1024 236-239
//       GFLOP/s per CPU-second, shared machine: RESULTS, gemm6).
// dgemm (8-byte elements) gets the same byte budgets.
struct BlockSizes {
  index_t KC, MC, NC;
};

inline index_t env_blocking(int which) {
  const char* s = std::getenv("TENSORFORGE_GEMM_BLOCKING");
  if (!s) return 0;
  index_t v[3] = {0, 0, 0};
  for (int i = 0; i < 3 && *s; ++i) {
    char* end = nullptr;
    v[i] = (index_t)std::strtol(s, &end, 10);
    if (end == s) return 0;
    s = *end == ',' ? end + 1 : end;
  }
  return v[which] > 0 ? v[which] : 0;
}

template <class K>
BlockSizes compute_blocking() {
  using T = typename K::type;
  constexpr index_t MR = K::MR, NR = K::NR, E = (index_t)sizeof(T);
  const CpuCaches& c = cpu_caches();
  const double l1 = (double)c.l1d, l2 = (double)c.l2 / std::max(1, c.l2_sharing);
  const double l3 = (double)c.l3;
  // panel bytes per k: 128 for 16 fp32 lanes x 2, 64 for the avx2 kernels
  const double kc_share = NR * E >= 128 ? 1.25 : NR * E == 64 && cpu_id().ymm_half_rate ? 1.0 : 0.5;
  BlockSizes b;
  b.KC = std::max<index_t>(64, std::min<index_t>(512, (index_t)(kc_share * l1 / (double)(NR * E)) / 8 * 8));
  const CpuId& id = cpu_id();
  const bool amd_full_zmm = NR * E >= 128 && std::strcmp(id.vendor, "AuthenticAMD") == 0 && !id.zmm_half_rate;
  if (amd_full_zmm)
    b.KC = std::max<index_t>(64, std::min<index_t>(1024, (index_t)(l2 / 8.0 / (double)(NR * E)) / 8 * 8));
  b.MC = std::max<index_t>(4 * MR, std::min<index_t>(1536, (index_t)(0.5 * l2 / (double)(b.KC * E)) / MR * MR));
  b.NC = std::max<index_t>(8 * NR, std::min<index_t>(4096, (index_t)(0.5 * l3 / (double)(b.KC * E)) / NR * NR));
  if (amd_full_zmm)  // an eighth of L3 at KC from L2 (32 MiB, KC 1024: NC = 1024)
    b.NC = std::max<index_t>(8 * NR, std::min<index_t>(4096, (index_t)(l3 / 8.0 / (double)(b.KC * E)) / NR * NR));
  if (index_t v = env_blocking(0)) b.KC = v;
  if (index_t v = env_blocking(1)) b.MC = std::max<index_t>(MR, v / MR * MR);
  if (index_t v = env_blocking(2)) b.NC = std::max<index_t>(NR, v / NR * NR);
  return b;
}

template <class K>
const BlockSizes& blocking() {
  static const BlockSizes b = compute_blocking<K>();
  return b;
}

// Note [even K blocks]: K is cut into ceil(K / KC) blocks of equal depth (rounded up to 8), not
// KC, KC, ..., remainder: K = 1024 at KC = 480 ran blocks of 480, 480 and 64, and the 64-deep
// block paid a whole pass of C loads/stores and A/B packing for 1/16 of the FMAs (Zen 5, 1 thread,
// 1024^3: 212 -> 224 GFLOP/s per CPU-second with blocks of 512). The packed and panel paths both
// step K by k_step(K, KC), so they keep matching bit for bit.
inline index_t k_step(index_t K, index_t KC) {
  if (K <= KC) return K;
  const index_t nb = ceil_div(K, KC);
  return std::min(KC, ceil_div(ceil_div(K, nb), index_t(8)) * 8);
}

// ---- drivers ----------------------------------------------------------------------------------
template <class K>
struct Problem {
  using T = typename K::type;
  index_t M, N, K_;
  T alpha;
  const T* A;
  index_t rsA, csA;
  const T* B;
  index_t rsB, csB;
  T beta;
  T* C;
  index_t ldc;
  const T* bias;
  bool relu;
};

// Note [GEMM chunks]: the output is cut into a grid of chunks, cm row blocks (whole MR tiles, at
// most MC rows: one packed A block) x cn column groups (whole NR panels), about four chunks per
// thread (Note [chunks claimed dynamically] in tf/parallel.h: a descheduled thread delays the
// call by at most one chunk). Rows are split first (splitting columns makes every column group
// pack the same rows of A again). The blocks are as equal as whole tiles allow (171 tiles in 10
// blocks: 17 or 18 each, never 9 x 18 + 9) and the chunk count is a multiple of the thread count
// where the problem has enough tiles: on a quiet machine every thread then runs the same amount
// of work and none waits for the other's last chunk (Zen 1, 2 threads, n = 2048: 9 chunks of 38
// tiles left one thread idle for a ninth of every K block). One thread: chunks of MC rows x all
// panels, the plain BLIS loops.
struct Grid {
  index_t tiles, npan;  // MR row tiles and NR panels of the whole block
  index_t cm, cn;       // chunks along M and along N
  index_t count() const { return cm * cn; }
  index_t tile0(index_t ci) const { return ci * tiles / cm; }  // first row tile of row block ci
  index_t pan0(index_t cj) const { return cj * npan / cn; }    // first panel of column group cj
};

inline Grid make_grid(index_t M, index_t npan, index_t MR, index_t MC, int nt) {
  const index_t tiles = ceil_div(M, MR);
  Grid g{tiles, npan, ceil_div(tiles, std::max<index_t>(1, MC / MR)), 1};
  if (nt > 1) {
    const index_t target = 4 * (index_t)nt;
    g.cm = std::max(g.cm, std::min(tiles, target));
    if (g.cm < target) g.cn = std::min(npan, ceil_div(target, g.cm));
    for (int i = 0; i < 2 * nt && g.count() % nt != 0; ++i) {  // whole rounds of nt chunks
      if (g.cn == 1 && g.cm < tiles) ++g.cm;
      else if (g.cn < npan) ++g.cn;
      else break;
    }
  }
  return g;
}

// The packed BLIS loops (Note [GEMM chunks]): per (jc, pc) block, B is packed by chunks of
// panels, then the output chunks run; two pool loops per block, no barrier inside either.
//
// Note [rows first]: a chunk runs its tiles panel by panel (a KC x NR panel of B stays in L1
// while the MR-row micro-panels of A stream from L2), except when all its packed panels fit in
// half of L2 (short K: dW = x^T dy of a Dense layer, K = the batch): then row tile by row tile,
// each MR x kc micro-panel of A in L1 sweeping the chunk's panels, so C is written row block
// after row block along N (MR sequential write streams) instead of MR rows at a time down a
// 16-column strip. Each tile computes the same sums either way (same bits). Zen 1, 1 thread,
// best GFLOP/s per CPU-second, interleaved A/B in one process (loaded machine): 1800x16x500
// (A^T) 23.7 -> 24.0, 1800x32x500 28.2 -> 29.5, 512x64x1024 32.3 -> 32.8.
template <class K>
void packed_run(const Problem<K>& p, int nt) {
  using T = typename K::type;
  constexpr index_t MR = K::MR, NR = K::NR;
  const BlockSizes& bs = blocking<K>();
  const index_t MC = bs.MC, KC = k_step(p.K_, bs.KC), NC = bs.NC;  // Note [even K blocks]
  const index_t kcmax = std::min<index_t>(KC, p.K_);
  T* Bp = workspace<T>(Ws::gemm_b, (size_t)ceil_div(std::min(NC, p.N), NR) * NR * kcmax);
  const index_t l2_half = cpu_caches().l2 / std::max(1, cpu_caches().l2_sharing) / 2;
  for (index_t jc = 0; jc < p.N; jc += NC) {
    const index_t nc = std::min(NC, p.N - jc);
    const index_t npan = ceil_div(nc, NR);
    const Grid g = make_grid(p.M, npan, MR, MC, nt);
    const int ntc = (int)std::min<index_t>(nt, g.count());
    for (index_t pc = 0; pc < p.K_; pc += KC) {
      const index_t kc = std::min(KC, p.K_ - pc);
      const bool last = pc + kc == p.K_;
      const T* bsrc = p.B + pc * p.rsB + jc * p.csB;
      // Packing moves kc*nc elements: worth a second thread only from ~64k of them.
      const int ntb = kc * nc >= 65536 ? ntc : 1;
      parallel_range(npan, chunk_size(npan, ntb, 1), ntb, [&](index_t q0, index_t q1) {
        pack_B<T, NR>(kc, nc, bsrc, p.rsB, p.csB, Bp, q0, q1);
      });
      parallel_chunks(g.count(), ntc, [&](index_t c) {
        const index_t ci = c / g.cn, cj = c % g.cn;
        const index_t i0 = g.tile0(ci) * MR, mc = std::min(g.tile0(ci + 1) * MR, p.M) - i0;
        const index_t q0 = g.pan0(cj), q1 = g.pan0(cj + 1);
        T* Ap = workspace<T>(Ws::gemm_a, (size_t)MC * KC);
        pack_A<T, MR>(mc, kc, p.A + i0 * p.rsA + pc * p.csA, p.rsA, p.csA, Ap);
        Epi<T> e{p.alpha, pc == 0 ? p.beta : T(1), nullptr, last && p.relu};
        if (kc * (q1 - q0) * NR * (index_t)sizeof(T) <= l2_half) {  // Note [rows first]
          // whole panels in one call per row tile (Note [tile rows]), the partial last one alone
          const index_t qf = std::min(q1, nc / NR);
          for (index_t ir = 0; ir < mc; ir += MR) {
            const int m = (int)std::min(MR, mc - ir);
            T* crow = p.C + (i0 + ir) * p.ldc + jc;
            if (qf > q0) {
              e.bias = last && p.bias ? p.bias + jc + q0 * NR : nullptr;
              K::tile_row(m, kc, Ap + ir * kc, Bp + q0 * NR * kc, qf - q0, crow + q0 * NR, p.ldc, e);
            }
            for (index_t q = std::max(q0, qf); q < q1; ++q) {
              const index_t j = q * NR;
              const int n = (int)std::min(NR, nc - j);
              e.bias = last && p.bias ? p.bias + jc + j : nullptr;
              K::tile(m, n, kc, Ap + ir * kc, 1, MR, true, Bp + q * NR * kc, NR, true, crow + j,
                      p.ldc, e);
            }
          }
          return;
        }
        for (index_t q = q0; q < q1; ++q) {
          const index_t j = q * NR;
          const int n = (int)std::min(NR, nc - j);
          const T* bp = Bp + q * NR * kc;
          e.bias = last && p.bias ? p.bias + jc + j : nullptr;
          for (index_t ir = 0; ir < mc; ir += MR) {
            const int m = (int)std::min(MR, mc - ir);
            K::tile(m, n, kc, Ap + ir * kc, 1, MR, true, bp, NR, true,
                    p.C + (i0 + ir) * p.ldc + jc + j, p.ldc, e);
          }
        }
      });
    }
  }
}

// Note [unpacked KC]: the unpacked path reuses a KC x NR slab of B in place across the row tiles
// of a chunk, so the slab's KC rows must stay cached. Rows s bytes apart fall into the same L2
// sets every way/gcd(s, way) rows (way = L2 size / associativity, 64 KiB on Zen 1): B rows of
// 1024 floats (s = 4 KiB) use only 16 of Zen 1's 1024 L2 sets, and 256 of them overflow those
// sets' 8 ways, so every row tile re-read its slab from L3 (and every row sat in its own 4 KiB
// page: LSTM forward 64x512x1024 ran at 0.61-0.67x OpenBLAS per CPU-second, 1 thread). unpacked_kc
// is the depth whose slab takes at most half the ways of the sets it maps to; below the path's
// KC = 256 (that example: 64; cutting KC there only reached 0.78x) B is packed instead
// (use_unpacked). Rows of 500 or 256 floats keep 256.
template <class K>
index_t unpacked_kc(index_t rsB) {
  using T = typename K::type;
  const CpuCaches& c = cpu_caches();
  const index_t ways = std::max(2, c.l2_ways);
  const index_t way = std::max<index_t>(4096, (index_t)c.l2 / ways), sets = way / 64;
  const index_t s = (rsB < 0 ? -rsB : rsB) * (index_t)sizeof(T);
  const index_t period = s == 0 ? sets : std::min(sets, way / std::gcd(s, way));
  return std::max<index_t>(16, std::min<index_t>(256, period * ways / 2 / 8 * 8));
}

// No packing: the micro-kernel reads A (strided broadcasts) and B (csB == 1) in place. K is still
// blocked so that a KC x NR slab of B stays cached across the MR row tiles (Note [unpacked KC]).
// Each chunk of the grid runs every K block of its part of C (nothing is shared).
//
// Note [unpacked tile rows]: when the chunk's whole K block of B (kc x its panels) fits half of
// L1d, every panel's slab stays cached anyway, and the chunk runs row tile by row tile, each one
// call over all of its full panels (the unpacked twin of Note [tile rows]): a 64^3 product is 12
// tiles of 64 k steps, and each call's set-up (12 row addresses, C prefetches, the table call)
// was paid per tile. Same sums per tile (same bits). Zen 5, 1 thread, thread_time per call, best
// of 7 x 2000, interleaved with the base build (shared machine): 64^3 tf.ops.gemm 3.13-3.14 ->
// 2.96-3.01 us (NumPy 2.79-2.90; RESULTS, gemm7).
template <class K>
void unpacked_run(const Problem<K>& p, int nt) {
  using T = typename K::type;
  constexpr index_t MR = K::MR, NR = K::NR;
  constexpr index_t KC = 256;
  const index_t npan = ceil_div(p.N, NR);
  const index_t l1_half = cpu_caches().l1d / 2;
  // Every chunk reads its rows of A and its columns of B in place, so a cm x cn grid reads A cn
  // times and B cm times: pick the grid of ~2 chunks per thread with the least of that traffic
  // (128x784x256 at 2 threads: 2 x 2, not 8 row blocks each streaming all of B).
  const index_t tiles_m = ceil_div(p.M, MR), target = nt > 1 ? 2 * (index_t)nt : 1;
  Grid g{tiles_m, npan, 1, 1};
  double best = -1.0;
  for (index_t cm = 1; cm <= std::min(tiles_m, target); ++cm) {
    const index_t cn = std::min(npan, ceil_div(target, cm));
    const double cost = (double)cn * (double)p.M * (double)p.K_ + (double)cm * (double)p.K_ * (double)p.N;
    if (best >= 0.0 && cost >= best) continue;
    best = cost;
    g.cm = cm;
    g.cn = cn;
  }
  parallel_chunks(g.count(), (int)std::min<index_t>(nt, g.count()), [&](index_t c) {
    const index_t ci = c / g.cn, cj = c % g.cn;
    const index_t m0 = g.tile0(ci) * MR, m1 = std::min(p.M, g.tile0(ci + 1) * MR);
    const index_t q0 = g.pan0(cj), q1 = g.pan0(cj + 1);
    for (index_t pc = 0; pc < p.K_; pc += KC) {
      const index_t kc = std::min(KC, p.K_ - pc);
      const bool last = pc + kc == p.K_;
      Epi<T> e{p.alpha, pc == 0 ? p.beta : T(1), nullptr, last && p.relu};
      if (kc * (q1 - q0) * NR * (index_t)sizeof(T) <= l1_half) {  // Note [unpacked tile rows]
        const index_t qf = std::min(q1, p.N / NR);  // full panels in one call per row tile
        for (index_t i = m0; i < m1; i += MR) {
          const int m = (int)std::min(MR, m1 - i);
          const T* ai = p.A + i * p.rsA + pc * p.csA;
          T* ci = p.C + i * p.ldc;
          if (qf > q0) {
            e.bias = last && p.bias ? p.bias + q0 * NR : nullptr;
            K::tile_row_inplace(m, kc, ai, p.rsA, p.csA, p.B + pc * p.rsB + q0 * NR, p.rsB, qf - q0,
                                ci + q0 * NR, p.ldc, e);
          }
          for (index_t q = std::max(q0, qf); q < q1; ++q) {
            const index_t j = q * NR;
            e.bias = last && p.bias ? p.bias + j : nullptr;
            K::tile(m, (int)std::min(NR, p.N - j), kc, ai, p.rsA, p.csA, false, p.B + pc * p.rsB + j,
                    p.rsB, false, ci + j, p.ldc, e);
          }
        }
        continue;
      }
      for (index_t q = q0; q < q1; ++q) {
        const index_t j = q * NR;
        const int n = (int)std::min(NR, p.N - j);
        e.bias = last && p.bias ? p.bias + j : nullptr;
        for (index_t i = m0; i < m1; i += MR) {
          const int m = (int)std::min(MR, m1 - i);
          K::tile(m, n, kc, p.A + i * p.rsA + pc * p.csA, p.rsA, p.csA, false, p.B + pc * p.rsB + j,
                  p.rsB, false, p.C + i * p.ldc + j, p.ldc, e);
        }
      }
    }
  });
}

// Few rows (at most kPanelTiles MR tiles): every packed element of B is used by only those few
// tiles, so a separate pass that packs a whole KC x NC block of B to memory and reads it back
// costs as much as the packing itself. Here chunks are groups of NR panels (all M rows; columns
// split between threads, Note [GEMM chunks]); each chunk packs one KC x NR panel of B at a time
// into a thread-private buffer (L1/L2) and runs the M rows over it at once, every K block of a
// panel before the next panel (its C columns stay cached). K blocks are the packed path's (KC),
// so results match it bit for bit at any thread count. Zen 1, 1 thread, GFLOP/s per CPU-second as
// a fraction of OpenBLAS's in the same process (loaded machine): LSTM forward 64x512x1024 0.67
// (unpacked) / 0.83 (packed path) -> 0.99, its dA 64x1024x512 (B^T) 0.88 -> 1.04, LeNet fc dA
// 32x500x1800 (B^T) 0.87 -> 1.17.
//
// Note [A once per thread]: A (all its K blocks, tiles*MR*K values) is packed once per call by
// each thread that runs a chunk, on its first chunk, into that thread's copy in the caller's
// workspace; its later chunks reuse it. The first version packed A per chunk, i.e. 4x per thread
// per call at 2 threads (perf, 1 thread: one pack of A is ~1% of 64x512x1024), and kept the cut at 16 tiles
// for that reason; without it 22 tiles (M = 128: MLP fc dA 128x256x784 B^T) run here, not in the
// packed path, whose shared B pack ends in a wait for both threads before any tile runs. Packed A
// is bounded (kPanelABytes per copy); beyond it the packed path runs.
//
// Note [B packed by its first tile]: with B in place at unit column stride (op(B) = B, e.g. the
// LSTM forward's x W, rows 4 KiB apart), the first row tile of each panel reads its KC x NR slab of
// B directly, stores every row into the packed panel as it loads it (tf/ukernel.h's BRowsPack)
// and prefetches the row kPackPf rows ahead; the other row tiles read the packed copy. The copy's
// loads were a separate pass of strided, page-crossing reads (perf: pack_B 15% of 64x512x1024,
// 1 thread); now they overlap the first tile's FMAs. Same sums in the same order (same bits).
// Zen 1, 1 thread, CPU time, interleaved with the separate pack in one process: 64x512x1024
// 1.05-1.09x (RESULTS, gemm4 2026-11-30). Packing 4 or 8 panels per pass row by row (reads of
// 256-512 contiguous bytes per row of B), with or without prefetch, measured no gain, nor did
// prefetching the next panel's rows into L2 during the second row tile.
constexpr index_t kPanelTiles = 22;
constexpr index_t kPanelABytes = index_t(4) << 20;
constexpr index_t kPackPf = 16;

template <class K>
bool use_panel(const Problem<K>& p) {
  const index_t tiles = ceil_div(p.M, (index_t)K::MR);
  return tiles <= kPanelTiles &&
         tiles * K::MR * p.K_ * (index_t)sizeof(typename K::type) <= kPanelABytes;
}

// panel_run's per-call identity for its packed A copies (Note [A once per thread])
std::atomic<uint64_t> g_panel_calls{0};
struct PanelTag {
  uint64_t call = 0;
  int slot = -1;
};
thread_local PanelTag t_panel_tag;

template <class K>
void panel_run(const Problem<K>& p, int nt) {
  using T = typename K::type;
  constexpr index_t MR = K::MR, NR = K::NR;
  const index_t KC = k_step(p.K_, blocking<K>().KC), tiles = ceil_div(p.M, MR), npan = ceil_div(p.N, NR);
  const index_t nch = nt > 1 ? std::min<index_t>(npan, 4 * (index_t)nt) : 1;
  const int ntc = (int)std::min<index_t>(nt, nch);
  const index_t asz = tiles * MR * p.K_, bsz = NR * std::min(KC, p.K_);
  const bool fused = K::kPackB && p.csB == 1;  // Note [B packed by its first tile]
  auto pack_all_A = [&](T* Ap) {  // K block pc at Ap + tiles*MR*pc
    for (index_t pc = 0; pc < p.K_; pc += KC)
      pack_A<T, MR>(p.M, std::min(KC, p.K_ - pc), p.A + pc * p.csA, p.rsA, p.csA, Ap + tiles * MR * pc);
  };
  // 2+ threads: one copy of packed A per thread that runs a chunk, claimed by its first chunk
  const uint64_t call = g_panel_calls.fetch_add(1, std::memory_order_relaxed) + 1;
  std::atomic<int> next_slot{0};
  T* copies = ntc > 1 ? workspace<T>(Ws::gemm_a, (size_t)(ntc * asz)) : nullptr;
  parallel_chunks(nch, ntc, [&](index_t c) {
    const index_t q0 = c * npan / nch, q1 = (c + 1) * npan / nch;
    T* Ap;
    T* Bq;
    if (ntc <= 1) {
      Ap = workspace<T>(Ws::gemm_a, (size_t)asz);
      Bq = workspace<T>(Ws::gemm_b, (size_t)bsz);
      pack_all_A(Ap);
    } else {
      PanelTag& tag = t_panel_tag;
      if (tag.call != call) {
        tag.call = call;
        tag.slot = next_slot.fetch_add(1, std::memory_order_relaxed);
        if (tag.slot < ntc) pack_all_A(copies + tag.slot * asz);
      }
      if (tag.slot < ntc) {
        Ap = copies + tag.slot * asz;
        Bq = workspace<T>(Ws::gemm_b, (size_t)bsz);
      } else {  // more threads than copies (the pool never runs more than ntc): A per chunk
        Ap = workspace<T>(Ws::gemm_b, (size_t)(asz + bsz));
        Bq = Ap + asz;
        pack_all_A(Ap);
      }
    }
    for (index_t q = q0; q < q1; ++q) {
      const index_t j = q * NR;
      const int n = (int)std::min(NR, p.N - j);
      const bool first_packs = fused && n == NR;
      for (index_t pc = 0; pc < p.K_; pc += KC) {
        const index_t kc = std::min(KC, p.K_ - pc);
        const bool last = pc + kc == p.K_;
        const T* ap = Ap + tiles * MR * pc;
        const T* b = p.B + pc * p.rsB + j * p.csB;
        Epi<T> e{p.alpha, pc == 0 ? p.beta : T(1), last && p.bias ? p.bias + j : nullptr, last && p.relu};
        index_t ir = 0;
        if (first_packs) {
          K::tile_packb((int)std::min(MR, p.M), kc, ap, b, p.rsB, kPackPf * p.rsB, Bq, p.C + j, p.ldc, e);
          ir = MR;
        } else {
          pack_B<T, NR>(kc, p.N - j, b, p.rsB, p.csB, Bq, 0, 1);
        }
        for (; ir < p.M; ir += MR) {
          const int m = (int)std::min(MR, p.M - ir);
          K::tile(m, n, kc, ap + ir * kc, 1, MR, true, Bq, NR, true, p.C + ir * p.ldc + j, p.ldc, e);
        }
      }
    }
  });
}

// K <= kShortK (Note [short K]): row blocks of C swept along N. Chunks are column blocks whose
// K x nb slab of B (read in place) fits L1d, at least ~4 per thread, each running every row of C
// (each thread writes its own columns; no sum is split, so any thread count gives the same bits).
// A slab of all of L1d rather than half of it: longer C row streams per block, the slab's few
// misses are L2 hits (Zen 1, 1 thread, 25 x 6 x 36864: nb 672 -> 1344 -> 2688 columns measured
// 23.7 -> 25.5 -> 25.7 GFLOP/s per CPU-second, loaded machine).
template <class K>
bool use_short_k(const Problem<K>& p) {
  return K::kShortK > 0 && p.csB == 1 && p.K_ <= K::kShortK && p.N >= 4 * (index_t)K::kLanes;
}

template <class K>
void short_k_run(const Problem<K>& p, int nt) {
  using T = typename K::type;
  constexpr index_t U = 4 * (index_t)K::kLanes;
  const index_t l1 = std::max<long>(16384, cpu_caches().l1d);
  index_t nb = std::max<index_t>(U, l1 / (p.K_ * (index_t)sizeof(T)) / U * U);
  if (nt > 1) nb = std::min(nb, std::max<index_t>(U, ceil_div(ceil_div(p.N, 4 * (index_t)nt), U) * U));
  const index_t nblk = ceil_div(p.N, nb);
  // too few column blocks for the threads (tall C, e.g. 100000 x 4 x 64): rows are split too
  const index_t rblk = nt > 1 && nblk < 4 * (index_t)nt ? std::min(p.M, ceil_div(4 * (index_t)nt, nblk)) : 1;
  const Epi<T> e{p.alpha, p.beta, p.bias, p.relu};
  parallel_chunks(nblk * rblk, (int)std::min<index_t>(nt, nblk * rblk), [&](index_t c) {
    const index_t cj = c % nblk, ci = c / nblk;
    const index_t j0 = cj * nb, n = std::min(nb, p.N - j0);
    const index_t i0 = ci * p.M / rblk, i1 = (ci + 1) * p.M / rblk;
    Epi<T> ec = e;
    ec.bias = p.bias ? p.bias + j0 : nullptr;
    K::short_k(i1 - i0, n, p.K_, p.A + i0 * p.rsA, p.rsA, p.csA, p.B + j0, p.rsB,
               p.C + i0 * p.ldc + j0, p.ldc, ec);
  });
}

// Packing B costs K*N copies and pays back only through reuse of B across row tiles. Measured on
// Zen 4 (1 thread, bench/tune_gemm.py): reading B in place wins for M <= 72 at any N (the KC x NR
// slab of B is reused from L1/L2 across all row tiles; 32x1800x500: 106 vs 80 GFLOP/s packed) and
// for M <= 256 while B is small (256^3, 128x784x256: 111 vs 103); for larger problems packing
// wins (B rows at power-of-two strides collide in L1/L2 sets: 1024^3 unpacked 22 vs 99 packed).
// B must have unit column stride to be loaded as vectors in place.
template <class K>
bool use_unpacked(const Problem<K>& p) {
  if (!K::kUnpacked || p.csB != 1) return false;
  // B rows whose stride maps them onto few L2 sets (Note [unpacked KC]) are better packed.
  if (ceil_div(p.M, (index_t)K::MR) > 1 && unpacked_kc<K>(p.rsB) < 256) return false;
  if (p.M <= 72) return true;
  return p.M <= 256 && (double)p.K_ * (double)p.N <= 256.0 * 1024.0;
}

// Dot-product form pays when packing dominates: packing moves K*(M+N) elements, the arithmetic
// is M*N*K/W vector FMAs, so when M*N < W*(M+N) (tiny outputs) and K is long enough to vectorize.
template <class K>
bool use_dot(const Problem<K>& p) {
  if (!K::kDot || p.csA != 1 || p.rsB != 1 || p.K_ < 64) return false;
  return (double)p.M * (double)p.N < 16.0 * (double)(p.M + p.N);
}

// Split-K: chunk c (at most 8, >= 2048 k each, on 64-element steps: fixed by K alone, never by
// the thread count) writes a private M x N partial; the epilogue sums the partials in chunk order,
// so the result is bit-identical at every thread count (Note [fixed reduction partition] in
// conv_impl.h). The partials are tiny (M*N is, see use_dot).
template <class K>
void dot_run(const Problem<K>& p, int nt) {
  using T = typename K::type;
  const index_t M = p.M, N = p.N, MN = M * N;
  const index_t nch = std::max<index_t>(1, std::min<index_t>(8, p.K_ / 2048));
  const index_t klen = ceil_div(ceil_div(p.K_, nch), 64) * 64;
  const index_t nparts = ceil_div(p.K_, klen);
  std::vector<T> part((size_t)nparts * MN, T(0));
  parallel_chunks(nparts, (int)std::min<index_t>(nt, nparts), [&](index_t c) {
    const index_t k0 = c * klen, k1 = std::min(p.K_, k0 + klen);
    K::dot(M, N, k0, k1, p.A, p.rsA, p.B, p.csB, part.data() + c * MN);
  });
  for (index_t i = 0; i < M; ++i) {
    T* cr = p.C + i * p.ldc;
    for (index_t j = 0; j < N; ++j) {
      T acc = part[i * N + j];
      for (index_t t = 1; t < nparts; ++t) acc += part[t * MN + i * N + j];
      T x = p.alpha * acc;
      if (p.beta != T(0)) x += p.beta * cr[j];
      if (p.bias) x += p.bias[j];
      cr[j] = p.relu ? relu_keep_nan(x) : x;
    }
  }
}

// Note [streamed B^T]: few rows, A rows and B columns contiguous along K. Chunks are groups of
// whole kSJ-column blocks, about four per thread; every chunk runs all rows over its columns
// (no sum is split: the same bits at any thread count).
template <class K>
bool use_stream(const Problem<K>& p) {
  return K::kDot && p.csA == 1 && p.rsB == 1 && p.M <= kStreamRows && p.K_ >= 2 * K::kLanes &&
         p.N >= 4 * kSJ;
}

template <class K>
void stream_run(const Problem<K>& p, int nt) {
  const index_t blocks = ceil_div(p.N, (index_t)kSJ);
  const index_t nch = nt > 1 ? std::min<index_t>(blocks, 4 * (index_t)nt) : 1;
  const Epi<typename K::type> e{p.alpha, p.beta, p.bias, p.relu};
  parallel_chunks(nch, (int)std::min<index_t>(nt, nch), [&](index_t c) {
    const index_t j0 = c * blocks / nch * kSJ, j1 = std::min(p.N, (c + 1) * blocks / nch * kSJ);
    K::stream(p.M, j0, j1, p.K_, p.A, p.rsA, p.B, p.csB, p.C, p.ldc, e);
  });
}

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
  if (use_unpacked(p)) return unpacked_run(p, nt);
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
  const index_t rb = slice_flops >= kBigSlice || count >= kBatchChunks
                         ? 1 : std::min(tiles, ceil_div(kBatchChunks, count));
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

}  // namespace

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
