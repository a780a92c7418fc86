// The Dense layer's backward for a few rows in one pass over the weights (issue 13: LeNet's
// Dense 1800 -> 500 at a rank's batch of 16).
//
// Note [one pass over W]: for y = x @ w (x (M, K), w (K, N)) and D = dL/dy (M, N), the two
// weight-sized GEMMs of the backward are dX = D W^T (reads W) and dW = X^T D (writes dW). At
// M <= 16 each weight is used by only 16 multiply-adds in each, so the two GEMMs run as two
// memory-bound passes (the 3.6 MB W read, then the 3.6 MB dW written), each at 20-25 of the
// 38 GFLOP/s a Zen core reaches. dense_backward_rows walks W's rows once, MR rows at a time
// (the register tile of tf/ukernel.h): the MR x M block of dX^T from those rows (A = W's rows
// in place, B = D^T packed once, 16 columns padded), then the MR x N block of dW of the same
// rows (A = X^T's MR x M block packed, B = D's rows), so the W reads and the dW writes stream
// together under the FMAs of both products. Values: dX sums over n in order, one accumulator
// per (k, m) (not sgemm's KC blocks: float32 rounding differs, within the GEMM's tolerance);
// dW is each (k, n)'s M-term sum in order from zero, as sgemm's K <= KC tile computes it.
#pragma once
#include "tf/common.h"
#include "tf/isa.h"

namespace tf {

// dX (M, K) row stride ldx, dW (K, N) row stride N, from D (M, N) C-contiguous, X (M, K) with
// element strides (xs0, xs1), W (K, N) with rows ws0 apart and unit column stride. dX and dW are
// written only. Returns false (nothing written) where this path does not apply: M above the
// ISA's rows (16 for avx2 / avx512), the generic build.
TF_DECLARE_KERNEL(bool, dense_backward_rows,
                  (index_t M, index_t K, index_t N, const float* D, const float* X, index_t xs0,
                   index_t xs1, const float* W, index_t ws0, float* DX, index_t ldx, float* DW))

static inline bool dense_backward_rows(index_t M, index_t K, index_t N, const float* D,
                                       const float* X, index_t xs0, index_t xs1, const float* W,
                                       index_t ws0, float* DX, index_t ldx, float* DW) {
  TF_DISPATCH(dense_backward_rows, M, K, N, D, X, xs0, xs1, W, ws0, DX, ldx, DW);
}

}  // namespace tf
