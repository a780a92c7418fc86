// Private to csrc/cpu/gemm*.cpp (compiled once per ISA): the GEMM's kernel interface, the one
// type the drivers are written against: SKernel / DKernel give the tile (MR x NR), the register
// tiles (tile, tile_row, tile_row_inplace, tile_packb) and the small paths' kernels (short_k,
// dot, stream), with flags saying which paths the ISA has (the portable build: packed and panel
// paths only).
#pragma once
#include <type_traits>

#include "gemm_small_kernels.h"

#ifndef TF_ISA
#error "gemm_kernel.h is for csrc/cpu/gemm*.cpp, compiled once per ISA"
#endif

namespace tf {
namespace TF_ISA {
namespace gemm_impl {
using namespace simd;

#if defined(TF_ISA_avx512) || defined(TF_ISA_avx2)
template <typename T>
struct SimdKernel {
  using type = T;
  static constexpr int MR = kSMR, NR = kSNV * lanes<T>;
  static constexpr bool kUnpacked = true, kDot = std::is_same_v<T, float>;
  static constexpr int kShortK = gemm_impl::kShortK, kLanes = lanes<T>;
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

}  // namespace gemm_impl
}  // namespace TF_ISA
}  // namespace tf
