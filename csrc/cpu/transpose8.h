// Private to csrc/cpu (compiled once per ISA): an 8 x 8 fp32 register transpose, for the packers
// that turn a transposed source into row panels (gemm_pack.h's B, conv_impl.h's pack_panels):
// 8 x 8 blocks through registers instead of a scalar scatter. TF_HAVE_TRANSPOSE8 says it exists
// (AVX2 and AVX-512 builds).
#pragma once
#include "tf/simd.h"

#ifndef TF_ISA
#error "transpose8.h is for csrc/cpu/*.cpp, compiled once per ISA"
#endif

namespace tf {
namespace TF_ISA {

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

// dst[q*ldd + i] = src[i*lds + q] for an 8 x 8 block (src rows of 8 consecutive floats).
inline void transpose8_block(const float* src, index_t lds, float* dst, index_t ldd) {
  __m256 r[8];
  for (int q = 0; q < 8; ++q) r[q] = _mm256_loadu_ps(src + q * lds);
  transpose8(r);
  for (int q = 0; q < 8; ++q) _mm256_storeu_ps(dst + q * ldd, r[q]);
}
#define TF_HAVE_TRANSPOSE8 1
#endif

}  // namespace TF_ISA
}  // namespace tf
