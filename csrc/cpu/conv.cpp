// 2-D convolution kernels, NHWC, forward + backward data + backward filter (contract: tf/conv.h).
// Compiled once per ISA (tf/isa.h). This file: the passes' entry points, which choose an
// algorithm per layer and per pass; each algorithm has its forward and backward passes side by
// side in its own file (declared in conv_algos.h): conv_direct.cpp (implicit GEMM),
// conv_im2col.cpp, conv_winograd.cpp; conv_impl.h: the micro-kernels, panels and helpers they share.
//
// Algorithms, chosen per layer and per pass:
//   - Winograd F(m, r) on 6x6 tiles (Note [Winograd]) for stride 1, dilation 1, kernels 3..5,
//     >= 16 channels in and out: all three passes (the weight gradient of 5-tap kernels in
//     3-tap pieces, Note [Winograd pieces]). 2.25-4x fewer multiplies than a direct convolution,
//     where that outweighs building the transformed weights for the batch at hand (Note
//     [Winograd against direct]: small maps at small batches run direct).
//   - strided layers whose kernel is 2..4 times the stride (DCGAN's k4 s2, the passes of its
//     Conv2DTranspose layers): split by input phase into stride-1 convolutions, each Winograd
//     (conv_phases.cpp, Note [strided layers by phases]), where Winograd pays for the grid
//     (F(5, 2) on 6x6 tiles, or F(7, 2) on 8x8: Note [Winograd 8x8 tiles]).
//   - otherwise implicit GEMM with our own register-blocked SIMD micro-kernel (conv_direct.cpp:
//     no im2col copy for the forward and backward-data passes; strided forwards that read
//     padding tile pixels by border class, Note [forward border classes]; the weight gradient of
//     few-channel layers reads x in place: Note [weight gradient rows]), the weight gradient tap
//     by tap from packed panels for >= 64 input channels and >= 4 taps (conv_wgrad_taps.cpp,
//     Note [weight gradient by taps]), or an im2col chunk where it pays (conv_im2col.cpp: the
//     other weight gradients, backward data of tiny C_in; the border tiles of the direct forward
//     of tiny C_in):
//
//   forward        y (P x CO)  = A (P x T*CI)   * Wm (T*CI x CO)      P = N*OH*OW, T = KH*KW
//   backward data  dx (Q x CI) = A' (Q x T*CO)  * Wt (T*CO x CI)      Q = N*H*W
//   backward filt  dW (T*CI x CO) = col^T (T*CI x P) * dy (P x CO)
//
// The weight-gradient reduction is cut by the problem size, never by the thread count (Note
// [fixed reduction partition] in conv_impl.h): results are bit-identical at any thread count.
#include "conv_algos.h"
#include "conv_impl.h"
#include "conv_winograd.h"

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;
}  // namespace

void conv2d_forward(const ConvShape& s, const float* x, const float* w, const float* b, float* y,
                    Act act) {
#if defined(TF_ISA_avx512)
  if (prefer_ymm(s.CO)) return ::tf::avx2::conv2d_forward(s, x, w, b, y, act);  // Note [Zen 4 zmm]
#endif
  FtzGuard ftz;
  // Note [Winograd]
  if (wino_use(s, s.CI, s.CO) && wino_beats_direct(s, s.OH, s.OW, wino_m(s.KH), wino_m(s.KW), 1)) {
    wino_conv(WinoGeom(s.N, s.H, s.W, s.CI, s.KH, s.KW, s.CO, s.OH, s.OW, s.pt, s.pl), x, w, b, y, act);
    return;
  }
  if (phases_use(s, PhasePass::forward)) {  // Note [strided layers by phases]
    conv_forward_phases(s, x, w, b, y, act);
    return;
  }
  conv_forward_direct(s, x, w, b, y, act);
}

void conv2d_backward_data(const ConvShape& s, const float* dy, const float* w, float* dx) {
  FtzGuard ftz;
#if defined(TF_ISA_avx512)
  if (2 * s.CI > kW && prefer_ymm(s.CI))  // Note [Zen 4 zmm]
    return ::tf::avx2::conv2d_backward_data(s, dy, w, dx);
#endif
  if (wino_use(s, s.CO, s.CI) && wino_beats_direct(s, s.H, s.W, wino_m(s.KH), wino_m(s.KW), 1)) {
    wino_backward_data(s, dy, w, dx);  // Note [Winograd]
    return;
  }
  if (phases_use(s, PhasePass::backward_data)) {  // Note [strided layers by phases]
    conv_backward_data_phases(s, dy, w, dx);
    return;
  }
  if (2 * s.CI <= kW) {  // at most half a vector of input channels: see conv_im2col.cpp
    conv_backward_data_col2im(s, dy, w, dx);
    return;
  }
  conv_backward_data_direct(s, dy, w, dx);
}

// ---- relu backward mask -----------------------------------------------------------------------

void relu_backward_mask(index_t n, const float* dy, const float* y, float* out) {
  FtzGuard ftz;
  const index_t B = 16384, nb = ceil_div(n, B);
  const int nt = n < 65536 ? 1 : max_threads();
  parallel_range(nb, chunk_size(nb, nt, 1), nt, [&](index_t blk_b, index_t blk_e) {
    for (index_t blk = blk_b; blk < blk_e; ++blk) {
      const vf one = set1(1.0f);
      const index_t end = std::min(n, (blk + 1) * B);
      index_t i = blk * B;
      for (; i + kW <= end; i += kW)
        store(out + i, load(dy + i) * select_gt(load(y + i), zero(), one, zero()));
      if (i < end) {
        const int nn = (int)(end - i);
        store_n(out + i, load_n(dy + i, nn) * select_gt(load_n(y + i, nn), zero(), one, zero()), nn);
      }
    }
  });
}

// ---- backward filter --------------------------------------------------------------------------

void conv2d_backward_filter(const ConvShape& s, const float* dy, const float* x, float* dw,
                            float* db, const float* y) {
#if defined(TF_ISA_avx512)
  if (prefer_ymm(s.CO)) return ::tf::avx2::conv2d_backward_filter(s, dy, x, dw, db, y);  // Note [Zen 4 zmm]
#endif
  FtzGuard ftz;
  // Note [Winograd pieces]; and only when every tap reads some real input (H >= KH, W >= KW: a
  // tap that reads only padding must get exactly 0, not a rounding residue) over >= 64 output
  // pixels (the error, relative to sum |x| |dy|, is larger on the shortest sums).
  // The per-thread dU partials (36 x CI x CO per piece, 4-16x dW) are capped at 32 MiB.
  const WinoPieces pc(s.KH, s.KW);
  const double su_bytes = 4.0 * 36 * s.CI * ceil_div(s.CO, kW) * kW * pc.n[0] * pc.n[1];
  if (dw && s.H >= s.KH && s.W >= s.KW && s.N * s.OH * s.OW >= 64 && su_bytes <= 32.0 * (1 << 20) &&
      wino_use(s, s.CI, s.CO) &&
      wino_beats_direct(s, s.OH, s.OW, wino_m(pc.r[0]), wino_m(pc.r[1]), pc.n[0] * pc.n[1])) {
    wino_backward_filter(WinoGeom(s.N, s.H, s.W, s.CI, pc.r[0], pc.r[1], s.CO, s.OH, s.OW, s.pt, s.pl),
                         pc, s.KH, s.KW, dy, x, y, dw, db);
    return;
  }
  if (dw && phases_use(s, PhasePass::weight_grad)) {  // Note [strided layers by phases]
    conv_backward_filter_phases(s, dy, x, dw, db, y);
    return;
  }
  if (rows_fit(s)) {  // Note [weight gradient rows]
    conv_backward_filter_rows(s, dy, x, dw, db, y);
    return;
  }
  if (s.CI >= 64 && s.KH * s.KW >= 4 && conv_wgrad_taps_enabled()) {  // Note [weight gradient by taps]
    conv_backward_filter_taps(s, dy, x, dw, db, y);
    return;
  }
  conv_backward_filter_im2col(s, dy, x, dw, db, y);
}

}  // namespace TF_ISA
}  // namespace tf
