// The Dense backward's input gradient for a few rows, W's rows broadcast into the GEMM's
// register tile: Note [dX of a few rows] in tf/dense.h. Threads split W's row blocks.
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

// MR rows of W per block; NV vectors cover the batch rows (padded to NV * lanes with zeros).
template <int MR, int NV>
void dx_rows(index_t M, index_t K, index_t N, const float* D, const float* W, index_t ws0,
             float* DX, index_t ldx) {
  constexpr int MP = NV * lanes<float>;
  // D^T padded to MP columns: row n of the tile's B operand. The calling thread's buffer, kept
  // between calls (Note [workspace] in tf/workspace.h: no fresh pages each step).
  static thread_local std::vector<float> dt_buf;
  if (dt_buf.size() < (size_t)(N * MP)) dt_buf.resize((size_t)(N * MP));
  float* DT = dt_buf.data();
  for (index_t n = 0; n < N; ++n) {
    float* r = DT + n * MP;
    for (index_t m = 0; m < M; ++m) r[m] = D[m * N + n];
    for (index_t m = M; m < MP; ++m) r[m] = 0.0f;
  }
  const Epilogue<float> epi{};
  auto body = [&](index_t b0, index_t b1) {
    alignas(64) float dxt[MR * MP];  // one block of dX^T
    const float* rows[MR];
    for (index_t blk = b0; blk < b1; ++blk) {
      const index_t k0 = blk * MR;
      const int mr = (int)std::min<index_t>(MR, K - k0);
      // rows past K (the last block) repeat row k0: computed, never stored
      for (int i = 0; i < MR; ++i) rows[i] = W + (k0 + (i < mr ? i : 0)) * ws0;
      Tile<float, MR, NV> t;
      t.template madd<true, true>(N, ARows<float, MR>(rows), BRows<float, MP>{DT});
      t.store_c(dxt, MP, MR, MP, epi);
      for (index_t m = 0; m < M; ++m)
        for (int i = 0; i < mr; ++i) DX[m * ldx + k0 + i] = dxt[i * MP + m];
    }
  };
  // ~100K FLOP per block at 16 rows: 16 blocks a chunk at least (a fork costs microseconds)
  tf::parallel_for(ceil_div(K, (index_t)MR), 16, body);
}

}  // namespace

bool dense_backward_dx(index_t M, index_t K, index_t N, const float* D, const float* W,
                       index_t ws0, float* DX, index_t ldx) {
#if defined(TF_ISA_avx512)
  if (M > 16) return false;
  dx_rows<12, 1>(M, K, N, D, W, ws0, DX, ldx);
  return true;
#elif defined(TF_ISA_avx2)
  if (M > 16) return false;
  if (M <= 8)
    dx_rows<8, 1>(M, K, N, D, W, ws0, DX, ldx);
  else
    dx_rows<6, 2>(M, K, N, D, W, ws0, DX, ldx);
  return true;
#else
  (void)M, (void)K, (void)N, (void)D, (void)W, (void)ws0, (void)DX, (void)ldx;
  return false;
#endif
}

}  // namespace TF_ISA
}  // namespace tf
