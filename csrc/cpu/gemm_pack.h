// Private to csrc/cpu/gemm*.cpp (compiled once per ISA): packing of A into MR-row panels and of B
// into NR-column panels (the BLIS layouts the micro-kernels read with unit stride), through
// general strides, so transposes and views cost nothing extra.
#pragma once
#include <algorithm>
#include <cstring>

#include "tf/gemm.h"
#include "tf/simd.h"
#include "transpose8.h"

#ifndef TF_ISA
#error "gemm_pack.h is for csrc/cpu/gemm*.cpp, compiled once per ISA"
#endif

namespace tf {
namespace TF_ISA {
namespace gemm_impl {
using namespace simd;

// Packing buffers are thread-private workspaces reused across calls (tf/workspace.h): Ws::gemm_a
// holds each thread's packed A block, Ws::gemm_b the calling thread's packed B block, shared by the team.

// ---- packing ----------------------------------------------------------------------------------

// Ap: ceil(mc/MR) panels, each kc x MR (element (i, k) of the panel at [k*MR + i]); rows past mc
// are zero. a points at element (0, 0) of the block; (i, k) is a[i*rsA + k*csA].
template <typename T, int MR>
void pack_A(index_t mc, index_t kc, const T* a, index_t rsA, index_t csA, T* Ap) {
  for (index_t i0 = 0; i0 < mc; i0 += MR, Ap += MR * kc) {
    const int m = (int)std::min<index_t>(MR, mc - i0);
    const T* s = a + i0 * rsA;
    if (csA == 1 && m == MR) {  // rows contiguous along k: the panel is their transpose
      index_t k0 = 0;
#ifdef TF_HAVE_TRANSPOSE8
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
#ifdef TF_HAVE_TRANSPOSE8
    // B transposed (columns contiguous along k): 8 x 8 register transposes, not scalar scatter.
    if constexpr (std::is_same_v<T, float> && NR % 8 == 0) {
      if (rsB == 1 && n == NR) {
        for (; k + 8 <= kc; k += 8)
          for (int jb = 0; jb < NR; jb += 8) {
            transpose8_block(s + jb * csB + k, csB, d + k * NR + jb, NR);
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

}  // namespace gemm_impl
}  // namespace TF_ISA
}  // namespace tf
