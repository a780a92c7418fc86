// Conv2DTranspose with kernel == stride, forward: chunked GEMM + scatter (tf/convt_taps.h).
#include <algorithm>
#include <cstring>
#include <vector>

#include "tf/convt_taps.h"
#include "tf/gemm.h"
#include "tf/parallel.h"

namespace tf {
namespace TF_ISA {

void convt_taps_forward(index_t R, index_t W, index_t C, index_t KH, index_t KWC, const float* x,
                        const float* w, const float* bias, float* y) {
  const index_t NC = KH * KWC;      // the GEMM's columns: every tap's output channels
  const index_t row_out = W * NC;   // floats of one input row's GEMM output
  // ~256 KiB of GEMM output per chunk (a quarter of a Zen core's L2: still there when the
  // scatter reads it), and about 4 chunks per thread so a descheduled helper's share is small
  const int nt = (int)std::min<index_t>(max_threads(), R);
  index_t rows = std::max<index_t>(1, ((index_t)1 << 16) / std::max<index_t>(row_out, 1));
  rows = std::min(rows, std::max<index_t>(1, ceil_div(R, (index_t)nt * 4)));
  parallel_range(R, rows, nt, [&](index_t r0, index_t r1) {
    // the executing thread's buffer, kept between calls (Note [workspace] in tf/workspace.h)
    static thread_local std::vector<float> buf;
    const size_t need = (size_t)((r1 - r0) * row_out);
    if (buf.size() < need) buf.resize(need);
    float* T = buf.data();
    // T (rows*W, NC) = x_rows (rows*W, C) @ w^T; w is (NC, C): op(B)(k, n) = w[n*C + k]
    TF_ISA::sgemm((r1 - r0) * W, NC, C, 1.0f, x + r0 * W * C, C, 1, w, 1, C, 0.0f, T, NC, bias,
          Act::none);
    const size_t bytes = (size_t)KWC * sizeof(float);
    for (index_t r = r0; r < r1; ++r) {
      const float* t = T + (r - r0) * row_out;
      for (index_t a = 0; a < KH; ++a) {
        float* dst = y + (r * KH + a) * W * KWC;
        const float* src = t + a * KWC;
        for (index_t j = 0; j < W; ++j) std::memcpy(dst + j * KWC, src + j * NC, bytes);
      }
    }
  });
}

}  // namespace TF_ISA
}  // namespace tf
