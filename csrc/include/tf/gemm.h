// GEMM: C = alpha * op(A) * op(B) + beta * C  (+ bias per column) (then activation).
//
// Dimensions: op(A) is (M, K), op(B) is (K, N), C is (M, N).
// Strides are in elements and general (BLIS style), so transposes and non-contiguous views need no
// copy by the caller: element (i, k) of op(A) is A[i*rsA + k*csA], element (k, j) of op(B) is
// B[k*rsB + j*csB], element (i, j) of C is C[i*ldc + j] (C has unit column stride).
// beta == 0: C is write-only (never read, so NaN/garbage in C does not leak into the result).
// bias: nullptr or N floats added to every row after the alpha/beta combination; then act.
// Called from inside a parallel chunk (tf/parallel.h) it runs on the calling thread only.
#pragma once
#include "tf/common.h"
#include "tf/gemm_batch.h"
#include "tf/isa.h"

namespace tf {

TF_DECLARE_KERNEL(void, sgemm,
                  (index_t M, index_t N, index_t K, float alpha, const float* A, index_t rsA,
                   index_t csA, const float* B, index_t rsB, index_t csB, float beta, float* C,
                   index_t ldc, const float* bias, Act act))

// fp64 twin with the same contract (portable blocked kernel; exact fp64 arithmetic).
TF_DECLARE_KERNEL(void, dgemm,
                  (index_t M, index_t N, index_t K, double alpha, const double* A, index_t rsA,
                   index_t csA, const double* B, index_t rsB, index_t csB, double beta, double* C,
                   index_t ldc, const double* bias, Act act))

// Batched GEMM: C_s = op(A)_s @ op(B)_s for every slice s of `batch` (Note [batch levels] in
// tf/gemm_batch.h), each slice with sgemm's strides and alpha = 1, beta = 0 (C is write-only), no
// bias, no activation. The C slices must not overlap. Each slice runs sgemm's own paths, so a
// slice's values are those of sgemm on it, bit for bit, at every thread count (Note [batched
// GEMM] in csrc/cpu/gemm.cpp). Called from inside a parallel chunk it runs on the calling thread.
TF_DECLARE_KERNEL(void, sgemm_batched,
                  (const GemmBatch& batch, index_t M, index_t N, index_t K, const float* A,
                   index_t rsA, index_t csA, const float* B, index_t rsB, index_t csB, float* C,
                   index_t ldc))
TF_DECLARE_KERNEL(void, dgemm_batched,
                  (const GemmBatch& batch, index_t M, index_t N, index_t K, const double* A,
                   index_t rsA, index_t csA, const double* B, index_t rsB, index_t csB, double* C,
                   index_t ldc))

// The fp32 GEMM's register tile and cache blocking on this CPU (Note [cache blocking] in
// csrc/cpu/gemm_blocking.h): out[0..4] = MR, NR, KC, MC, NC.
TF_DECLARE_KERNEL(void, sgemm_blocking, (index_t* out))
static inline void sgemm_blocking(index_t* out) { TF_DISPATCH(sgemm_blocking, out); }

static inline void sgemm(index_t M, index_t N, index_t K, float alpha, const float* A, index_t rsA,
                  index_t csA, const float* B, index_t rsB, index_t csB, float beta, float* C,
                  index_t ldc, const float* bias, Act act) {
  TF_DISPATCH(sgemm, M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, act);
}
static inline void dgemm(index_t M, index_t N, index_t K, double alpha, const double* A, index_t rsA,
                  index_t csA, const double* B, index_t rsB, index_t csB, double beta, double* C,
                  index_t ldc, const double* bias, Act act) {
  TF_DISPATCH(dgemm, M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, act);
}

static inline void sgemm_batched(const GemmBatch& batch, index_t M, index_t N, index_t K,
                                 const float* A, index_t rsA, index_t csA, const float* B,
                                 index_t rsB, index_t csB, float* C, index_t ldc) {
  TF_DISPATCH(sgemm_batched, batch, M, N, K, A, rsA, csA, B, rsB, csB, C, ldc);
}
static inline void dgemm_batched(const GemmBatch& batch, index_t M, index_t N, index_t K,
                                 const double* A, index_t rsA, index_t csA, const double* B,
                                 index_t rsB, index_t csB, double* C, index_t ldc) {
  TF_DISPATCH(dgemm_batched, batch, M, N, K, A, rsA, csA, B, rsB, csB, C, ldc);
}

}  // namespace tf
