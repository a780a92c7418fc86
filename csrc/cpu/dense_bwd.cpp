// The Dense backward for a few rows in one pass over the weights: Note [one pass over W] in
// tf/dense.h. Built on the GEMM's register tile (tf/ukernel.h); threads split W's row blocks.
#include <algorithm>
#include <vector>

#include "tf/dense.h"
#include "tf/parallel.h"
#include "tf/simd.h"
#include "tf/ukernel.h"

namespace tf {
namespace TF_ISA {
namespace {
using namespace simd;

// MR rows of W per block; NVX vectors cover the (padded) batch rows of dX^T; NVW vectors of dW
// columns per tile (MR x NVW within the ISA's register budget, Note [ISA tiles]).
template <int MR, int NVX, int NVW>
void rows_pass(index_t M, index_t K, index_t N, const float* D, const float* X, index_t xs0,
               index_t xs1, const float* W, index_t ws0, float* DX, index_t ldx, float* DW) {
  constexpr int L = lanes<float>, MP = NVX * L, NB = NVW * L;
  // D^T padded to MP columns with zeros: row n of B for the dX^T tile
  // (the calling thread's, kept between calls: Note [workspace] in tf/workspace.h)
  static thread_local std::vector<float> dt_buf;
  if (dt_buf.size() < (size_t)N * MP) dt_buf.resize((size_t)N * MP);
  float* DT = dt_buf.data();
  for (index_t n = 0; n < N; ++n) {
    float* r = DT + n * MP;
    for (index_t m = 0; m < M; ++m) r[m] = D[m * N + n];
    for (index_t m = M; m < MP; ++m) r[m] = 0.0f;
  }
  const index_t nblocks = ceil_div(K, (index_t)MR);
  const Epilogue<float> epi{};
  auto body = [&](index_t b0, index_t b1) {
    alignas(64) float xt[MR * 16];   // X^T's block, panel order: xt[i + m*MR]
    alignas(64) float dxt[MR * MP];  // the block of dX^T
    for (index_t blk = b0; blk < b1; ++blk) {
      const index_t k0 = blk * MR;
      const int mr = (int)std::min<index_t>(MR, K - k0);
      // dX^T[k0:k0+mr, :] = W[k0:k0+mr, :] @ D^T: W's rows broadcast in place, in order of n
      const float* rows[MR];
      for (int i = 0; i < MR; ++i) rows[i] = W + (k0 + (i < mr ? i : 0)) * ws0;
      {
        Tile<float, MR, NVX> t;
        t.template madd<true, true>(N, ARows<float, MR>(rows), BRows<float, MP>{DT});
        t.store_c(dxt, MP, MR, MP, epi);
      }
      for (index_t m = 0; m < M; ++m)
        for (int i = 0; i < mr; ++i) DX[m * ldx + k0 + i] = dxt[i * MP + m];
      // dW[k0:k0+mr, :] = X[:, k0:k0+mr]^T @ D, the rows just read from W
      for (index_t m = 0; m < M; ++m)
        for (int i = 0; i < MR; ++i) xt[i + m * MR] = i < mr ? X[m * xs0 + (k0 + i) * xs1] : 0.0f;
      float* dw = DW + k0 * N;
      index_t n0 = 0;
      for (; n0 + NB <= N; n0 += NB)
        ukernel<float, MR, NVW, true>(M, APanel<float, MR>{xt}, BRows<float>{D + n0, N}, dw + n0,
                                      N, mr, NB, epi);
      if (n0 < N)
        ukernel<float, MR, NVW, false>(M, APanel<float, MR>{xt}, BRows<float>{D + n0, N},
                                       dw + n0, N, mr, (int)(N - n0), epi);
    }
  };
  // ~200K FLOP per block at M = 16: blocks of 16 per chunk at least (a fork costs microseconds)
  tf::parallel_for(nblocks, 16, body);
}

}  // namespace

bool dense_backward_rows(index_t M, index_t K, index_t N, const float* D, const float* X,
                         index_t xs0, index_t xs1, const float* W, index_t ws0, float* DX,
                         index_t ldx, float* DW) {
#if defined(TF_ISA_avx512)
  if (M > 16) return false;
  rows_pass<12, 1, 2>(M, K, N, D, X, xs0, xs1, W, ws0, DX, ldx, DW);
  return true;
#elif defined(TF_ISA_avx2)
  if (M > 16) return false;
  if (M <= 8)
    rows_pass<8, 1, 1>(M, K, N, D, X, xs0, xs1, W, ws0, DX, ldx, DW);
  else
    rows_pass<6, 2, 2>(M, K, N, D, X, xs0, xs1, W, ws0, DX, ldx, DW);
  return true;
#else
  (void)M, (void)K, (void)N, (void)D, (void)X, (void)xs0, (void)xs1, (void)W, (void)ws0, (void)DX,
      (void)ldx, (void)DW;
  return false;
#endif
}

}  // namespace TF_ISA
}  // namespace tf
