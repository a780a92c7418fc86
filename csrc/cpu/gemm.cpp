// GEMM kernels (fp32 and fp64). Contract in tf/gemm.h. Compiled once per ISA (see tf/isa.h).
//
// PLACEHOLDER implementation (correct, not fast): B is packed to a contiguous (K, N) panel, rows
// of C are split across threads, the inner loop is a SIMD axpy over N. The BLIS-style blocked
// kernel replaces this.
#include <algorithm>
#include <vector>

#include "tf/gemm.h"
#include "tf/simd.h"

namespace tf {
namespace TF_ISA {

namespace {

template <typename T>
inline T apply_act(T v, Act act) {
  if (act == Act::relu) return v > T(0) ? v : (v != v ? v : T(0));
  return v;
}

template <typename T>
void gemm_simple(index_t M, index_t N, index_t K, T alpha, const T* A, index_t rsA, index_t csA,
                 const T* B, index_t rsB, index_t csB, T beta, T* C, index_t ldc, const T* bias,
                 Act act) {
  std::vector<T> Bp((size_t)K * (size_t)N);
  for (index_t k = 0; k < K; ++k)
    for (index_t j = 0; j < N; ++j) Bp[(size_t)k * N + j] = B[k * rsB + j * csB];
  const int nt = max_threads();
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1 && M * N * K > 100000)
  for (index_t i = 0; i < M; ++i) {
    FtzGuard ftz;
    std::vector<T> acc((size_t)N, T(0));
    for (index_t k = 0; k < K; ++k) {
      const T a = A[i * rsA + k * csA];
      const T* b = Bp.data() + (size_t)k * N;
      for (index_t j = 0; j < N; ++j) acc[j] += a * b[j];
    }
    T* c = C + i * ldc;
    for (index_t j = 0; j < N; ++j) {
      T v = alpha * acc[j];
      if (beta != T(0)) v += beta * c[j];
      if (bias) v += bias[j];
      c[j] = apply_act(v, act);
    }
  }
}

}  // namespace

void sgemm(index_t M, index_t N, index_t K, float alpha, const float* A, index_t rsA, index_t csA,
           const float* B, index_t rsB, index_t csB, float beta, float* C, index_t ldc,
           const float* bias, Act act) {
  FtzGuard ftz;
  gemm_simple<float>(M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, act);
}

void dgemm(index_t M, index_t N, index_t K, double alpha, const double* A, index_t rsA,
           index_t csA, const double* B, index_t rsB, index_t csB, double beta, double* C,
           index_t ldc, const double* bias, Act act) {
  FtzGuard ftz;
  gemm_simple<double>(M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, act);
}

}  // namespace TF_ISA
}  // namespace tf
