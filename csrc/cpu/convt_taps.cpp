// Conv2DTranspose with kernel == stride, forward: each tap's GEMM stored straight into its output
// rows (tf/convt_taps.h, Note [taps stored in place]).
#include <algorithm>
#include <vector>

#include "conv_impl.h"
#include "tf/convt_taps.h"

namespace tf {
namespace TF_ISA {

// Note [taps stored in place]: for one input row r and tap row a, the W output pixels' KWC
// channels y[r, a, :, :] are one contiguous (W x KWC) block, so tap a's product
// x[r] (W x C) @ w[a]^T (C x KWC) is a plain GEMM with ldc = KWC into y: the conv gather
// micro-kernel (conv_impl.h) reads x's rows in place and stores each tile into y, bias in its
// epilogue. w[a] is packed once into column panels. The former form (one sgemm per chunk of
// rows into a thread buffer, then a memcpy of every tap's column blocks to y; small7) packed x
// and wrote the 8.4 MB output of U-Net's layer twice: at AVX2 (tiles 4x24 / 6x16) that copy and
// packing were ~10-15% of the forward (RESULTS, cavx8).
void convt_taps_forward(index_t R, index_t W, index_t C, index_t KH, index_t KWC, const float* x,
                        const float* w, const float* bias, float* y) {
  const Panels pn(KWC);
  const index_t Bsz = C * pn.padded;  // one tap row's packed panels
  float* Bp = workspace<float>(Ws::conv_wpack, (size_t)(KH * Bsz + KH * pn.padded));
  float* bp = Bp + KH * Bsz;  // bias per tap row, padded to whole panels (zeros without bias)
  for (index_t a = 0; a < KH; ++a) {
    // B_a(k, n) = w[(a*KWC + n)*C + k]
    pack_panels(w + a * KWC * C, C, KWC, 1, C, pn, Bp + a * Bsz);
    for (index_t c = 0; c < pn.padded; ++c) bp[a * pn.padded + c] = bias && c < KWC ? bias[a * KWC + c] : 0.0f;
  }
  // about 4 chunks of rows per thread, so a descheduled helper's share is small
  const int nt = (int)std::min<index_t>(threads_for(2.0 * R * W * C * KH * KWC), R);
  parallel_range(R, chunk_size(R, nt, 1), nt, [&](index_t r0, index_t r1) {
    const float* aptr[kMaxMR];
    const float* bptr[1];
    for (index_t r = r0; r < r1; ++r) {
      const float* xr = x + r * W * C;
      for (index_t a = 0; a < KH; ++a) {
        float* yra = y + (r * KH + a) * W * KWC;
        for (int j = 0; j < pn.count; ++j) {
          const GatherPanel p(pn, j);
          bptr[0] = Bp + a * Bsz + C * p.j0;
          const int ncols = (int)std::min(p.nr, KWC - p.j0);
          for (index_t t0 = 0; t0 < W; t0 += p.MR) {
            const int m = (int)std::min<index_t>(p.MR, W - t0);
            for (int i = 0; i < p.MR; ++i) aptr[i] = xr + (t0 + std::min(i, m - 1)) * C;
            p.ukr(1, aptr, bptr, C, p.nr, yra + t0 * KWC + p.j0, KWC, m, ncols,
                  bp + a * pn.padded + p.j0, Act::none, false);
          }
        }
      }
    }
  });
}

}  // namespace TF_ISA
}  // namespace tf
