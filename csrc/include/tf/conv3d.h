// 3-D convolution, NDHWC, as the 2-D kernels (tf/conv.h) on a depth-folded input (kernels in
// csrc/cpu/conv3d.cpp; the passes in csrc/bindings/conv.cpp).
//
//   x  (N, D, H, W, CI)        w (KD, KH, KW, CI, CO) (Keras Conv3D's kernel)   y (N, OD, OH, OW, CO)
//   y[n, od, oh, ow, co] = b[co] + sum_{kd, kh, kw, ci} xpad[n, od*sd + kd*dd, oh*sh + kh*dh,
//                                                            ow*sw + kw*dw, ci] * w[kd, kh, kw, ci, co]
//
// Note [depth fold]: the depth taps become input channels. xcol (N*OD, H, W, KD*CI) holds, at
// channel t*CI + ci of plane n*OD + od, input depth od*sd - pd + t*dd of image n (zeros where
// that depth is padding); wf (KH, KW, KD*CI, CO) is w with its depth axis moved next to CI.
// Then y = conv2d(xcol, wf) over (H, W) with the layer's (sh, sw, dh, dw) and pads: one 2-D
// convolution of KD*CI input channels, so the 3-D layer runs whatever 2-D algorithm suits
// (Winograd for 3x3x3 stacks of >= 6 channels: KD*CI >= 16), not KD convolutions of CI
// channels summed. dx is conv2d's backward data into dxcol, summed back over the taps
// (conv3d_depth_scatter); dw is conv2d's weight gradient against xcol, unfolded. The cost is
// one copy of KD/sd times the input (xcol), made again for the weight gradient.
//
// Note [width fold]: when KD*CI < 16 (C3D's first layer: 3 channels, 9 folded) the 2-D kernels
// would run on vectors mostly empty (and Winograd, which needs 16 channels, is out anyway), so
// the KW taps are folded too: xcol (N*OD, H, OW, KD*KW*CI), channel (t*KW + kw)*CI + ci holding
// input column ow*sw - pw + kw*dw, and the 2-D convolution is KH x 1 over (H, OW) (width
// stride, pads and dilation resolved by the fold). The 8x8x16x16x4 -> 8 layer's three passes:
// 2.3 -> 1.7 ms; C3D 3 -> 32: 37 -> 33 ms (1 thread, quiet Zen 4). Costs KD*KW/(sd*sw) times
// the input in xcol.
//
// Contract (tf/common.h): const inputs, output pointers, explicit dimensions; no validation.
#pragma once
#include "tf/common.h"
#include "tf/conv.h"
#include "tf/isa.h"

namespace tf {

struct Conv3Shape {
  index_t N, D, H, W, CI;  // x
  index_t KD, KH, KW, CO;  // w
  index_t OD, OH, OW;      // y
  index_t sd, sh, sw;      // strides
  index_t pd, ph, pw;      // front, top and left pads
  index_t dd, dh, dw;      // dilations
  bool fold_w = false;     // Note [width fold]
  // The taps folded into channels: KD, times KW with the width fold.
  index_t fold_taps() const { return fold_w ? KD * KW : KD; }
  // The 2-D convolution of Note [depth fold]: batch N*OD, KD*CI input channels (KD*KW*CI and
  // a KH x 1 kernel over (H, OW) with the width fold).
  ConvShape folded() const {
    ConvShape s;
    s.N = N * OD; s.H = H; s.W = fold_w ? OW : W; s.CI = fold_taps() * CI;
    s.KH = KH; s.KW = fold_w ? 1 : KW; s.CO = CO; s.OH = OH; s.OW = OW;
    s.sh = sh; s.sw = fold_w ? 1 : sw; s.pt = ph; s.pl = fold_w ? 0 : pw; s.dh = dh;
    s.dw = fold_w ? 1 : dw;
    return s;
  }
  // x is already xcol: one depth tap, stride 1, no depth padding, no width fold.
  bool fold_is_identity() const { return !fold_w && KD == 1 && sd == 1 && pd == 0 && OD == D; }
};

// xcol (N*OD, H, W, KD*CI), or (N*OD, H, OW, KD*KW*CI) (Note [width fold]), from x; written (=).
TF_DECLARE_KERNEL(void, conv3d_depth_gather, (const Conv3Shape& s, const float* x, float* xcol))
// dx (N, D, H, W, CI) = the sum over taps of dxcol's channel blocks at the depths they read;
// written (=).
TF_DECLARE_KERNEL(void, conv3d_depth_scatter, (const Conv3Shape& s, const float* dxcol, float* dx))

static inline void conv3d_depth_gather(const Conv3Shape& s, const float* x, float* xcol) {
  TF_DISPATCH(conv3d_depth_gather, s, x, xcol);
}
static inline void conv3d_depth_scatter(const Conv3Shape& s, const float* dxcol, float* dx) {
  TF_DISPATCH(conv3d_depth_scatter, s, dxcol, dx);
}

}  // namespace tf
