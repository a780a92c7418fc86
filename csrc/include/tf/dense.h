// The Dense layer's input gradient for a few rows (issue 13: LeNet's Dense 1800 -> 500 at a
// rank's batch of 16).
//
// Note [dX of a few rows]: for y = x @ w (x (M, K), w (K, N)) and D = dL/dy (M, N), dX = D W^T
// reads the whole weight matrix for M rows. At M <= 16 the GEMM's streamed B^T path (Note
// [streamed B^T] in csrc/cpu/gemm_small_kernels.h: dot products along N, one hadd tree per output) ran
// LeNet's 16 x 500 x 1800 at 1.34-1.57 ms of one Zen 1 core (18-21 GFLOP/s). Computed as
// dX^T = W D^T instead, the register tile of tf/ukernel.h takes MR of W's rows as its A operand
// in place (one broadcast per weight, each weight read once, in order) and D^T, packed once per
// call with its M columns padded to whole vectors, as B: per n step MR broadcasts and NV loads
// feed MR x NV FMAs, no reductions; each MR x M block of dX^T is then written into dX's
// columns. 0.94-1.0 ms for the same shape (29-31 GFLOP/s, see bench/RESULTS.md, dist4). Sums
// run n = 0..N-1 in order, one accumulator per (k, m): float32 rounding differs from sgemm's
// (within the GEMM's tolerance), and the value does not depend on the thread count.
// Tried and dropped: dW = X^T D in the same pass over W's row blocks (each block's dW rows
// written while its W rows are in L1): 2.15-2.2 ms for dX + dW against 2.0 for this dX then
// sgemm's dW (the two streams gained nothing from sharing the pass; the tiles competed for L1).
#pragma once
#include "tf/common.h"
#include "tf/isa.h"

namespace tf {

// dX (M, K), row stride ldx, = D W^T for D (M, N) C-contiguous and W (K, N) with rows ws0
// apart and unit column stride; dX is written only. Returns false (nothing written) where this
// path does not apply: M above 16, the generic build.
TF_DECLARE_KERNEL(bool, dense_backward_dx,
                  (index_t M, index_t K, index_t N, const float* D, const float* W, index_t ws0,
                   float* DX, index_t ldx))

static inline bool dense_backward_dx(index_t M, index_t K, index_t N, const float* D,
                                     const float* W, index_t ws0, float* DX, index_t ldx) {
  TF_DISPATCH(dense_backward_dx, M, K, N, D, W, ws0, DX, ldx);
}

}  // namespace tf
