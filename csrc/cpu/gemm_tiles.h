// Private to csrc/cpu/gemm*.cpp (compiled once per ISA, tf/isa.h): the GEMM's register tiles over
// tf/ukernel.h (sgemm_avx512_12x32, sgemm_avx2_6x16, ...), as tables indexed by the edge tile's
// rows and vectors, and the epilogue. In namespace tf::<isa>::gemm_impl, shared by the gemm*.cpp
// files (the per-ISA namespaces keep the ISAs apart, Note [per-ISA inline functions]).
#pragma once
#include <array>
#include <utility>

#include "tf/gemm.h"
#include "tf/simd.h"
#include "tf/ukernel.h"

#ifndef TF_ISA
#error "gemm_tiles.h is for csrc/cpu/gemm*.cpp, compiled once per ISA"
#endif

namespace tf {
namespace TF_ISA {
namespace gemm_impl {
using namespace simd;

// The epilogue (alpha, beta, bias, relu) is tf/ukernel.h's (Note [GEMM epilogue] there). The
// driver passes the caller's beta for the first K block and beta = 1 afterwards, and bias/relu
// only for the last K block.
template <typename T>
using Epi = Epilogue<T>;

template <typename T>
inline T relu_keep_nan(T v) {
  return v > T(0) ? v : (v != v ? v : T(0));
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
inline const std::array<tile_row_inplace_fn<T>, kSMR> kTileRowsInplace =
    tile_row_inplace_table<T>(std::make_integer_sequence<int, kSMR>{});

template <typename T>
using tile_packb_fn = void (*)(index_t, const T*, const T*, index_t, index_t, T*, T*, index_t, const Epi<T>&);
template <typename T, int... Ms>
constexpr std::array<tile_packb_fn<T>, sizeof...(Ms)> tile_packb_table(std::integer_sequence<int, Ms...>) {
  return {{&gemm_tile_packb<T, Ms + 1>...}};
}
template <typename T>
inline const std::array<tile_packb_fn<T>, kSMR> kTilePackB = tile_packb_table<T>(std::make_integer_sequence<int, kSMR>{});

template <typename T>
using tile_row_fn = void (*)(index_t, const T*, const T*, index_t, T*, index_t, const Epi<T>&);
template <typename T, int... Ms>
constexpr std::array<tile_row_fn<T>, sizeof...(Ms)> tile_row_table(std::integer_sequence<int, Ms...>) {
  return {{&gemm_tile_row<T, Ms + 1>...}};
}
template <typename T>
inline const std::array<tile_row_fn<T>, kSMR> kTileRows = tile_row_table<T>(std::make_integer_sequence<int, kSMR>{});

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
inline const tile_table_t<T> kTiles[2][2] = {{tile_table<T, false, false>(), tile_table<T, false, true>()},
                                      {tile_table<T, true, false>(), tile_table<T, true, true>()}};

#endif

}  // namespace gemm_impl
}  // namespace TF_ISA
}  // namespace tf
