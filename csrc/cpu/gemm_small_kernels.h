// Private to csrc/cpu/gemm*.cpp (compiled once per ISA): the kernels of the GEMM's paths that
// do not run the register tile: dot products along K (tiny outputs), streamed B^T (few rows,
// Note [streamed B^T]) and short K (Note [short K]). fp32 SIMD only (the dot and stream forms)
// or SIMD only (short K); their drivers are in gemm_small.cpp.
#pragma once
#include <array>
#include <type_traits>
#include <utility>

#include "gemm_tiles.h"

#ifndef TF_ISA
#error "gemm_small_kernels.h is for csrc/cpu/gemm*.cpp, compiled once per ISA"
#endif

namespace tf {
namespace TF_ISA {
namespace gemm_impl {
using namespace simd;

// Streamed B^T path (Note [streamed B^T]): columns per block, and the most rows it takes.
constexpr int kSJ = 3;
constexpr index_t kStreamRows = 16;

#if defined(TF_ISA_avx512) || defined(TF_ISA_avx2)
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
inline const std::array<sdot_fn, kDJ> kDots[kDI] = {dot_row<1>(std::make_integer_sequence<int, kDJ>{}),
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
inline const std::array<sstream_fn, kSJ> kStreams[kSI] = {
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
inline const std::array<std::array<short_k_fn<T>, kShortK>, kSKR> kShortKBlocks =
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
#endif

}  // namespace gemm_impl
}  // namespace TF_ISA
}  // namespace tf
